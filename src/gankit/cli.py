"""The ``gankit`` command line: parse, call the library, print. No training logic here.

Each command lives in its own module under :mod:`gankit.commands` and is registered here.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
import sys

import click

from gankit import __version__, commands
from gankit.errors import DISK_ERRORS, PATH_ERRORS, GankitError, TrainingInterrupted
from gankit.plugins import import_modules, load_entry_points


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="gankit", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.option(
    "--import",
    "modules",
    multiple=True,
    metavar="MODULE",
    help="Import MODULE first, for the nets, losses or methods it registers (repeatable); runs "
    "record it and import it again when loaded.",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, modules: tuple[str, ...]) -> None:
    """Train, sample and compare GANs. `gankit list` shows what is available."""
    ctx.obj = {"debug": debug}
    load_entry_points()
    import_modules(list(modules))


for _module in pkgutil.iter_modules(commands.__path__):
    for _command in importlib.import_module(f"gankit.commands.{_module.name}").COMMANDS:
        cli.add_command(_command)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the moment (a test's capture, a redirect)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def show_info_messages() -> None:
    """gankit's INFO messages (downloads, first-use classifier training) on stderr, once."""
    log = logging.getLogger("gankit")
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> None:
    """Entry point: GankitErrors print as one message (``--debug`` for the traceback)."""
    args = sys.argv[1:] if argv is None else argv
    show_info_messages()
    try:
        cli.main(args=args, prog_name="gankit", standalone_mode=False)
    except TrainingInterrupted as exc:
        click.echo(str(exc), err=True)
        sys.exit(130)
    except GankitError as exc:
        if "--debug" in args:
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:
        if exc.errno not in DISK_ERRORS | PATH_ERRORS or "--debug" in args:
            raise
        where = f": {exc.filename}" if exc.filename else ""
        fix = "Check the path" if exc.errno in PATH_ERRORS else "Free some space or fix permissions"
        click.echo(f"error: {exc.strerror}{where}. {fix}.", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except RuntimeError as exc:  # after Abort, a RuntimeError too: torch's allocator failing
        if not _out_of_memory(exc) or "--debug" in args:
            raise
        click.echo(f"error: out of memory ({_asked_for(exc)}). Use smaller images or batches.",
                   err=True)  # fmt: skip
        sys.exit(2)


def _out_of_memory(error: RuntimeError) -> bool:
    text = str(error)
    return "can't allocate memory" in text or "out of memory" in text.lower()


def _asked_for(error: RuntimeError) -> str:
    """What torch's allocator says it was asked for ("tried to allocate 7188 bytes"), without
    its C++ frames."""
    asked = re.search(r"tried to allocate ([\d.]+\s*\w+)", str(error), re.IGNORECASE)
    return f"torch tried to allocate {asked.group(1).strip()}" if asked else "torch"
