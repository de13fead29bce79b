"""Class outputs on registered discriminators: K + 1 logits from the same trunk."""

import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.nets import build_discriminator
from gankit.nets.heads import ClassOutputs

TINY = {"mlp": {"hidden": [16]}, "dcgan": {"width": 8}, "infogan": {"width": 8}}


@pytest.mark.parametrize("nets", sorted(TINY))
def test_class_outputs_have_one_logit_per_output_and_keep_the_trunk(nets):
    spec = DataSpec("image", (1, 16, 16), 10)
    D = build_discriminator(nets, spec, TINY[nets])
    trunk = {name for name, _ in D.named_parameters()}
    classes = ClassOutputs(D, 11)
    logits = classes(torch.rand(5, 1, 16, 16))
    assert logits.shape == (5, 11) and classes.output_kind == "classes"
    logits.sum().backward()
    body = {name for name, p in classes.body.named_parameters() if p.grad is not None}
    assert body and body < trunk  # the old scoring layer is gone, the rest is trained


def test_a_discriminator_without_a_scoring_layer_is_refused():
    with pytest.raises(ConfigError, match="no final Linear or Conv2d"):
        ClassOutputs(torch.nn.Sequential(torch.nn.Linear(4, 3)), 11)
