"""One writer per run: a second trainer of a run is refused while the first runs, a lock left by a
killed process is taken over, and no lock outlives its run (issue 21, item 4)."""

import json
import os
import signal
import socket
import subprocess
import sys

import pytest
import torch

from gankit.errors import RunFolderError
from gankit.methods import METHODS
from gankit.runs.launch import resume
from gankit.training.trainer import Trainer

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def trained(cli, tiny_dcgan, tmp_path):
    assert cli("train", "dcgan", "--name", "r", "--steps", 2, *tiny_dcgan) == 0
    run = tmp_path / "runs" / "dcgan" / "r"
    assert not (run / "train.lock").exists()  # gone once the run ended
    return run


def hold(run, pid, host=None):
    since = "2026-12-01 10:00:00"
    holder = {"pid": pid, "host": host or socket.gethostname(), "since": since}
    (run / "train.lock").write_text(json.dumps(holder) + "\n")


def test_a_resume_while_another_process_trains_the_run_is_refused(refused, trained):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        hold(trained, sleeper.pid)
        message = refused("train", "--resume", trained, "--steps", 3)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert message.startswith(
        f"Run {str(trained)!r} is being trained by process {sleeper.pid} (since 2026-12-01 "
        f"10:00:00), and one process at a time may train a run."
    )
    assert torch.load(trained / "checkpoints" / "last.pt", weights_only=True)["step"] == 2


def test_this_very_process_counts_as_a_live_holder(refused, trained):
    hold(trained, os.getpid())
    assert f"is being trained by process {os.getpid()}" in refused("train", "--resume", trained)
    assert (trained / "train.lock").exists()  # someone else's lock is never removed


def test_a_holder_on_another_machine_is_refused_with_the_way_out(refused, trained):
    hold(trained, 1, host="elsewhere.example")
    message = refused("train", "--resume", trained)
    assert "by process 1 on host elsewhere.example" in message
    assert f"delete {str(trained / 'train.lock')!r} and try again" in message


def test_a_lock_left_by_a_killed_process_is_taken_over_with_a_note(cli, trained, capsys):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    dead = int(finished.stdout)
    hold(trained, dead)
    capsys.readouterr()
    assert cli("train", "--resume", trained, "--steps", 3) == 0
    err = capsys.readouterr().err
    assert f"Note: took over the lock of run {str(trained)!r} from process {dead}" in err
    assert torch.load(trained / "checkpoints" / "last.pt", weights_only=True)["step"] == 3
    assert not (trained / "train.lock").exists()


def test_a_resume_racing_the_start_of_its_run_is_refused(cli, tiny_dcgan, tmp_path, monkeypatch):
    fit, seen = Trainer.fit, []

    def fit_then_resume_alongside(self):
        fit(self)  # the first checkpoint exists: only the lock stops a second writer
        lock = json.loads(self.run.lock_file.read_text())
        assert lock["pid"] == os.getpid() and lock["host"] == socket.gethostname()
        with pytest.raises(RunFolderError, match="one process at a time") as caught:
            resume(self.run.path, ["train.steps=4"])
        seen.append(str(caught.value))

    monkeypatch.setattr(Trainer, "fit", fit_then_resume_alongside)
    assert cli("train", "dcgan", "--name", "race", "--steps", 2, *tiny_dcgan) == 0
    run = tmp_path / "runs" / "dcgan" / "race"
    assert len(seen) == 1 and not (run / "train.lock").exists()
    assert torch.load(run / "checkpoints" / "last.pt", weights_only=True)["step"] == 2


def test_the_lock_goes_when_training_stops_on_an_error(refused, trained, monkeypatch):
    dcgan = METHODS.get("dcgan")
    train_step = dcgan.train_step

    def nan(self, batch, update_generator):
        logs = train_step(self, batch, update_generator=update_generator)
        return {**logs, "g_loss": torch.tensor(float("nan"))}

    monkeypatch.setattr(dcgan, "train_step", nan)
    message = refused("train", "--resume", trained, "--steps", 4, "train.log_every=1")
    assert message.startswith("Training diverged at step 3")
    assert not (trained / "train.lock").exists()


def test_the_lock_goes_on_ctrl_c_and_on_sigterm(cli, trained, monkeypatch):
    dcgan = METHODS.get("dcgan")
    train_step = dcgan.train_step
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        pytest.skip("the test process has its own SIGTERM handler, which gankit leaves alone")
    handlers = []

    def ctrl_c(self, batch, update_generator):
        os.kill(os.getpid(), signal.SIGINT)  # the trainer checkpoints and stops
        return train_step(self, batch, update_generator=update_generator)

    def sigterm(self, batch, update_generator):
        handler = signal.getsignal(signal.SIGTERM)
        handlers.append(handler)
        handler(signal.SIGTERM, None)  # what a `kill PID` would run, without risking pytest

    monkeypatch.setattr(dcgan, "train_step", ctrl_c)
    assert cli("train", "--resume", trained, "--steps", 6) == 130
    assert torch.load(trained / "checkpoints" / "last.pt", weights_only=True)["step"] == 3
    assert not (trained / "train.lock").exists()

    monkeypatch.setattr(dcgan, "train_step", sigterm)
    assert cli("train", "--resume", trained, "--steps", 6) == 128 + signal.SIGTERM
    assert callable(handlers[0]) and not (trained / "train.lock").exists()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # given back after the run
