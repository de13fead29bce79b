import torch
from PIL import Image

from gankit.viz.plots import plot_losses, scatter_points


def test_loss_plot_is_written(tmp_path):
    records = [
        {"step": s, "d_loss": 1.0 / s, "g_loss": s / 10, "d_real": 0.5} for s in range(1, 20)
    ]
    path = plot_losses(records, tmp_path / "losses.png", title="t")
    assert Image.open(path).size[0] > 300


def test_no_records_no_plot(tmp_path):
    assert plot_losses([], tmp_path / "none.png") is None
    assert not (tmp_path / "none.png").exists()


def test_scatter_plot_is_written(tmp_path):
    path = scatter_points(torch.randn(100, 2), tmp_path / "s.png", means=torch.eye(2))
    assert Image.open(path).size == (500, 500)
