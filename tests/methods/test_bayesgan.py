"""Bayesian GAN: the summed posterior each chain steps on, posterior collection and its
checkpoint, the semi-supervised likelihoods and labelled subset, sample grids and the command
line. The SGHMC step itself: test_sghmc.py."""

import io
import math

import pytest
import torch
import torch.nn.functional as F

from gankit.core.spec import DataSpec
from gankit.data.base import TensorDataset
from gankit.errors import ConfigError
from gankit.methods import METHODS, semi_supervised
from gankit.runs.launch import resolve_config

POINTS = DataSpec("points", (2,), num_classes=4)
IMAGES = DataSpec("image", (1, 16, 16), num_classes=10)
TINY_MLP = ["nets=mlp", "generator.hidden=[8]", "discriminator.hidden=[8]", "z_dim=3"]


def build(overrides=(), spec=POINTS, method="bayesgan"):
    cfg = resolve_config(method, None, [*TINY_MLP, *overrides])
    torch.manual_seed(0)
    return METHODS.get(method)(cfg, spec, "cpu")


def toy_data(n=64, spec=POINTS):
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(n, *spec.shape, generator=generator)
    labels = torch.arange(n) % spec.num_classes
    return TensorDataset(x, labels, spec.kind, spec.num_classes)


# ---------------------------------------------------------------------------------- posterior


def test_paper_defaults_and_chain_counts():
    cfg = resolve_config("bayesgan", None, [])
    bayes = cfg.bayes
    assert (bayes.generators, bayes.discriminators, bayes.mcmc) == (10, 1, 2)
    assert (bayes.friction, bayes.prior_std**2) == (0.01, pytest.approx(10))
    assert bayes.lr == pytest.approx(2e-4)  # per example: eta = lr / n
    assert (bayes.generator_observed, bayes.observed) == (0, 0)  # both: the training set
    # ssgan: the maximum-likelihood (single-sample) baseline of the same model
    ssgan = resolve_config("ssgan", None, []).bayes
    assert (ssgan.generators, ssgan.discriminators, ssgan.mcmc) == (1, 1, 1)
    assert ssgan.maximum_likelihood and (ssgan.friction, ssgan.lr) == (bayes.friction, bayes.lr)
    method = build(["bayes.generators=3", "bayes.discriminators=2", "bayes.mcmc=2"])
    assert len(method.nets["generator"].chains) == 6
    assert len(method.nets["discriminator"].chains) == 4


def test_one_step_updates_every_chain_and_the_likelihood_scale_comes_from_the_data():
    method = build(["bayes.generators=2", "bayes.mcmc=2"])
    data = toy_data()
    with pytest.raises(ConfigError, match="use_dataset"):
        method.train_step(data.tensors, True)
    method.use_dataset(data)
    assert method.observed == {"generator": len(data), "discriminator": len(data)}
    fixed = build(["bayes.observed=500", "bayes.generator_observed=1000"])
    fixed.use_dataset(data)  # the config's counts win over the data set's size
    assert fixed.observed == {"generator": 1000, "discriminator": 500}
    eta = {name: opt.param_groups[0]["lr"] for name, opt in fixed.optimizers.items()}
    assert eta == pytest.approx({"generator": 2e-4 / 1000, "discriminator": 2e-4 / 500})
    before = [[p.clone() for p in c.parameters()] for c in method.nets["generator"].chains]
    logs = method.train_step(data.tensors, True)
    for chain, old in zip(method.nets["generator"].chains, before):
        assert any(not torch.equal(p, q) for p, q in zip(chain.parameters(), old))
    assert {"d_loss", "g_loss", "posterior_samples"} <= set(logs)


def test_each_chain_steps_on_the_sum_of_its_conditional_log_posteriors():
    """Algorithm 1: grad of sum_i sum_k (N / m) sum_minibatch log-lik, plus J_g J_d log priors."""
    jg, jd, n, m = 2, 2, 64, 8
    method = build([f"bayes.generators={jg}", f"bayes.discriminators={jd}", "bayes.mcmc=1"])
    data = toy_data(n)
    method.use_dataset(data)
    real = data.tensors[0][:m]
    for optimizer in method.optimizers.values():
        assert optimizer.param_groups[0]["prior_terms"] == jg * jd
        optimizer.step = lambda: None  # keep the weights, and grad U in p.grad
    torch.manual_seed(3)
    method.train_step((real, data.tensors[1][:m]), True)
    torch.manual_seed(3)  # the same noise again: J_d minibatches for D's step, then J_g for G's
    z_d = (torch.rand(jd * m, 3) * 2 - 1).split(m)
    z_g = (torch.rand(jg * m, 3) * 2 - 1).split(m)
    generators = method.nets["generator"].chains
    discriminators = method.nets["discriminator"].chains
    scale = n / m  # each minibatch sum stands for the whole data set

    def assert_gradient(net, potential):
        expected = torch.autograd.grad(potential, list(net.parameters()))
        for p, g in zip(net.parameters(), expected):
            assert torch.allclose(p.grad, g, rtol=1e-4, atol=1e-5)

    for d in discriminators:  # -log D(x) and -log(1 - D(G(z))): softplus(-f), softplus(f)
        potential = sum(
            scale * F.softplus(-d(real)).sum() + scale * F.softplus(d(g(z).detach())).sum()
            for z in z_d
            for g in generators
        )
        assert_gradient(d, potential)
    for g in generators:  # -log D(G(z))
        potential = sum(scale * F.softplus(-d(g(z))).sum() for z in z_g for d in discriminators)
        assert_gradient(g, potential)


def collecting_method():
    method = build(["bayes.generators=2", "bayes.mcmc=1", "bayes.burn_in=2",
                    "bayes.collect_every=2", "bayes.keep=2"])  # fmt: skip
    method.use_dataset(toy_data())
    return method


def test_posterior_samples_are_collected_after_burn_in_and_the_oldest_dropped():
    method = collecting_method()
    data = toy_data().tensors
    posterior = method.nets["generator"]
    method.train_step(data, True)
    assert posterior.collected == [] and posterior.pool_size() == 2  # live chains until then
    method.train_step(data, True)  # iteration 2 = burn-in: first collection
    snapshot = [{k: v.clone() for k, v in c.state_dict().items()} for c in posterior.chains]
    assert len(posterior.collected) == 2
    for _ in range(4):  # collections at iterations 4 and 6; keep=2 drops the one of iteration 2
        method.train_step(data, True)
    assert len(posterior.collected) == 4 and posterior.pool_size() == 4
    assert not torch.equal(posterior.collected[0]["net.0.weight"], snapshot[0]["net.0.weight"])
    # a latent's u picks the pool member: u in [0, 1/4) is the oldest kept sample
    z = torch.randn(5, 3)
    latent = torch.cat([z, torch.full((5, 1), 0.1)], dim=1)
    member = torch.func.functional_call(posterior.chains[0], posterior.collected[0], (z,))
    assert torch.allclose(method.generate(latent), member)


def test_all_collected_samples_survive_save_and_weights_only_load():
    method = collecting_method()
    data = toy_data().tensors
    for _ in range(4):
        method.train_step(data, True)
    buffer = io.BytesIO()
    torch.save(method.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    fresh = build(["bayes.generators=2", "bayes.mcmc=1"])
    fresh.load_state_dict(state, nets_only=True)
    assert fresh.iterations == 4
    for name, count in (("generator", 4), ("discriminator", 2)):  # 2 collections
        saved, loaded = method.nets[name].collected, fresh.nets[name].collected
        assert len(saved) == len(loaded) == count
        for a, b in zip(saved, loaded):
            assert all(torch.equal(a[k], b[k]) for k in a)
    latent = method.sample_latent(50, torch.Generator().manual_seed(3))
    assert torch.equal(method.generate(latent), fresh.generate(latent))
    x = torch.randn(6, 2)
    assert torch.allclose(method.nets["discriminator"](x), fresh.nets["discriminator"](x))


def test_maximum_likelihood_mode_never_collects():
    method = build(["bayes.generators=1", "bayes.discriminators=1", "bayes.mcmc=1",
                    "bayes.maximum_likelihood=true", "bayes.burn_in=0"])  # fmt: skip
    method.use_dataset(toy_data())
    method.train_step(toy_data().tensors, True)
    assert method.nets["generator"].collected == []
    assert method.optimizers["generator"].param_groups[0]["noise"] is False


def test_sample_grids_show_one_generator_sample_per_row():
    cfg = resolve_config("bayesgan", None, ["generator.width=4", "discriminator.width=4",
                                            "z_dim=4", "bayes.generators=3", "bayes.mcmc=1"])  # fmt: skip
    method = METHODS.get("bayesgan")(cfg, IMAGES, "cpu")
    inputs = method.fixed_inputs(16, torch.Generator().manual_seed(0))
    images, columns = method.render(inputs, None)
    assert columns == 4 and images.shape == (12, 1, 16, 16)  # 3 generators x 4 noise columns
    rows = images.view(3, 4, -1)
    direct = method.generate(torch.cat([inputs[:4], torch.full((4, 1), 0.5)], 1))
    assert torch.allclose(rows[1], direct.view(4, -1))  # the middle row is generator 2 of 3
    assert not torch.allclose(rows[0], rows[1])


def test_an_empty_latent_batch_gives_an_empty_image_batch():
    method = build(["bayes.generators=2", "bayes.mcmc=1"])
    images = method.generate(method.sample_latent(0))
    assert images.shape == (0, 2)


def test_interpolation_walks_the_noise_and_keeps_the_generator_sample():
    method = build(["bayes.generators=2", "bayes.mcmc=1"])
    start = method.sample_latent(2, torch.Generator().manual_seed(0))
    end = method.sample_latent(2, torch.Generator().manual_seed(1))
    path = method.interpolate_latents(start, end, 5)
    assert path.shape == (2, 5, 4)
    assert torch.allclose(path[:, 0], start) and torch.allclose(path[:, -1, :3], end[:, :3])
    assert torch.equal(path[:, :, 3], start[:, None, 3].expand(2, 5))


def test_ema_and_fp16_are_refused_with_a_reason():
    with pytest.raises(ConfigError, match="ema"):
        build(["train.ema.enabled=true"])
    with pytest.raises(ConfigError, match="bf16"):
        build(["train.amp=fp16"])


# ---------------------------------------------------------------------------------- semi-supervised


def test_semi_supervised_likelihoods_on_constructed_logits():
    k = 4
    zeros = torch.zeros(1, k + 1)  # every one of the K + 1 outcomes equally likely
    assert torch.allclose(
        semi_supervised.real_log_likelihood(zeros), torch.log(torch.tensor([k / (k + 1)]))
    )
    assert torch.allclose(
        semi_supervised.generated_log_likelihood(zeros), torch.log(torch.tensor([1 / (k + 1)]))
    )
    assert torch.allclose(
        semi_supervised.labelled_log_likelihood(zeros, torch.tensor([2])), torch.log(torch.tensor([1 / (k + 1)]))
    )  # fmt: skip
    big = 30.0
    real = torch.tensor([[0.0, big, 0, 0, 0]])  # confident: class 1
    fake = torch.tensor([[big, 0.0, 0, 0, 0]])  # confident: generated
    labelled = torch.tensor([[0.0, 0, 0, big, 0]])  # confident: class 3 (label 2)
    perfect = semi_supervised.discriminator_loss(real, fake, labelled, torch.tensor([2]))
    assert perfect.item() == pytest.approx(0.0, abs=1e-6)
    wrong = semi_supervised.discriminator_loss(fake, real, labelled, torch.tensor([0]))
    # real taken as generated (log K - big), generated as real (-big), wrong label (-big)
    assert wrong.item() == pytest.approx(3 * big - math.log(k), abs=1e-3)
    assert semi_supervised.generator_loss(fake).item() == pytest.approx(big - math.log(k), abs=1e-3)
    assert semi_supervised.generator_loss(real).item() == pytest.approx(0.0, abs=1e-6)
    probabilities = semi_supervised.class_probabilities(real)
    assert probabilities.shape == (1, k) and probabilities.argmax() == 0


def test_labelled_subset_is_balanced_and_reproducible_by_seed():
    labels = torch.arange(1000) % 10
    a = semi_supervised.balanced_subset(labels, 100, 10, seed=0)
    assert torch.equal(a, semi_supervised.balanced_subset(labels, 100, 10, seed=0))
    assert not torch.equal(a, semi_supervised.balanced_subset(labels, 100, 10, seed=1))
    assert torch.bincount(labels[a], minlength=10).tolist() == [10] * 10
    with pytest.raises(ConfigError, match="multiple of the 10 classes"):
        semi_supervised.balanced_subset(labels, 105, 10, seed=0)


def test_semi_supervised_discriminator_has_k_plus_one_outputs_and_classifies_by_its_pool():
    method = build(["semi.labels=8", "bayes.generators=1", "bayes.discriminators=2",
                    "bayes.mcmc=1"])  # fmt: skip
    method.use_dataset(toy_data())
    images, labels = method.labelled
    assert torch.bincount(labels, minlength=4).tolist() == [2, 2, 2, 2]
    chains = method.nets["discriminator"].chains
    x = torch.randn(5, 2)
    assert chains[0](x).shape == (5, 5)
    method.train_step(toy_data().tensors, True)
    expected = sum(semi_supervised.class_probabilities(c.eval()(x)) for c in chains) / 2
    assert torch.allclose(method.class_probabilities(x), expected.detach(), atol=1e-6)


def test_semi_supervised_needs_labels():
    with pytest.raises(ConfigError, match="labelled dataset"):
        build(["semi.labels=10"], spec=DataSpec("points", (2,)))


# ---------------------------------------------------------------------------------- CLI


CLI_TINY = ["data.image_size=8", "data.batch_size=8", *TINY_MLP, "train.progress=false",
            "train.tensorboard=false", "train.num_samples=8"]  # fmt: skip


def test_bayesgan_and_ssgan_train_from_the_cli_and_report_accuracy(cli, tmp_path, capsys):
    out = str(tmp_path)
    assert cli("train", "bayesgan", "--steps", 3, "--out", out, "--name", "u", *CLI_TINY,
               "bayes.generators=2", "bayes.burn_in=2", "bayes.collect_every=1") == 0  # fmt: skip
    state = torch.load(tmp_path / "bayesgan/u/checkpoints/last.pt", weights_only=True)
    assert len(state["method_state"]["posterior"]["generators"]) == 2 * 2 * 2  # 2 collections
    assert cli("sample", tmp_path / "bayesgan/u", "-n", 8) == 0
    assert cli("train", "ssgan", "--steps", 2, "--out", out, "--name", "s", *CLI_TINY,
               "semi.labels=20") == 0  # fmt: skip
    assert cli("accuracy", tmp_path / "ssgan/s", "--split", "train") == 0
    assert "ssgan (20 labels): accuracy" in capsys.readouterr().out


def test_bayesgan_resumes_exactly(cli, tmp_path):
    args = [*CLI_TINY, "--out", str(tmp_path), "bayes.generators=2", "bayes.burn_in=1",
            "bayes.collect_every=1", "bayes.keep=2", "semi.labels=20",
            "train.checkpoint_every=2"]  # fmt: skip
    assert cli("train", "bayesgan", "--steps", 3, "--name", "whole", *args) == 0
    assert cli("train", "bayesgan", "--steps", 2, "--name", "cut", *args) == 0
    assert cli("train", "--resume", tmp_path / "bayesgan/cut", "--steps", 3) == 0
    whole, cut = (
        torch.load(tmp_path / f"bayesgan/{name}/checkpoints/last.pt", weights_only=True)
        for name in ("whole", "cut")
    )
    a, b = whole["method_state"], cut["method_state"]
    for name in ("generator", "discriminator"):
        assert all(torch.equal(a["nets"][name][k], b["nets"][name][k]) for k in a["nets"][name])
    for x, y in zip(a["posterior"]["generators"], b["posterior"]["generators"]):
        assert all(torch.equal(x[k], y[k]) for k in x)
