"""Class-conditional wrappers around the registered nets: shapes, and that labels matter."""

import copy

import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets.conditional import (
    ConcatDiscriminator,
    ConditionalBatchNorm,
    _output_layer,
    build_conditional_discriminator,
    build_conditional_generator,
)

SPEC = DataSpec("image", (1, 16, 16), 10)
OPTIONS = {"dcgan": {"width": 8}, "resnet": {"width": 8}, "mlp": {"hidden": [16]}}
LABELS = torch.tensor([0, 3, 9, 3])


@pytest.mark.parametrize("nets", ["dcgan", "resnet", "mlp"])
@pytest.mark.parametrize("conditioning", ["embedding", "batchnorm"])
def test_conditional_generators_make_images_that_depend_on_the_label(nets, conditioning):
    if nets == "mlp" and conditioning == "batchnorm":
        with pytest.raises(ConfigError, match="has none.*generator_conditioning=embedding"):
            build_conditional_generator(nets, 8, SPEC, 10, conditioning, OPTIONS[nets])
        return
    torch.manual_seed(0)
    G = build_conditional_generator(nets, 8, SPEC, 10, conditioning, OPTIONS[nets]).eval()
    if conditioning == "batchnorm":  # start from trained-looking, class-specific scales
        for norm in G.norms:
            torch.nn.init.normal_(norm.scale.weight, 1.0, 0.5)
    z = torch.randn(1, 8).expand(4, -1)
    images = G(z, LABELS)
    assert images.shape == (4, 1, 16, 16)
    assert torch.allclose(images[1], images[3])  # same z, same label
    assert not torch.allclose(images[0], images[1], atol=1e-4)  # same z, other label


def test_batchnorm_generator_replaces_every_batchnorm_and_survives_a_deep_copy():
    G = build_conditional_generator("dcgan", 8, SPEC, 10, "batchnorm", {"width": 8})
    plain = [m for m in G.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    assert all(m.affine is False for m in plain)  # only the normalising halves remain
    assert len(G.norms) == len(plain) and all(isinstance(n, ConditionalBatchNorm) for n in G.norms)
    clone = copy.deepcopy(G).eval()  # the EMA copies the generator this way
    G.eval()
    z = torch.randn(4, 8)
    assert torch.equal(clone(z, LABELS), G(z, LABELS))
    assert all(norm.labels is None for norm in G.norms)  # labels do not outlive the call


@pytest.mark.parametrize("nets", ["dcgan", "resnet", "mlp"])
def test_concat_discriminator_sees_one_hot_label_planes(nets):
    D = build_conditional_discriminator(nets, SPEC, 10, "concat", OPTIONS[nets])
    assert isinstance(D, ConcatDiscriminator)
    seen = []
    D.inner.register_forward_pre_hook(lambda module, inputs: seen.append(inputs[0]))
    x = torch.rand(4, 1, 16, 16) * 2 - 1
    assert D(x, LABELS).shape == (4,)
    assert seen[0].shape == (4, 11, 16, 16)
    assert torch.equal(seen[0][:, 1:].argmax(dim=1)[:, 0, 0], LABELS)


@pytest.mark.parametrize("nets", ["dcgan", "resnet", "mlp"])
def test_projection_adds_the_inner_product_of_label_embedding_and_features(nets):
    D = build_conditional_discriminator(nets, SPEC, 10, "projection", OPTIONS[nets]).eval()
    features = []
    _output_layer(D.inner).register_forward_pre_hook(lambda m, inputs: features.append(inputs[0]))
    x = torch.rand(4, 1, 16, 16) * 2 - 1
    score = D(x, LABELS)
    phi = features[0].flatten(2).sum(dim=2) if features[0].dim() > 2 else features[0]
    expected = D.inner(x) + (D.embedding(LABELS) * phi).sum(dim=1)  # Eq. 3: psi + y^T V phi
    assert score.shape == (4,)
    assert torch.allclose(score, expected, atol=1e-5)
    assert not torch.allclose(D(x, LABELS), D(x, (LABELS + 1) % 10))


def test_projection_refuses_an_energy_discriminator():
    with pytest.raises(ConfigError, match="conditioning=concat"):
        build_conditional_discriminator(
            "began", SPEC, 10, "projection", {"filters": 4, "hidden": 8}
        )
