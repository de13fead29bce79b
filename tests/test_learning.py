"""A model that learns: the vanilla GAN finds the modes of the 8-Gaussian ring."""

from pathlib import Path

from gankit.runs.launch import resolve_config, start
from gankit.training.logger import read_metrics

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "gan-ring8.yaml"


def test_gan_covers_at_least_six_of_eight_modes_on_ring8(tmp_path):
    cfg = resolve_config(
        None,
        CONFIG,
        [f"out={tmp_path}", "seed=0", "train.progress=false", "train.tensorboard=false"],
    )
    run = start(cfg)
    final = [r for r in read_metrics(run) if "modes_covered" in r][-1]
    assert final["step"] == cfg.train.steps
    assert final["modes_covered"] >= 6, final
    assert final["high_quality"] > 0.2, final
