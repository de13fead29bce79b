"""DDP set-up in one process: data shards, the wrapping of every recipe, and what is refused.

A one-process gloo group is enough for DDP's gradient hooks, so these tests see exactly which
nets are synchronised in which step; tests/training/test_ddp_runs.py runs real 2-process jobs.
"""

from types import SimpleNamespace

import pytest
import torch
import torch.distributed as dist
from torch import nn

from gankit.core.spec import DataSpec
from gankit.data.base import PairedTensorDataset, TensorDataset
from gankit.errors import ConfigError, DistributedError
from gankit.methods import METHODS
from gankit.methods.gan import GAN
from gankit.runs.launch import resolve_config
from gankit.training.batches import BatchStream
from gankit.training.distributed import Distributed, Replicas, rank_seed, weights_fingerprint

CPU = torch.device("cpu")


def points(n):
    return TensorDataset(torch.arange(n).float().view(n, 1), torch.arange(n), kind="points")


def epoch_labels(stream):
    return torch.cat([next(stream)[1] for _ in range(stream.batches_per_epoch)]).tolist()


def test_one_process_keeps_the_permutation_of_seed_and_epoch():
    stream = BatchStream(points(10), 5, seed=3, device=CPU)
    for epoch in range(2):
        generator = torch.Generator().manual_seed(3 * 1_000_003 + epoch)
        assert epoch_labels(stream) == torch.randperm(10, generator=generator).tolist()


def test_ranks_read_disjoint_shards_of_the_same_permutation():
    streams = [BatchStream(points(12), 2, 7, CPU, rank=r, world_size=3) for r in range(3)]
    assert [s.batches_per_epoch for s in streams] == [2, 2, 2]
    for _ in range(2):  # two epochs: each a new permutation, split three ways
        shards = [epoch_labels(s) for s in streams]
        assert sorted(sum(shards, [])) == list(range(12))
    assert [s.state_dict() for s in streams] == [{"epoch": 1, "index": 2}] * 3


def test_an_uneven_dataset_is_padded_so_every_rank_has_as_many_batches():
    streams = [BatchStream(points(11), 3, 0, CPU, rank=r, world_size=2) for r in range(2)]
    assert [s.sampler.num_samples for s in streams] == [6, 6]
    assert [s.batches_per_epoch for s in streams] == [2, 2]


def test_a_shard_smaller_than_a_batch_is_refused_with_the_count_per_process():
    with pytest.raises(Exception, match="5 per process.*data.batch_size"):
        BatchStream(points(10), 8, 0, CPU, rank=0, world_size=2)


def test_a_resumed_shard_continues_where_it_stopped():
    reference = BatchStream(points(20), 2, 1, CPU, rank=1, world_size=2)
    expected = [next(reference)[1].tolist() for _ in range(8)]
    first = BatchStream(points(20), 2, 1, CPU, rank=1, world_size=2)
    for _ in range(6):
        next(first)
    resumed = BatchStream(points(20), 2, 1, CPU, rank=1, world_size=2)
    resumed.load_state_dict(first.state_dict())
    assert [next(resumed)[1].tolist() for _ in range(2)] == expected[6:]


def test_one_process_session_collectives_are_the_identity():
    session = Distributed()
    assert not session.enabled and session.is_main
    assert session.on_main(lambda: 4) == 4 and session.main_first(lambda: 5) == 5
    assert session.any(True) and not session.any(False)
    logs = {"d_loss": torch.tensor(0.5)}
    assert session.mean(logs) is logs and session.gather("x") == ["x"]
    assert session.describe() == {}
    assert rank_seed(3, 0) == 3 and len({rank_seed(s, r) for s in range(3) for r in range(4)}) == 12


def test_weights_fingerprint_tells_equal_weights_from_unequal():
    torch.manual_seed(0)
    nets = {"generator": nn.Linear(3, 2), "discriminator": nn.Linear(2, 1)}
    same = {k: nn.Linear(v.in_features, v.out_features) for k, v in nets.items()}
    for k in nets:
        same[k].load_state_dict(nets[k].state_dict())
    assert weights_fingerprint(nets) == weights_fingerprint(same)
    with torch.no_grad():
        same["discriminator"].bias.add_(1e-7)
    assert weights_fingerprint(nets) != weights_fingerprint(same)


# ----------------------------------------------------------------------------- DDP wrapping


@pytest.fixture(scope="module")
def process_group(tmp_path_factory):
    """A real one-process group (as torchrun's: gloo, plus NCCL for CUDA tensors where built in):
    DDP's reducer and hooks run as they do on N processes."""
    store = tmp_path_factory.mktemp("pg") / "store"
    backend = "cpu:gloo,cuda:nccl" if dist.is_nccl_available() else "gloo"
    dist.init_process_group(backend, init_method=f"file://{store}", rank=0, world_size=1)
    yield
    dist.destroy_process_group()


TINY = {
    "mlp": ["generator.hidden=[16]", "discriminator.hidden=[16]"],
    "dcgan": ["generator.width=8", "discriminator.width=8"],
    "resnet": ["generator.width=8", "discriminator.width=8"],
    "began": ["generator.filters=8", "discriminator.filters=8", "discriminator.hidden=8"],
}
IMAGES_16 = TensorDataset(torch.rand(8, 1, 16, 16) * 2 - 1, None, kind="image")
RECIPES = ["gan", "dcgan", "wgan", "wgan-gp", "sngan", "lsgan", "began", "dragan", "banach-wgan"]


def build(name, extra=()):
    nets = METHODS.get(name).config_class().nets
    cfg = resolve_config(name, None, ["z_dim=8", *TINY[nets], *extra])
    torch.manual_seed(0)
    return METHODS.get(name)(cfg, IMAGES_16.spec, "cpu")


def count_syncs(replicas):
    """Register a counting all-reduce hook on every DDP wrapper: name -> number of syncs."""
    counts = {}
    for name, wrapper in replicas.wrapped.items():
        counts[name] = 0

        def hook(state, bucket, name=name):
            counts[name] += 1
            return (
                dist.all_reduce(bucket.buffer(), async_op=True)
                .get_future()
                .then(lambda f: f.value()[0])
            )

        wrapper.register_comm_hook(None, hook)
    return counts


@pytest.mark.parametrize("name", RECIPES)
def test_every_recipe_syncs_each_net_once_per_update_and_never_the_frozen_one(name, process_group):
    method = build(name)
    replicas = Replicas(method, wrap=True)
    syncs = count_syncs(replicas)
    plain = dict(method.nets)
    batch = IMAGES_16.tensors
    with replicas.active():
        assert all(isinstance(n, nn.parallel.DistributedDataParallel) for n in method.nets.values())
        for _ in range(2):  # two steps with n_critic = 3: two D-only updates, then D and G
            for i in range(3):
                logs = method.train_step(batch, update_generator=i == 2)
    assert method.nets == plain  # outside train_step the method sees its own nets
    assert all(torch.isfinite(v) for v in logs.values())
    # Six discriminator updates and two generator updates, each one all-reduce of one bucket:
    # the discriminator, frozen during the generator's step, is never synchronised there.
    assert syncs == {"discriminator": 6, "generator": 2}


TINY_I2I = {
    "pix2pix": ["generator={width: 4}", "discriminator={width: 4, receptive_field: 16}"],
    "stargan": ["generator={blocks: 1, width: 4}", "discriminator={width: 4}"],
    "cyclegan": ["generator={width: 4}", "discriminator={width: 4}"],
}  # fmt: skip


def image_to_image(name):
    """A method with more nets than one G and one D, on tiny in-memory images, and a batch."""
    torch.manual_seed(0)
    cfg = resolve_config(name, None, TINY_I2I[name])
    images = torch.rand(4, 1, 32, 32) * 2 - 1
    if name == "pix2pix":
        pairs = PairedTensorDataset(images, images.flip(-1))
        return METHODS.get(name)(cfg, pairs.spec, "cpu"), pairs.tensors
    if name == "stargan":
        spec = DataSpec("image", (1, 32, 32), num_classes=2)
        return METHODS.get(name)(cfg, spec, "cpu"), (images, torch.tensor([0, 1, 0, 1]))
    spec = DataSpec("unpaired", (1, 32, 32), input_shape=(1, 32, 32))
    method = METHODS.get(name)(cfg, spec, "cpu")
    method.use_dataset(SimpleNamespace(domain_b=(images.flip(-2),)))
    return method, (images, torch.zeros(4))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pix2pix", {"generator": 2, "discriminator": 4}),
        ("stargan", {"generator": 2, "discriminator": 4}),
        # CycleGAN updates its two generators (one optimizer) and its two discriminators (another)
        # at every step, as in the paper; each discriminator is frozen in the generators' update.
        ("cyclegan", dict.fromkeys(
            ["generator_ab", "generator_ba", "discriminator_a", "discriminator_b"], 4)),
    ],
)  # fmt: skip
def test_methods_with_several_nets_and_optimizers_sync_only_what_they_update(
    name, expected, process_group
):
    method, batch = image_to_image(name)
    replicas = Replicas(method, wrap=True)
    syncs = count_syncs(replicas)
    for _ in range(2):  # n_critic = 2
        for i in range(2):
            with replicas.active():
                logs = method.train_step(batch, update_generator=i == 1)
    assert all(torch.isfinite(v) for v in logs.values())
    assert syncs == expected


class UnusedHead(nn.Module):
    """A discriminator with a head that no loss uses (as a careless auxiliary head would be)."""

    def __init__(self):
        super().__init__()
        self.body, self.head, self.unused = nn.Linear(2, 8), nn.Linear(8, 1), nn.Linear(8, 3)

    def forward(self, x):
        return self.head(torch.relu(self.body(x)))


def toy_gan_with_unused_head():
    cfg = resolve_config("gan", None, ["z_dim=2", "generator.hidden=[8]"])
    method = GAN(cfg, DataSpec("points", (2,)), "cpu")
    method.nets["discriminator"] = UnusedHead()
    method.optimizers["discriminator"] = torch.optim.Adam(method.nets["discriminator"].parameters())
    return method


def test_weights_no_loss_uses_stop_with_the_option_that_helps(process_group):
    method = toy_gan_with_unused_head()
    replicas = Replicas(method, wrap=True)
    batch = (torch.randn(8, 2), torch.zeros(8))
    with pytest.raises(DistributedError, match="train.find_unused_parameters=true"):
        for _ in range(3):
            with replicas.active():
                method.train_step(batch, update_generator=True)


def test_find_unused_parameters_lets_such_a_method_train(process_group):
    method = toy_gan_with_unused_head()
    replicas = Replicas(method, wrap=True, find_unused_parameters=True)
    batch = (torch.randn(8, 2), torch.zeros(8))
    for _ in range(3):
        with replicas.active():
            logs = method.train_step(batch, update_generator=True)
    assert torch.isfinite(logs["g_loss"])


def test_sync_batchnorm_on_the_cpu_is_refused_with_the_reason(process_group):
    with pytest.raises(ConfigError, match="sync_batchnorm.*CUDA"):
        Replicas(build("dcgan"), wrap=True, sync_batchnorm=True)


def test_one_process_is_never_wrapped():
    method = build("dcgan")
    replicas = Replicas(method, wrap=False, sync_batchnorm=True)
    with replicas.active():
        assert not any(
            isinstance(n, nn.parallel.DistributedDataParallel) for n in method.nets.values()
        )


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (NCCL)")
def test_sync_batchnorm_converts_on_the_gpu_and_keeps_the_checkpoint_keys(process_group):
    cfg = resolve_config("dcgan", None, ["z_dim=8", *TINY["dcgan"], "device=cuda"])
    method = METHODS.get("dcgan")(cfg, IMAGES_16.spec, "cuda")
    keys = {k: list(v.state_dict()) for k, v in method.nets.items()}
    replicas = Replicas(method, wrap=True, sync_batchnorm=True)
    assert any(isinstance(m, nn.SyncBatchNorm) for m in method.nets["generator"].modules())
    assert {k: list(v.state_dict()) for k, v in method.nets.items()} == keys
    batch = tuple(t.cuda() for t in IMAGES_16.tensors)
    with replicas.active():
        logs = method.train_step(batch, update_generator=True)
    assert torch.isfinite(logs["g_loss"])


def test_infogan_reaches_d_and_q_through_the_wrapper(process_group):
    # Q is a head on D's trunk, reached through D's forward (with_q=True); D and Q learn in D's
    # step (the information term is in both losses) and are frozen in G's, as in the paper
    cfg = resolve_config("infogan", None, ["generator.width=8", "discriminator.width=8"])
    torch.manual_seed(0)
    spec = DataSpec("image", (1, 28, 28))
    method = METHODS.get("infogan")(cfg, spec, "cpu")
    replicas = Replicas(method, wrap=True)
    syncs = count_syncs(replicas)
    batch = (torch.rand(8, 1, 28, 28) * 2 - 1, torch.zeros(8))
    for _ in range(2):
        with replicas.active():
            logs = method.train_step(batch, update_generator=True)
    assert all(torch.isfinite(v) for v in logs.values())
    assert syncs == {"discriminator": 2, "generator": 2}


@pytest.mark.parametrize("name", ["lapgan", "bayesgan"])
def test_a_method_whose_step_reaches_inside_its_nets_is_refused_under_torchrun(name, process_group):
    cfg = resolve_config(name, None, [])
    spec = DataSpec("image", (1, 28, 28), num_classes=10)
    method = METHODS.get(name)(cfg, spec, "cpu")
    refusal = f"{name} cannot train under torchrun yet: .* Train it in one process"
    with pytest.raises(DistributedError, match=refusal):
        Replicas(method, wrap=True)
    Replicas(method, wrap=False)  # one process: nothing to refuse
