"""A batch too large for the memory is refused in one line before the first step (issue 21,
item 7), instead of the kernel killing the process with no message."""

from __future__ import annotations

import pytest
import torch

import gankit
from gankit.data import build_dataset
from gankit.data.base import TensorDataset
from gankit.errors import ConfigError
from gankit.methods import METHODS
from gankit.runs.launch import resolve_config
from gankit.training import memory
from gankit.training.batches import BatchStream
from gankit.training.checkpoint import capture_rng

pytestmark = pytest.mark.usefixtures("one_thread")


def test_meminfo_and_cgroup_limits_are_read(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  32000000 kB\nMemAvailable:   2048 kB\nCached: 1 kB\n")
    assert memory._meminfo_available(meminfo) == 2048 * 1024
    assert memory._meminfo_available(tmp_path / "missing") is None
    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "memory.max").write_text("1000000\n")
    (v2 / "memory.current").write_text("250000\n")
    assert memory._cgroup_available(v2) == 750000
    (v2 / "memory.max").write_text("max\n")  # no limit
    assert memory._cgroup_available(v2) is None
    v1 = tmp_path / "v1"
    (v1 / "memory").mkdir(parents=True)
    (v1 / "memory" / "memory.limit_in_bytes").write_text(f"{2**63 - 4096}\n")
    (v1 / "memory" / "memory.usage_in_bytes").write_text("5\n")
    assert memory._cgroup_available(v1) is None
    assert memory._cgroup_available(tmp_path / "none") is None


def tiny_dcgan_method(tiny_dcgan, batch_size=16):
    cfg = resolve_config("dcgan", None, [*tiny_dcgan, "data.name=digits"])
    dataset = build_dataset(cfg.data)
    method = METHODS.get("dcgan")(cfg, dataset.spec, "cpu")
    return method, BatchStream(dataset, batch_size, 0, torch.device("cpu"))


def same_rng(a, b):
    return (
        a["python"] == b["python"]
        and torch.equal(a["numpy"]["keys"], b["numpy"]["keys"])
        and a["numpy"]["position"] == b["numpy"]["position"]
        and torch.equal(a["torch"], b["torch"])
    )


def test_the_estimate_grows_with_the_samples_and_leaves_the_method_untouched(tiny_dcgan):
    method, stream = tiny_dcgan_method(tiny_dcgan)
    weights = {k: v.clone() for k, v in method.nets["generator"].state_dict().items()}
    rng = capture_rng()
    per_sample, fixed, to_allocate = memory.measure_step(method, stream)
    # at least the image itself, which D's first layer holds for backward, per sample
    assert per_sample >= 16 * 16 * 4
    parameters = sum(p.numel() for net in method.nets.values() for p in net.parameters())
    assert to_allocate == 3 * 4 * parameters  # gradients and two Adam moments, fp32
    assert fixed >= 0
    assert memory.saved_bytes(method, stream, 8) > memory.saved_bytes(method, stream, 2)
    after = method.nets["generator"].state_dict()
    assert all(torch.equal(weights[k], after[k]) for k in weights)
    assert not any(state for opt in method.optimizers.values() for state in opt.state.values())
    assert same_rng(capture_rng(), rng)  # Python, NumPy and torch streams all as before
    assert (stream.epoch, stream.index) == (0, 0)


class OneLayer:
    """A method whose step holds a known set of tensors: x (by the linear layer) and r =
    relu(x W^T) (by relu, and twice more by r * r); the weight W is saved too."""

    def __init__(self, features: int, hidden: int) -> None:
        self.nets = {"net": torch.nn.Linear(features, hidden, bias=False)}
        self.optimizers = {}
        self.cfg = None

    def train_step(self, batch, update_generator):
        r = torch.relu(self.nets["net"](batch[0]))
        (r * r).sum().backward()
        return {}


def test_a_storage_counts_once_and_weights_not_at_all():
    features, hidden, n = 12, 20, 4
    dataset = TensorDataset(torch.randn(9, features), None, kind="points")
    stream = BatchStream(dataset, 8, 0, torch.device("cpu"))
    assert memory.saved_bytes(OneLayer(features, hidden), stream, n) == 4 * n * (features + hidden)


def test_a_batch_that_cannot_fit_is_refused_with_one_that_does(tiny_dcgan, monkeypatch):
    method, stream = tiny_dcgan_method(tiny_dcgan)
    per_sample, fixed, to_allocate = memory.measure_step(method, stream)
    room = fixed + to_allocate + 10 * per_sample  # room for ten samples, not sixteen
    monkeypatch.setattr(memory, "available_bytes", lambda device: room)
    message = memory.step_does_not_fit(method, stream)
    assert message.startswith("data.batch_size=16 needs about")
    assert "of RAM is available; data.batch_size=8 fits." in message
    monkeypatch.setattr(memory, "available_bytes", lambda device: room + 6 * per_sample)
    assert memory.step_does_not_fit(method, stream) is None  # sixteen fit now
    monkeypatch.setattr(memory, "available_bytes", lambda device: None)
    assert memory.step_does_not_fit(method, stream) is None  # nothing to compare with


def test_on_resume_the_moments_exist_and_the_batch_cannot_change(tiny_dcgan, monkeypatch):
    method, stream = tiny_dcgan_method(tiny_dcgan)
    fresh = memory.measure_step(method, stream)
    method.train_step(stream.first(4), update_generator=True)  # moments now exist
    resumed = memory.measure_step(method, stream)
    assert resumed[2] * 3 == fresh[2]  # only the gradients are still to allocate
    monkeypatch.setattr(memory, "available_bytes", lambda device: 1)
    message = memory.step_does_not_fit(method, stream)
    assert message.endswith("free some memory, or resume with train.check_memory=false to try "
                            "anyway.")  # fmt: skip


def test_a_probe_that_cannot_step_is_a_note_not_an_error(tiny_dcgan, monkeypatch, caplog):
    method, stream = tiny_dcgan_method(tiny_dcgan)

    def broken(self, batch, update_generator):
        raise RuntimeError("needs 8 samples at least")

    monkeypatch.setattr(type(method), "train_step", broken)
    monkeypatch.setattr(memory, "available_bytes", lambda device: 1)
    assert memory.step_does_not_fit(method, stream) is None
    assert "no memory estimate for this run (its probe step failed: needs 8" in caplog.text


def test_probe_sizes_are_whole_packs():
    method = type("M", (), {"cfg": type("C", (), {"pack": 3})()})()
    assert memory.probe_sizes(method) == (6, 12)


def test_the_cli_refuses_before_training_and_leaves_no_run(refused, tiny_dcgan, tmp_path,
                                                           monkeypatch):  # fmt: skip
    monkeypatch.setattr(memory, "available_bytes", lambda device: 1)
    message = refused(
        "train", "dcgan", "--name", "big", "--steps", 2, *tiny_dcgan, "train.check_memory=true"
    )
    assert message.startswith("data.batch_size=16 needs about")
    assert message.endswith("0.00 MiB of RAM is available; even one sample does not fit: use "
                            "a smaller network or a larger machine.")  # fmt: skip
    assert not (tmp_path / "runs" / "dcgan" / "big").exists()
    monkeypatch.setattr(memory, "available_bytes", lambda device: 1)
    overrides = [*tiny_dcgan, "train.check_memory=false"]
    run = gankit.train("dcgan", data="digits", steps=1, name="unchecked", overrides=overrides)
    assert run.path.is_dir()  # the check can be switched off


def test_the_check_changes_nothing_in_the_run(tiny_dcgan, tmp_path, monkeypatch):
    """Bit for bit the same weights and losses with the estimate as without it."""
    probes, measure = [], memory.saved_bytes
    monkeypatch.setattr(memory, "saved_bytes", lambda *a: probes.append(a[2]) or measure(*a))
    runs = {}
    for check in (True, False):
        name = f"check-{check}"
        overrides = [*tiny_dcgan, f"train.check_memory={str(check).lower()}", "train.log_every=1"]
        run = gankit.train("dcgan", data="digits", steps=3, name=name, overrides=overrides)
        runs[check] = run
    a, b = (runs[c].method.nets["generator"].state_dict() for c in (True, False))
    assert all(torch.equal(a[k], b[k]) for k in a)
    losses = [[r["g_loss"] for r in runs[c].metrics if "g_loss" in r] for c in (True, False)]
    assert losses[0] == losses[1] and len(losses[0]) == 3
    assert probes == [2, 4]  # the estimate was made, in the run with the check only


def test_an_out_of_memory_error_is_one_line():
    stream = type("Stream", (), {"batch_size": 512, "device": torch.device("cpu")})()
    with (
        pytest.raises(
            ConfigError, match=r"batch_size=512 ran out of memory; try data.batch_size=256"
        ),
        memory.out_of_memory_is_one_line(stream),
    ):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
