import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.nets.stargan import StarGANDiscriminator, with_label_channels
from gankit.runs.launch import resolve_config


def test_label_channels_and_discriminator_heads():
    x = with_label_channels(torch.zeros(2, 1, 8, 8), torch.tensor([2, 0]), 3)
    assert x.shape == (2, 4, 8, 8)
    assert x[0, 1:, 3, 3].tolist() == [0, 0, 1] and x[1, 1:, 0, 0].tolist() == [1, 0, 0]
    source, domains = StarGANDiscriminator(1, 32, 3, width=4)(torch.rand(5, 1, 32, 32))
    assert source.shape == (5, 1, 2, 2) and domains.shape == (5, 3)


def test_needs_domain_labels():
    cfg = resolve_config("stargan", None, [])
    with pytest.raises(ConfigError, match="labelled by domain"):
        METHODS.get("stargan")(cfg, DataSpec("image", (1, 32, 32)), "cpu")


def test_trains_from_the_cli_and_translates_to_a_domain(cli, tmp_path):
    args = ["train", "stargan", "--out", tmp_path, "--name", "s", "--steps", 2,
            "data.name=multidomain:digits,digits", "data.batch_size=4", "generator={blocks: 1, width: 4}",
            "discriminator={width: 4}", "train.progress=false", "train.tensorboard=false"]  # fmt: skip
    assert cli(*args) == 0
    from PIL import Image

    (tmp_path / "in").mkdir()
    Image.new("L", (32, 32), 40).save(tmp_path / "in" / "d.png")
    run = tmp_path / "stargan" / "s"
    assert (
        cli(
            "translate",
            run,
            "--input",
            tmp_path / "in",
            "--output",
            tmp_path / "out",
            "--target-domain",
            1,
        )
        == 0
    )
    assert (tmp_path / "out" / "d.png").exists()
    assert cli("translate", run, "--input", tmp_path / "in", "--output", tmp_path / "o2") == 2
