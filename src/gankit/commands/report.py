"""`gankit report`: one self-contained HTML page about one or more runs."""

from __future__ import annotations

import click


@click.command("report")
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--out", default="report.html", show_default=True, type=click.Path(dir_okay=False))
@click.option("--metric", help="Sort the comparison by this metric (default: fid, kid, ...).")
@click.option(
    "--samples", default=4, show_default=True, help="Sample grids per run, the last included."
)
def report_command(run_dirs: tuple[str, ...], out: str, metric: str | None, samples: int) -> None:
    """Write an HTML report of RUN_DIRS: samples, curves, metrics, config, environment, and a
    comparison of the runs. Images are inlined: open the file in any browser.

    \b
    gankit report runs/dcgan/first --out first.html
    gankit report runs/gan/sweep-* --metric modes_covered --out sweep.html
    """
    from gankit.runs.report import write_report

    if not out.lower().endswith((".html", ".htm")):
        raise click.BadParameter(f"the report is one HTML page: {out!r} does not end in .html.",
                                 param_hint="--out")  # fmt: skip

    click.echo(f"Wrote {write_report(list(run_dirs), out, metric, samples)}")


COMMANDS = [report_command]
