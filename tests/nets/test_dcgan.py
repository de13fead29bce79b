import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError, UnknownNameError
from gankit.nets import build_discriminator, build_generator


@pytest.mark.parametrize("size", [16, 28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_generator_and_discriminator_shapes(size, channels):
    spec = DataSpec("image", (channels, size, size))
    G = build_generator("dcgan", 10, spec, {"width": 8})
    D = build_discriminator("dcgan", spec, {"width": 8})
    images = G(torch.randn(4, 10))
    assert images.shape == (4, channels, size, size)
    assert images.abs().max() <= 1  # tanh output
    assert D(images).shape == (4,)


def test_64px_nets_match_the_pytorch_example_widths():
    spec = DataSpec("image", (3, 64, 64))
    G = build_generator("dcgan", 100, spec, {})
    transposed = [m for m in G.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    assert [m.out_channels for m in transposed] == [512, 256, 128, 64, 3]
    D = build_discriminator("dcgan", spec, {})
    convs = [m for m in D.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [m.out_channels for m in convs] == [64, 128, 256, 512, 1]
    assert not isinstance(list(D.net)[1], torch.nn.BatchNorm2d)  # no BN on D's input layer


def test_dcgan_initialisation():
    torch.manual_seed(0)
    G = build_generator("dcgan", 100, DataSpec("image", (3, 64, 64)), {})
    weight = G.net[3].weight
    assert abs(weight.std().item() - 0.02) < 0.002 and abs(weight.mean().item()) < 0.002
    assert abs(G.net[1].weight.mean().item() - 1.0) < 0.01  # BatchNorm scale ~ N(1, 0.02)


@pytest.mark.parametrize("norm", ["batch", "layer", "none"])
def test_discriminator_norms(norm):
    D = build_discriminator("dcgan", DataSpec("image", (1, 16, 16)), {"width": 4, "norm": norm})
    kinds = {type(m).__name__ for m in D.modules()}
    assert ("BatchNorm2d" in kinds) == (norm == "batch")
    assert ("GroupNorm" in kinds) == (norm == "layer")
    assert D(torch.randn(3, 1, 16, 16)).shape == (3,)


def test_points_are_refused_by_conv_nets():
    with pytest.raises(ConfigError, match="nets=mlp"):
        build_generator("dcgan", 2, DataSpec("points", (2,)), {})


def test_unknown_net_option_suggests_the_meant_one():
    with pytest.raises(UnknownNameError, match="Did you mean 'width'"):
        build_generator("dcgan", 8, DataSpec("image", (1, 16, 16)), {"widht": 8})


def leaky_slopes(net):
    return [m.negative_slope for m in net.modules() if isinstance(m, torch.nn.LeakyReLU)]


def test_leaky_slope_reaches_every_leaky_relu_and_defaults_to_dcgans():
    spec = DataSpec("image", (1, 32, 32))  # three strided convs, each followed by a LeakyReLU
    assert leaky_slopes(build_discriminator("dcgan", spec, {"width": 4})) == [0.2] * 3
    gentle = build_discriminator("dcgan", spec, {"width": 4, "leaky_slope": 0.01})
    assert leaky_slopes(gentle) == [0.01] * 3


def test_default_leaky_slope_leaves_outputs_bit_identical():
    spec, x = DataSpec("image", (1, 16, 16)), torch.randn(4, 1, 16, 16)
    outputs = {}
    for name, options in [("default", {}), ("0.2", {"leaky_slope": 0.2}),
                          ("0.01", {"leaky_slope": 0.01})]:  # fmt: skip
        torch.manual_seed(0)
        outputs[name] = build_discriminator("dcgan", spec, {"width": 4, **options})(x)
    assert torch.equal(outputs["default"], outputs["0.2"])
    assert not torch.equal(outputs["default"], outputs["0.01"])  # same weights, other slope


@pytest.mark.parametrize("slope", [-0.1, 1.0])
def test_leaky_slopes_outside_zero_to_one_are_refused(slope):
    with pytest.raises(ConfigError, match="leaky_slope"):
        build_discriminator("dcgan", DataSpec("image", (1, 16, 16)), {"leaky_slope": slope})


def test_torch_init_keeps_pytorchs_default_initialisation():
    # PyTorch's default for a conv: kaiming_uniform(a=sqrt(5)), so U(-b, b) with b = 1/sqrt(fan_in)
    spec = DataSpec("image", (1, 28, 28))
    torch.manual_seed(0)
    D = build_discriminator("dcgan", spec, {"norm": "none", "init": "torch"})
    first = D.net[0].weight  # 64 x 1 x 4 x 4: fan_in 16, bound 0.25
    assert first.abs().max() <= 0.25 and abs(first.std().item() - 0.25 / 3**0.5) < 0.02
    torch.manual_seed(0)
    expected = torch.nn.Conv2d(1, 64, 4, 2, 1, bias=False).weight
    assert torch.equal(first, expected)  # the first layer drew as a plain nn.Conv2d would
    batch_norm_scale = build_generator("dcgan", 100, spec, {"init": "torch"}).net[1].weight
    assert torch.equal(batch_norm_scale, torch.ones_like(batch_norm_scale))  # not N(1, 0.02)
    dcgan = build_discriminator("dcgan", spec, {"norm": "none"})
    assert abs(dcgan.net[0].weight.std().item() - 0.02) < 0.005  # the default is still DCGAN's


def test_default_init_is_dcgans_bit_for_bit():
    spec = DataSpec("image", (1, 16, 16))
    nets = {}
    for name, options in [("default", {}), ("dcgan", {"init": "dcgan"})]:
        torch.manual_seed(0)
        nets[name] = build_generator("dcgan", 8, spec, {"width": 4, **options})
    for a, b in zip(nets["default"].parameters(), nets["dcgan"].parameters(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("build", ["generator", "discriminator"])
def test_unknown_init_is_refused_with_the_choices(build):
    spec = DataSpec("image", (1, 16, 16))
    with pytest.raises(ConfigError, match=r"init must be one of \['dcgan', 'torch'\]"):
        if build == "generator":
            build_generator("dcgan", 8, spec, {"init": "xavier"})
        else:
            build_discriminator("dcgan", spec, {"init": "xavier"})
