import torch

from gankit.core.spec import DataSpec
from gankit.nets import build_discriminator, build_generator
from gankit.nets.mlp import Maxout


def test_points_generator_is_linear_and_images_are_tanh():
    points = build_generator("mlp", 2, DataSpec("points", (2,)), {"hidden": [16]})
    with torch.no_grad():
        out = points(torch.randn(256, 2) * 100)
    assert out.shape == (256, 2) and out.abs().max() > 1  # no squashing for points
    images = build_generator("mlp", 2, DataSpec("image", (1, 8, 8)), {"hidden": [16]})
    out = images(torch.randn(5, 2) * 100)
    assert out.shape == (5, 1, 8, 8) and out.abs().max() <= 1


def test_discriminator_flattens_and_returns_one_logit_per_sample():
    D = build_discriminator("mlp", DataSpec("image", (1, 8, 8)), {"hidden": [16, 16]})
    assert D(torch.randn(3, 1, 8, 8)).shape == (3,)


def test_maxout_keeps_the_largest_piece():
    layer = Maxout(2, 1, pieces=3)
    with torch.no_grad():
        layer.linear.weight.copy_(torch.tensor([[1.0, 0], [0, 1.0], [-1.0, 0]]))
        layer.linear.bias.zero_()
    out = layer(torch.tensor([[2.0, 5.0], [-3.0, 1.0]]))
    assert out.squeeze(1).tolist() == [5.0, 3.0]


def test_maxout_and_dropout_options_build():
    D = build_discriminator(
        "mlp", DataSpec("points", (2,)), {"hidden": [8], "maxout_pieces": 5, "dropout": 0.5}
    )
    assert any(isinstance(m, Maxout) for m in D.modules())
    assert any(isinstance(m, torch.nn.Dropout) for m in D.modules())
