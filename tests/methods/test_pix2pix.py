import pytest
import torch
from PIL import Image

from gankit.data.base import DataSpec
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.methods.pix2pix import closest_target_l1, paper_inference_mode, random_erase
from gankit.train.launch import resolve_config

TINY = ["generator_options={width: 8}", "discriminator_options={width: 8, receptive_field: 16}"]


PAIRS = DataSpec("paired", (3, 32, 32), input_shape=(3, 32, 32), targets=2)


def build(overrides=(), spec=PAIRS):
    cfg = resolve_config("pix2pix", None, [*TINY, *overrides])
    torch.manual_seed(0)
    return METHODS.get("pix2pix")(cfg, spec, "cpu")


def test_the_l1_term_takes_the_closest_target():
    outputs = torch.zeros(2, 1, 2, 2)
    targets = torch.stack([torch.full((2, 1, 2, 2), 0.5), torch.full((2, 1, 2, 2), -0.1)], dim=1)
    targets[1, 0] = 0.05
    assert closest_target_l1(outputs, targets).tolist() == pytest.approx([0.1, 0.05])


def test_discriminator_sees_every_real_pair(monkeypatch):
    method = build()
    seen = []
    original = method._judge
    monkeypatch.setattr(method, "_judge", lambda a, b: seen.append(len(b)) or original(a, b))
    batch = (torch.rand(3, 3, 32, 32) * 2 - 1, torch.rand(3, 2, 3, 32, 32) * 2 - 1)
    logs = method.train_step(batch, update_generator=True)
    assert seen[:2] == [6, 3]  # 3 inputs x 2 targets real pairs, 3 fakes
    assert {"d_loss", "g_loss", "l1"} <= set(logs)


def test_random_erasing_cuts_the_same_rectangle():
    torch.manual_seed(1)
    a, b = torch.zeros(4, 3, 16, 16), torch.ones(4, 3, 16, 16)
    erased_a, erased_b = random_erase([a, b], probability=1.0)
    changed_a, changed_b = erased_a != 0, erased_b != 1
    assert changed_a.any() and torch.equal(changed_a, changed_b)
    assert torch.equal(erased_a[changed_a], erased_b[changed_b])


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
