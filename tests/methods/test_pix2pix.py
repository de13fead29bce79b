import pytest
import torch
from PIL import Image
from torch import nn

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.methods.augment import random_erase
from gankit.methods.pix2pix import closest_target_l1, paper_inference_mode
from gankit.runs.launch import resolve_config

TINY = ["generator={width: 8}", "discriminator={width: 8, receptive_field: 16}"]


PAIRS = DataSpec("paired", (3, 32, 32), input_shape=(3, 32, 32), targets=2)


def build(overrides=(), spec=PAIRS):
    cfg = resolve_config("pix2pix", None, [*TINY, *overrides])
    torch.manual_seed(0)
    return METHODS.get("pix2pix")(cfg, spec, "cpu")


def recording(net, seen):
    return net.register_forward_pre_hook(lambda module, args: seen.append(args[0].detach()))


def test_the_l1_term_takes_the_closest_target():
    outputs = torch.zeros(2, 1, 2, 2)
    targets = torch.stack([torch.full((2, 1, 2, 2), 0.5), torch.full((2, 1, 2, 2), -0.1)], dim=1)
    targets[1, 0] = 0.05
    assert closest_target_l1(outputs, targets).tolist() == pytest.approx([0.1, 0.05])


def test_discriminator_sees_every_real_pair():
    method = build()
    seen = []
    recording(method.nets["discriminator"], seen)
    batch = (torch.rand(3, 3, 32, 32) * 2 - 1, torch.rand(3, 2, 3, 32, 32) * 2 - 1)
    logs = method.train_step(batch, update_generator=True)
    assert [len(x) for x in seen] == [6, 3, 3]  # 3 inputs x 2 targets real pairs, 3 fakes; G's
    assert {"d_loss", "g_loss", "l1"} <= set(logs)


def test_random_erasing_fills_one_rectangle_per_sample_in_every_channel():
    torch.manual_seed(1)
    images = torch.full((4, 3, 16, 16), 5.0)  # outside the noise's [-1, 1]
    erased = random_erase(images, probability=1.0)
    assert torch.equal(images, torch.full((4, 3, 16, 16), 5.0))  # a copy: the batch is intact
    for sample in erased:
        changed = sample != 5.0
        assert (
            changed.any()
            and torch.equal(changed[0], changed[1])
            and torch.equal(changed[0], changed[2])
        )
        rows, cols = changed[0].nonzero().unbind(1)
        box = changed[0, rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        assert box.all() and int(box.sum()) == int(changed[0].sum())  # one full rectangle
        assert sample[changed].abs().max() <= 1
    assert torch.equal(random_erase(images, probability=0.0), images)


@pytest.mark.parametrize("k", [1, 5])
def test_random_erasing_changes_the_input_only_for_any_number_of_targets(monkeypatch, k):
    """Gao's erasing obscures the photo; the k sketches (here 5 x 3 channels) stay intact."""
    spec = DataSpec("paired", (3, 32, 32), input_shape=(3, 32, 32), targets=k)
    method = build(["random_erasing=1.0"], spec)
    inputs, targets = torch.rand(3, 3, 32, 32) * 2 - 1, torch.rand(3, k, 3, 32, 32) * 2 - 1
    batch = (inputs.clone(), targets.clone())
    g_inputs, l1_targets = [], []
    recording(method.nets["generator"], g_inputs)
    import gankit.methods.pix2pix as pix2pix

    def spy(outputs, wanted):
        l1_targets.append(wanted)
        return closest_target_l1(outputs, wanted)

    monkeypatch.setattr(pix2pix, "closest_target_l1", spy)
    method.train_step(batch, update_generator=True)
    assert torch.equal(batch[0], inputs) and torch.equal(batch[1], targets)
    assert torch.equal(l1_targets[0], targets)
    changed = g_inputs[0] != inputs
    assert all(changed[i].any() for i in range(3))  # p = 1: every input has a hole
    assert torch.equal(changed.all(dim=1), changed.any(dim=1))  # the same pixels in each channel


def test_inference_keeps_dropout_and_leaves_running_stats_and_rng_alone():
    method = build(["norm=batch"])
    G = method.nets["generator"]
    before = {k: v.clone() for k, v in G.state_dict().items()}
    x = torch.rand(2, 3, 32, 32)
    state = torch.get_rng_state()
    first, second = method.generate(x, seed=1), method.generate(x, seed=2)
    assert not torch.equal(first, second)  # dropout is the noise source at test time
    assert torch.equal(first, method.generate(x, seed=1))
    assert torch.equal(torch.get_rng_state(), state)
    assert all(torch.equal(before[k], v) for k, v in G.state_dict().items())
    with paper_inference_mode(G):
        assert G.training
    assert G.training  # restored


def test_non_paired_data_and_bad_directions_are_refused():
    with pytest.raises(ConfigError, match="paired images"):
        build(spec=DataSpec("image", (3, 32, 32)))
    with pytest.raises(ConfigError, match="one target"):
        build(["direction=BtoA"])
    with pytest.raises(ConfigError, match="gankit translate"):
        build().sample_latent(4)


def test_train_then_translate_end_to_end(cli, tmp_path):
    args = ["train", "pix2pix", "--out", tmp_path, "--name", "p", "--steps", 2,
            "data.image_size=32", "data.options={count: 4, crop: 64}", "data.batch_size=2",
            "train.progress=false", "train.tensorboard=false", "train.num_samples=2", *TINY]  # fmt: skip
    assert cli(*args) == 0
    run = tmp_path / "pix2pix" / "p"
    assert (run / "samples" / "step_000002.png").exists()
    inputs = tmp_path / "in"
    (inputs / "sub").mkdir(parents=True)
    Image.new("RGB", (40, 50), (10, 200, 30)).save(inputs / "one.jpg")
    Image.new("RGB", (32, 32)).save(inputs / "sub" / "two.png")
    assert cli("translate", run, "--input", inputs, "--output", tmp_path / "out") == 0
    assert Image.open(tmp_path / "out" / "one.png").size == (40, 50)
    assert (tmp_path / "out" / "sub" / "two.png").exists()
    assert (
        cli("translate", run, "--input", inputs, "--output", tmp_path / "o2", "--direction", "BtoA")
        == 2
    )


def write_photo_sketch_pairs(root, photos, sketches=5, size=32):
    """Gao's paired-dirs layout: A/<name>.png, and B/<name>_1.png ... <name>_k.png."""
    generator = torch.Generator().manual_seed(0)
    for split, count in photos.items():
        (root / split / "A").mkdir(parents=True)
        (root / split / "B").mkdir(parents=True)
        for i in range(count):
            pixels = torch.randint(0, 256, (1 + sketches, size, size, 3), generator=generator)
            images = [Image.fromarray(p.to(torch.uint8).numpy()) for p in pixels]
            images[0].save(root / split / "A" / f"photo{i}.png")
            for j, sketch in enumerate(images[1:], start=1):
                sketch.save(root / split / "B" / f"photo{i}_{j}.png")


def test_gaos_final_model_trains_on_one_to_five_pairs(cli, tmp_path):
    """U-Net++ + global D + label smoothing + random erasing + early stopping, 5 sketches each."""
    write_photo_sketch_pairs(tmp_path / "pairs", {"train": 4, "val": 2})
    args = ["train", "--config", "configs/experiments/pix2pix-gao-final.yaml", "--out", tmp_path,
            "--name", "gao", f"data.name=paired-dirs:{tmp_path / 'pairs'}", "data.image_size=32",
            "data.batch_size=2", "train.epochs=null", "train.steps=2", "train.validate_every=1",
            "generator={width: 8}", "discriminator={width: 8}",
            "train.progress=false", "train.tensorboard=false", "train.num_samples=2"]  # fmt: skip
    assert cli(*args) == 0
    run = tmp_path / "pix2pix" / "gao"
    config = resolve_config(None, run / "config.yaml")
    assert (config.generator_net, config.discriminator_net) == ("unet++", "global")
    assert (config.label_smoothing, config.random_erasing, config.train.patience) == (0.1, 0.5, 6)
    state = torch.load(run / "checkpoints" / "last.pt", weights_only=False)
    assert state["step"] == 2
    assert (run / "checkpoints" / "best.pt").exists()  # early stopping's validation ran


class Constant(nn.Module):
    """A generator stand-in: every output pixel is ``value``."""

    def __init__(self, value: float, channels: int = 3) -> None:
        super().__init__()
        self.value, self.channels = value, channels
        self.unused = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return torch.full((x.shape[0], self.channels, *x.shape[2:]), self.value) + self.unused


class Mean(nn.Module):
    """A discriminator stand-in: D(v) = mean of v's values, one score per sample."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))

    def forward(self, x):
        return self.scale * x.flatten(1).mean(1)


def with_fixed_nets(method, generator, discriminator):
    method.nets["generator"], method.nets["discriminator"] = generator, discriminator
    method.optimizers = {
        n: torch.optim.SGD(net.parameters(), lr=0.0) for n, net in method.nets.items()
    }
    return method


@pytest.mark.parametrize("smoothing, real_target", [(0.0, 1.0), (0.1, 0.9)])
def test_least_squares_pix2pix_matches_the_written_formula(smoothing, real_target):
    """D: (MSE(D(x, y), b) + MSE(D(x, G(x)), 0)) / 2 over every real pair; G: MSE(D(x, G(x)), 1)
    (Zhu et al. 2017, §4; junyanz's GANLoss("lsgan") with D halved)."""
    method = build(["loss=least_squares", f"label_smoothing={smoothing}"])
    with_fixed_nets(method, Constant(-0.5), Mean())
    inputs = torch.zeros(3, 3, 32, 32)
    targets = torch.stack([torch.ones(3, 3, 32, 32), torch.zeros(3, 3, 32, 32)], dim=1)
    logs = method.train_step((inputs, targets), update_generator=True)
    real = torch.tensor([0.5, 0.0])  # mean of (x, y) for y = 1 and y = 0
    fake = -0.25  # mean of (0, -0.5)
    d_expected = 0.5 * (((real - real_target) ** 2).mean() + fake**2)
    assert logs["d_loss"].item() == pytest.approx(d_expected.item())
    assert logs["g_gan"].item() == pytest.approx((fake - 1) ** 2)  # G still aims at 1
    assert logs["l1"].item() == pytest.approx(0.5)  # closest target: 0


def test_wasserstein_loss_needs_a_lipschitz_regularizer():
    with pytest.raises(ConfigError, match="Lipschitz.*gradient_penalty"):
        build(["loss=wasserstein"])
    with pytest.raises(ConfigError, match="Lipschitz"):
        build(["loss=wasserstein", "regularizers=[pixel_l1]"])
    build(["loss=wasserstein", "regularizers=[spectral_norm]"])


def test_weight_clipping_keeps_the_critic_in_bounds():
    method = build(["loss=wasserstein", "regularizers=[{name: weight_clipping, clip: 0.01}]"])
    batch = (torch.rand(2, 3, 32, 32) * 2 - 1, torch.rand(2, 2, 3, 32, 32) * 2 - 1)
    assert max(p.abs().max().item() for p in method.nets["discriminator"].parameters()) > 0.01
    for _ in range(2):
        method.train_step(batch, update_generator=True)
    assert max(p.abs().max().item() for p in method.nets["discriminator"].parameters()) <= 0.01


def test_gradient_penalty_is_applied_on_input_target_pairs_and_logged():
    method = build(
        ["loss=wasserstein", "regularizers=[gradient_penalty]", "norm=instance", "lambda_l1=0"]
    )
    batch = (torch.rand(2, 3, 32, 32) * 2 - 1, torch.rand(2, 2, 3, 32, 32) * 2 - 1)
    logs = method.train_step(batch, update_generator=True)
    assert logs["gradient_penalty"].item() > 0
    assert logs["g_loss"].item() == pytest.approx(logs["g_gan"].item())


def test_a_pixel_penalty_joins_the_generator_loss():
    method = build(["regularizers=[{name: pixel_l2, weight: 3}]"])
    batch = (torch.rand(2, 3, 32, 32) * 2 - 1, torch.rand(2, 2, 3, 32, 32) * 2 - 1)
    logs = method.train_step(batch, update_generator=True)
    total = logs["g_gan"] + 100 * logs["l1"] + logs["pixel_l2"]
    assert logs["pixel_l2"].item() > 0 and logs["g_loss"].item() == pytest.approx(total.item())


def test_l1_only_ablation_trains_g_on_l1_alone_and_leaves_d_alone():
    """Isola et al. 2017, Table 1 "L1" (their code's use_GAN=0), recalled by Gao (§3.1)."""
    method = build(["adversarial=false", "lambda_l1=10"])
    D = method.nets["discriminator"]
    before = {k: v.clone() for k, v in D.state_dict().items()}
    calls = []
    D.register_forward_hook(lambda *args: calls.append(1))
    batch = (torch.rand(2, 3, 32, 32) * 2 - 1, torch.rand(2, 2, 3, 32, 32) * 2 - 1)
    assert method.train_step(batch, update_generator=False) == {}
    logs = method.train_step(batch, update_generator=True)
    assert set(logs) == {"g_loss", "l1"} and logs["g_loss"].item() == pytest.approx(
        10 * logs["l1"].item()
    )
    assert not calls and "discriminator" not in method.optimizers
    assert all(torch.equal(before[k], v) for k, v in D.state_dict().items())
    with pytest.raises(ConfigError, match="adversarial=false"):
        build(["adversarial=false", "regularizers=[weight_clipping]"])


def test_input_noise_reaches_the_generator_only():
    method = build(["input_noise=0.5"])
    g_inputs, d_inputs = [], []
    recording(method.nets["generator"], g_inputs)
    recording(method.nets["discriminator"], d_inputs)
    inputs = torch.rand(4, 3, 32, 32) * 2 - 1
    method.train_step((inputs, torch.rand(4, 1, 3, 32, 32) * 2 - 1), update_generator=True)
    noise = g_inputs[0] - inputs
    assert noise.mean().abs().item() < 0.02 and noise.std().item() == pytest.approx(0.5, rel=0.05)
    assert all(torch.equal(x[:, :3], inputs) for x in d_inputs)  # D is conditioned on the clean x
    assert method.generate(inputs, seed=0).shape == (4, 3, 32, 32)
