"""infogan: the information term, the latent layout, and a Q loss that falls while training."""

import math

import pytest
import torch

from gankit.core.spec import DataSpec
from gankit.methods import METHODS
from gankit.runs.launch import resolve_config

SPEC = DataSpec("image", (1, 16, 16), 10)
TINY = ["generator.width=8", "discriminator.width=8", "z_dim=6"]


pytestmark = pytest.mark.usefixtures("one_thread")


def build(*overrides):
    torch.manual_seed(0)
    cfg = resolve_config("infogan", None, [*TINY, *overrides])
    return METHODS.get("infogan")(cfg, SPEC, "cpu")


def test_paper_defaults():
    cfg = resolve_config("infogan", None, [])
    assert (cfg.z_dim, cfg.categorical, cfg.continuous) == (62, [10], 2)
    assert (cfg.lambda_categorical, cfg.lambda_continuous) == (1.0, 1.0)
    assert (cfg.optim.discriminator.lr, cfg.optim.generator.lr) == (2e-4, 1e-3)


def test_latent_layout_and_q_head_size():
    method = build()
    latent = method.sample_latent(5, torch.Generator().manual_seed(0))
    assert latent.shape == (5, 6 + 10 + 2)
    assert torch.equal(latent[:, 6:16].sum(dim=1), torch.ones(5))  # one-hot category
    assert latent[:, 16:].abs().max() <= 1  # continuous codes in [-1, 1]
    _, q = method.nets["discriminator"].score_and_q(torch.rand(5, 1, 16, 16))
    assert q.shape == (5, 10 + 2)  # logits, and the means of N(mu, 1)
    assert build("fix_std=false").nets["discriminator"].q[-1].out_features == 10 + 2 * 2


def test_a_perfect_q_reaches_the_entropy_of_the_code():
    method = build()
    latent = method.sample_latent(64)
    categories, continuous = method.split(latent)
    perfect = torch.cat([100 * torch.nn.functional.one_hot(categories[0], 10), continuous], 1)
    _, logs = method.information(perfect.float(), latent)
    assert logs["mi_categorical"] == pytest.approx(math.log(10), abs=1e-4)
    assert logs["q_continuous"] == pytest.approx(2 * 0.5 * math.log(2 * math.pi), abs=1e-4)


def test_q_loss_falls_on_a_tiny_run():
    # Faster Q (D's optimizer) and G than the paper's, so that 50 steps show the trend.
    method = build(
        "optim.discriminator.lr=1e-3", "optim.generator.lr=2e-3", "discriminator.width=16"
    )
    data = torch.rand(64, 1, 16, 16) * 2 - 1
    losses = []
    for step in range(50):
        logs = method.train_step((data[(step % 4) * 16 :][:16], torch.zeros(16)), True)
        losses.append(float(logs["q_loss"]))
    first, last = sum(losses[:10]) / 10, sum(losses[-10:]) / 10
    assert last < 0.92 * first  # its floor is 2 x 0.92 nats (the two N(mu, 1) codes), not 0
    assert float(logs["mi_categorical"]) > 0.2  # nats, of log 10 = 2.30 at most


def test_traversal_rows_are_categories_and_columns_the_code():
    method = build()
    latent, columns = method.traversal("c2", -2.0, 2.0, 5, torch.Generator().manual_seed(0))
    assert columns == 5 and latent.shape == (50, 18)
    grid = latent.view(10, 5, 18)
    assert torch.equal(grid[:, :, 6:16].argmax(dim=2), torch.arange(10)[:, None].expand(10, 5))
    assert torch.allclose(grid[3, :, 17], torch.linspace(-2, 2, 5))  # c2 runs along a row
    assert torch.equal(grid[:, :, 16], torch.zeros(10, 5))  # the other code is held at 0
    assert torch.equal(grid[:, :, :6], grid[:1, :1, :6].expand(10, 5, 6))  # one noise vector
    latent, columns = method.traversal("cat1", -2.0, 2.0, 5, torch.Generator().manual_seed(0))
    assert columns == 10
    assert torch.equal(latent.view(10, 10, 18)[:, :, 6:16].argmax(2)[4], torch.arange(10))


def test_q_encodes_and_classifies_images():
    method = build()
    codes = method.encode(torch.rand(7, 1, 16, 16))
    assert codes.shape == (7, 12)
    assert torch.allclose(codes[:, :10].sum(dim=1), torch.ones(7))
    assert method.infer_categories(torch.rand(7, 1, 16, 16)).shape == (7,)


def test_the_authors_code_variant_draws_new_codes_for_g_and_leaks_less():
    """fresh_noise: G's step (and its information term) on new noise and codes, as the authors'
    trainer does with two session runs; leaky_slope: their leaky_rectify's 0.01."""
    method = build("fresh_noise=true", "discriminator.leaky_slope=0.01")
    slopes = {
        m.negative_slope
        for m in method.nets["discriminator"].modules()
        if isinstance(m, torch.nn.LeakyReLU)
    }
    assert slopes == {0.01}
    seen = []
    method.nets["generator"].register_forward_pre_hook(lambda _, args: seen.append(args[0]))
    data = (torch.rand(8, *SPEC.shape) * 2 - 1, torch.zeros(8, dtype=torch.long))
    logs = method.train_step(data, update_generator=True)
    assert len(seen) == 2 and not torch.equal(seen[0], seen[1])
    assert torch.isfinite(logs["g_loss"]) and "mi_categorical" in logs
    default = build()
    assert {m.negative_slope for m in default.nets["discriminator"].modules()
            if isinstance(m, torch.nn.LeakyReLU)} == {0.1}  # fmt: skip
    seen_default = []
    default.nets["generator"].register_forward_pre_hook(
        lambda _, args: seen_default.append(args[0])
    )
    default.train_step(data, update_generator=True)
    assert len(seen_default) == 1  # the default reuses D's batch
