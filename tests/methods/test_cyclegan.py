import json
import math

import pytest
import torch

from gankit.core.optim import build_scheduler
from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.methods.image_pool import ImagePool
from gankit.runs.launch import resolve_config

DIGITS = DataSpec("unpaired", (1, 28, 28), num_classes=10, input_shape=(1, 28, 28))


def build(overrides=(), spec=DIGITS):
    cfg = resolve_config(
        None,
        "configs/cyclegan-mnist-usps.yaml",
        ["generator={width: 4}", "discriminator={width: 4}", *overrides],
    )
    torch.manual_seed(0)
    return METHODS.get("cyclegan")(cfg, spec, "cpu")


def test_pool_fills_then_swaps_half_the_time():
    torch.manual_seed(0)
    pool = ImagePool(4)
    first = torch.arange(4.0).view(4, 1)
    assert torch.equal(pool.query(first), first)  # filling: every image comes straight back
    sent = torch.arange(100.0, 500.0).view(400, 1, 1)
    returned = torch.cat([pool.query(image) for image in sent])
    from_pool = (returned != sent.flatten(1)).float().mean().item()
    assert 0.4 < from_pool < 0.6
    assert len(pool.images) == 4
    restored = ImagePool(0)
    restored.load_state_dict(pool.state_dict())
    assert torch.equal(torch.stack(restored.images), torch.stack(pool.images))
    assert torch.equal(ImagePool(0).query(first), first)  # size 0: no pool


def test_lr_schedule_is_constant_then_linear_to_zero():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    cfg = resolve_config("cyclegan", None, []).train  # lr_decay linear from half of the run
    scheduler = build_scheduler(optimizer, cfg, 200)  # e.g. 100 + 100 epochs of 1 step
    lrs = []
    for _ in range(200):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert lrs[0] == lrs[99] == 1.0
    assert lrs[150] == pytest.approx(0.5) and lrs[199] == pytest.approx(0.01)


class Identity(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.unused = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return x + 0 * self.unused  # in the graph, so the generator step can run


def test_cycle_and_identity_losses_vanish_for_identity_generators():
    method = build(["lambda_identity=0.5"])
    method.nets["generator_ab"] = method.nets["generator_ba"] = identity = Identity()
    method.optimizers["generators"] = torch.optim.SGD(identity.parameters(), lr=0.0)
    method.domain_b = torch.rand(8, 1, 28, 28)
    logs = method.train_step((torch.rand(4, 1, 28, 28), torch.zeros(4)), True)
    assert logs["cycle"].item() == 0 and logs["identity"].item() == 0


class Constant(torch.nn.Module):
    def __init__(self, value):
        super().__init__()
        self.value = value
        self.unused = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return torch.full_like(x, self.value) + self.unused


class Mean(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))

    def forward(self, x):
        return self.scale * x.flatten(1).mean(1)


def test_loss_of_each_recipe_follows_its_document():
    """Kasmi & Thimonier's Eq. 5 is the log loss; Zhu et al. 2017 §4 least squares."""
    assert resolve_config(None, "configs/cyclegan-mnist-usps.yaml", []).loss == "vanilla"
    for name in ("cyclegan-mnist-usps-ls.yaml", "cyclegan-mnist-usps-standard.yaml"):
        assert resolve_config(None, f"configs/{name}", []).loss == "least_squares"


@pytest.mark.parametrize("loss", ["least_squares", "vanilla"])
def test_adversarial_terms_match_the_written_formula(loss):
    """LS: G minimises MSE(D_B(G(a)), 1) + MSE(D_A(F(b)), 1); each D (MSE(D(real), 1) +
    MSE(D(fake), 0)) / 2 (Zhu et al. 2017, §4 and their code). vanilla: the same with BCE."""
    method = build([f"loss={loss}"])
    a, b, fake_b, fake_a = -0.2, 0.6, 0.3, -0.5  # constant images, so D = the mean is known
    method.nets |= {
        "generator_ab": Constant(fake_b),
        "generator_ba": Constant(fake_a),
        "discriminator_a": Mean(),
        "discriminator_b": Mean(),
    }
    method.optimizers = {
        "generators": torch.optim.SGD([method.nets["generator_ab"].unused], lr=0.0),
        "discriminators": torch.optim.SGD(
            [method.nets["discriminator_a"].scale, method.nets["discriminator_b"].scale], lr=0.0
        ),
    }
    method.domain_b = torch.full((8, 1, 28, 28), b)
    logs = method.train_step((torch.full((4, 1, 28, 28), a), torch.zeros(4)), True)
    if loss == "least_squares":
        real_term, fake_term = (lambda d: (d - 1) ** 2), (lambda d: d**2)
    else:
        real_term = lambda d: -math.log(torch.sigmoid(torch.tensor(d)).item())  # noqa: E731
        fake_term = lambda d: -math.log(1 - torch.sigmoid(torch.tensor(d)).item())  # noqa: E731
    assert logs["g_gan"].item() == pytest.approx(real_term(fake_b) + real_term(fake_a), rel=1e-5)
    assert logs["d_a"].item() == pytest.approx(0.5 * (real_term(a) + fake_term(fake_a)), rel=1e-5)
    assert logs["d_b"].item() == pytest.approx(0.5 * (real_term(b) + fake_term(fake_b)), rel=1e-5)


def test_wasserstein_needs_a_lipschitz_regularizer_on_both_critics():
    with pytest.raises(ConfigError, match="Lipschitz.*gradient_penalty"):
        build(["loss=wasserstein"])
    method = build(["loss=wasserstein", "regularizers=[{name: weight_clipping, clip: 0.02}]"])
    method.domain_b = torch.rand(8, 1, 28, 28) * 2 - 1
    for _ in range(2):
        method.train_step((torch.rand(4, 1, 28, 28) * 2 - 1, torch.zeros(4)), True)
    for name in ("discriminator_a", "discriminator_b"):
        assert max(p.abs().max().item() for p in method.nets[name].parameters()) <= 0.02
    assert max(p.abs().max().item() for p in method.nets["generator_ab"].parameters()) > 0.02


def test_gradient_penalty_is_logged_for_each_discriminator():
    method = build(["loss=wasserstein", "regularizers=[gradient_penalty]", "norm=instance"])
    method.domain_b = torch.rand(8, 1, 28, 28) * 2 - 1
    logs = method.train_step((torch.rand(4, 1, 28, 28) * 2 - 1, torch.zeros(4)), True)
    assert logs["gradient_penalty_a"].item() > 0 and logs["gradient_penalty_b"].item() > 0
    with pytest.raises(ConfigError, match="paired"):
        build(["regularizers=[pixel_l1]"])


def test_domains_are_sampled_independently_and_state_includes_the_pools():
    method = build()
    method.domain_b = torch.arange(50.0).view(50, 1, 1, 1).expand(50, 1, 28, 28)
    picks = method._sample_b(200)[:, 0, 0, 0]
    assert len(picks.unique()) > 30  # uniform with replacement over domain B
    method.train_step((torch.rand(4, 1, 28, 28), torch.zeros(4)), True)
    state = method.state_dict()
    assert len(state["pools"]["a"]["images"]) == 4


def test_refuses_unsuitable_data():
    with pytest.raises(ConfigError, match="two unpaired domains"):
        build(spec=DataSpec("image", (1, 28, 28)))
    with pytest.raises(ConfigError, match="same channels"):
        build(["lambda_identity=0.5"], DataSpec("unpaired", (3, 28, 28), input_shape=(1, 28, 28)))


@pytest.mark.parametrize(
    "config",
    [
        "cyclegan-mnist-usps.yaml",
        "cyclegan-mnist-usps-ls.yaml",
        "cyclegan-mnist-usps-standard.yaml",
    ],
)
def test_recipes_train_from_the_cli_and_translate_both_ways(cli, tmp_path, config):
    run = tmp_path / "cyclegan" / "r"
    args = ["train", "--config", f"configs/{config}", "--out", tmp_path, "--name", "r", "--steps", 3,
            "data.name=unpaired:digits,digits", "data.batch_size=4", "train.progress=false",
            "train.tensorboard=false", "generator={width: 4}", "discriminator={width: 4}"]  # fmt: skip
    assert cli(*args) == 0
    assert (run / "samples" / "step_000003.png").exists()
    images = tmp_path / "in"
    images.mkdir()
    from PIL import Image

    Image.new("L", (20, 20), 128).save(images / "x.png")
    for direction in ("AtoB", "BtoA"):
        assert (
            cli(
                "translate",
                run,
                "--input",
                images,
                "--output",
                tmp_path / direction,
                "--direction",
                direction,
            )
            == 0
        )
        assert Image.open(tmp_path / direction / "x.png").size == (20, 20)


def test_a_resumed_run_draws_the_same_domain_b_images_and_ends_bit_identical(tmp_path):
    """Domain B is drawn with torch's global generator, whose state the checkpoint keeps: a run
    stopped at step 3 and resumed to 6 equals one that ran 6 steps at once."""
    from gankit.runs.launch import resume, start

    common = ["generator={width: 4}", "discriminator={width: 4}", "data.batch_size=4",
              "data.name=unpaired:digits,digits", "data.image_size=28", "train.log_every=1",
              "train.checkpoint_every=100", "train.progress=false", "train.tensorboard=false",
              f"out={tmp_path}"]  # fmt: skip

    def run(name, steps):
        cfg = resolve_config(None, "configs/cyclegan-mnist-usps.yaml",
                             [*common, f"name={name}", f"train.steps={steps}"])  # fmt: skip
        return start(cfg)

    whole, half = run("whole", 6), run("half", 3)
    resume(half.path, ["train.steps=6"])

    def logged(folder):
        records = [json.loads(line) for line in folder.metrics_file.read_text().splitlines()]
        return [
            {k: v for k, v in r.items() if k in ("step", "g_loss", "d_a", "d_b")} for r in records
        ]

    assert logged(half) == logged(whole) and len(logged(whole)) == 6
    a = torch.load(whole.last_checkpoint(), weights_only=True)["method_state"]["nets"]
    b = torch.load(half.last_checkpoint(), weights_only=True)["method_state"]["nets"]
    assert all(torch.equal(a[net][key], b[net][key]) for net in a for key in a[net])
