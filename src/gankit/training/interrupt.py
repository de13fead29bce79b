"""Ctrl-C during training: finish the step, checkpoint, then stop (see :class:`Trainer.fit`)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def catch_interrupt() -> Iterator[threading.Event]:
    """Turn the first Ctrl-C into a flag the loop checks between steps; a second one aborts.

    Under torchrun the workers run in sessions of their own: a Ctrl-C reaches torchrun, which
    passes it on to each worker once (and kills those still running 30 s later).
    """
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handle(signum: int, frame: Any) -> None:
        if flag.is_set():
            raise KeyboardInterrupt
        flag.set()

    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)
