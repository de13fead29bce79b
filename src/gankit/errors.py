"""Every error gankit raises on purpose.

Each message says what went wrong and what to do about it. The CLI prints these without a
traceback (``--debug`` shows it); anything else that escapes is a bug.
"""

from __future__ import annotations

import difflib
import errno
from collections.abc import Iterable


class GankitError(Exception):
    """Base class: a problem the user can fix, explained in the message."""


# a full disk, a quota, a read-only file system or a permission: faults of where files go
DISK_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})
# a path that cannot be: a missing folder on the way, a file where a folder should be (or the
# reverse)
PATH_ERRORS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EEXIST})


def plural(noun: str) -> str:
    """``loss`` -> ``losses``, ``config key`` -> ``config keys``, ``option of generator 'x'`` ->
    ``options of generator 'x'`` (the noun before ``of``, else the phrase's last word)."""
    head, of, rest = noun.partition(" of ")
    return head + ("es" if head.endswith(("s", "x", "sh", "ch")) else "s") + of + rest


class UnknownNameError(GankitError, KeyError):
    """A name (method, dataset, net, loss, metric, config key) that is not registered."""

    def __init__(self, kind: str, name: str, valid: Iterable[str], hint: str = "") -> None:
        self.kind, self.name, self.valid = kind, name, sorted(valid)
        message = f"Unknown {kind} {name!r}."
        close = suggest(name, self.valid)
        if close:
            message += f" Did you mean {close!r}?"
        message += f" Valid {plural(kind)}: {', '.join(self.valid) or '(none)'}."
        if hint:
            message += f" {hint}"
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class ConfigError(GankitError):
    """A config file or override that cannot be applied."""


class DataError(GankitError):
    """A dataset that is missing, empty, unreadable or inconsistent."""


class DownloadError(DataError):
    """A download that failed or did not match its checksum."""


class CheckpointError(GankitError):
    """A checkpoint that is missing, truncated or not a gankit checkpoint."""


class RunFolderError(GankitError):
    """A run folder that already exists, or is not a gankit run."""


class TrainingInterrupted(GankitError):
    """Ctrl-C stopped training; a checkpoint was written and the run can be resumed."""


class TrainingDiverged(GankitError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


class DistributedError(GankitError):
    """A multi-process (torchrun) run that is set up wrongly, or whose processes disagree."""


def suggest(name: str, valid: Iterable[str]) -> str | None:
    """The valid name closest to ``name``, if any is close enough to be a likely typo."""
    matches = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    return matches[0] if matches else None
