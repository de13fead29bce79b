"""The GAN method (gankit.methods.gan): latents, sampling, interpolation, mixed precision, and
the variants that refuse fresh_noise."""

import pytest
import torch
from gan_helpers import batch, build

from gankit.core.spec import DataSpec
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.runs.launch import resolve_config


def test_latents_follow_the_configured_prior():
    uniform = build("dcgan")  # DCGAN draws z uniformly, as in the paper
    z = uniform.sample_latent(2000, torch.Generator().manual_seed(0))
    assert z.min() >= -1 and z.max() <= 1 and z.shape == (2000, 8)
    normal = build("dcgan", ["latent=normal"])
    z = normal.sample_latent(2000, torch.Generator().manual_seed(0))
    assert z.abs().max() > 2


def test_sampling_with_a_cpu_generator_is_reproducible():
    method = build()
    a = method.generate(method.sample_latent(4, torch.Generator().manual_seed(3)))
    b = method.generate(method.sample_latent(4, torch.Generator().manual_seed(3)))
    assert torch.equal(a, b) and a.shape == (4, 1, 16, 16)
    assert method.nets["generator"].training  # generate() restores train mode


def test_interpolation_endpoints():
    method = build("dcgan", ["latent=normal"])
    start, end = torch.randn(3, 8), torch.randn(3, 8)
    path = method.interpolate_latents(start, end, 5)
    assert path.shape == (3, 5, 8)
    assert torch.allclose(path[:, 0], start, atol=1e-5) and torch.allclose(
        path[:, -1], end, atol=1e-5
    )


def test_fp16_needs_cuda():
    with pytest.raises(ConfigError, match="CUDA"):
        build("dcgan", ["train.amp=fp16"])


def test_bf16_autocast_runs_on_cpu():
    method = build("dcgan", ["train.amp=bf16"])
    logs = method.train_step(batch(), update_generator=True)
    assert torch.isfinite(logs["g_loss"])


@pytest.mark.parametrize("name", ["cgan", "bigan", "lapgan"])
def test_methods_that_draw_their_noise_once_refuse_fresh_noise(name):
    cfg = resolve_config(name, None, ["fresh_noise=true"])
    with pytest.raises(ConfigError, match=f"{name} reuses .* set fresh_noise=false"):
        METHODS.get(name)(cfg, DataSpec("image", (1, 16, 16), 10), "cpu")
