"""bigan: the joint discriminator game trains G and E together; reconstructions in the grids."""

import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.runs.launch import resolve_config

SPEC = DataSpec("image", (1, 16, 16), 10)
TINY = ["generator.width=16", "discriminator.width=16", "encoder.width=16", "z_dim=6"]


pytestmark = pytest.mark.usefixtures("one_thread")


def build(*overrides):
    torch.manual_seed(0)
    return METHODS.get("bigan")(resolve_config("bigan", None, [*TINY, *overrides]), SPEC, "cpu")


def snapshot(net):
    return [p.detach().clone() for p in net.parameters()]


def changed(before, net):
    return any(not torch.equal(a, b) for a, b in zip(before, net.parameters()))


def test_d_step_trains_d_only_and_g_step_trains_g_and_e():
    method = build()
    G, E, D = (method.nets[k] for k in ("generator", "encoder", "discriminator"))
    real = (torch.rand(8, 1, 16, 16) * 2 - 1, torch.zeros(8))
    g0, e0, d0 = snapshot(G), snapshot(E), snapshot(D)
    method.train_step(real, update_generator=False)
    assert changed(d0, D) and not changed(g0, G) and not changed(e0, E)
    d1 = snapshot(D)
    logs = method.train_step(real, update_generator=True)
    assert changed(g0, G) and changed(e0, E)  # E learns only through D(x, E(x))
    assert changed(d1, D)
    assert torch.isfinite(logs["g_loss"]) and torch.isfinite(logs["d_loss"])


def test_g_and_e_minimise_the_discriminator_loss_with_the_pairs_swapped():
    method = build()
    for optimizer in method.optimizers.values():  # nets stay as built (a config needs lr > 0)
        for group in optimizer.param_groups:
            group["lr"] = 0.0
    G, E, D = (method.nets[k] for k in ("generator", "encoder", "discriminator"))
    x, z = torch.rand(8, 1, 16, 16) * 2 - 1, torch.rand(8, 6) * 2 - 1
    method.sample_latent = lambda n, generator=None: z
    logs = method.train_step((x, torch.zeros(8)), update_generator=True)
    with torch.no_grad():
        fake_pair, real_pair = D(G(z), z), D(x, E(x))
    softplus = torch.nn.functional.softplus
    # -log D(G(z), z) - log(1 - D(x, E(x))): G wants its pairs called real, E its pairs fake.
    expected = softplus(-fake_pair).mean() + softplus(real_pair).mean()
    assert torch.allclose(logs["g_loss"], expected, atol=1e-5)
    assert torch.allclose(logs["d_loss"], softplus(-real_pair).mean() + softplus(fake_pair).mean(),
                          atol=1e-5)  # fmt: skip


def test_gradient_penalties_see_the_joint_pair():
    method = build("regularizers=[gradient_penalty]")
    logs = method.train_step((torch.rand(8, 1, 16, 16), torch.zeros(8)), True)
    assert float(logs["gradient_penalty"]) > 0
    with pytest.raises(ConfigError, match="reads \\(x, z\\) pairs"):
        build("regularizers=[banach_gradient_penalty]")


def test_encoding_and_reconstruction_grids():
    method = build()
    assert method.encode(torch.rand(5, 1, 16, 16)).shape == (5, 6)
    data = [(torch.rand(1, 16, 16), 0) for _ in range(20)]
    inputs = method.fixed_inputs(64, torch.Generator().manual_seed(0), data)
    images, per_row = method.render(inputs)
    assert images.shape == (64, 1, 16, 16) and per_row == 8
    assert torch.equal(images[:8], inputs["real"][:8])  # real row, then its reconstructions
    assert torch.allclose(images[8:16], method.reconstruct(inputs["real"][:8]))


AUTHORS = [  # the authors' MNIST model, as the reproduce run `authors-code` sets it
    "generator.affine=false", "generator.z_skip=true", "encoder.affine=false",
    "encoder.squash=true", "discriminator.affine=false", "discriminator.joint=additive",
    "discriminator.norm=batch",
]  # fmt: skip


def test_the_authors_code_model_trains_and_reconstructs_from_the_squashed_code():
    method = build(*AUTHORS)
    logs = method.train_step((torch.rand(8, 1, 16, 16) * 2 - 1, torch.zeros(8)), True)
    assert torch.isfinite(logs["g_loss"]) and torch.isfinite(logs["d_loss"])
    x = torch.rand(5, 1, 16, 16) * 2 - 1
    features = method.encode(x)  # the nearest-neighbour features: E's linear output
    code = 2 * torch.sigmoid(features) - 1  # what G and D read
    assert torch.allclose(method.reconstruct(x), method.generate(code), rtol=1e-5, atol=1e-8)
    assert not torch.allclose(
        method.reconstruct(x), method.generate(features), rtol=1e-5, atol=1e-8
    )


def test_a_gradient_penalty_with_a_batch_normalised_discriminator_is_refused():
    with pytest.raises(ConfigError, match="per-sample.*discriminator.norm=none"):
        build("discriminator.norm=batch", "regularizers=[gradient_penalty]")
