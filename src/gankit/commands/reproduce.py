"""`gankit reproduce`: train, measure and tabulate a paper's claim over seeds, in one command."""

from __future__ import annotations

import click


@click.command("reproduce")
@click.argument("names", nargs=-1)
@click.option("--list", "show", is_flag=True, help="List the experiments and exit.")
@click.option("--all", "every", is_flag=True, help="Every experiment, one after another.")
@click.option("--quick", is_flag=True,
              help="Minutes per run, far from convergence: checks the pipeline (default).")  # fmt: skip
@click.option("--full", is_flag=True, help="The converged budget (hours on a CPU).")
@click.option(
    "--seeds", type=int, help="Seeds per run, 0..N-1 (default: 2 for --quick, 3 for --full)."
)
@click.option(
    "--out", default="runs/reproduce", show_default=True, help="Where runs and tables go."
)
@click.option("--data-dir", help="Where downloadable datasets are looked for and stored.")
@click.option("--runs", "only", help="RUN[,RUN...]: only these runs of the experiment.")
def reproduce_command(
    names: tuple[str, ...],
    show: bool,
    every: bool,
    quick: bool,
    full: bool,
    seeds: int | None,
    out: str,
    data_dir: str | None,
    only: str | None,
) -> None:
    """Train every run of experiment NAME over seeds, measure it, and write a table.

    The table (results.md, with results.json and results.png beside it) gives each run's metric
    per seed, mean ± sd, whether it moved less than its spread over the last quarter of
    training, and the published figure or target. Run the same command again to continue where
    it stopped; --full after --quick starts the longer runs in their own folder.

    \b
    gankit reproduce --list
    gankit reproduce cgan-mnist --quick --seeds 2 --data-dir ../shared/data
    gankit reproduce --all --full
    """
    from gankit.runs.reproduce.experiments import EXPERIMENTS
    from gankit.runs.reproduce.runner import listing, reproduce

    if quick and full:
        raise click.UsageError("--quick and --full are two budgets: give one.")
    budget = "full" if full else "quick"
    if names and (show or every):
        flag = "--list" if show else "--all"
        raise click.UsageError(
            f"{flag} takes no experiment names: drop {' '.join(names)} or {flag}."
        )
    if show:
        for entry in listing():
            click.echo(f"{entry['name']}: {entry['claim']}")
            for key in ("runs", "metric", "published", "quick", "full"):
                click.echo(f"    {key}: {entry[key]}")
        return
    chosen = EXPERIMENTS.names() if every else list(names)
    if not chosen:
        raise click.UsageError("Name an experiment (see `gankit reproduce --list`), or --all.")
    for name in chosen:
        EXPERIMENTS.get(name)  # an unknown name fails before any training
    for name in chosen:
        runs = only.split(",") if only else None
        folder = reproduce(name, budget, seeds, out, data_dir, echo=click.echo, runs=runs)
        click.echo((folder / "results.md").read_text())
        click.echo(f"Results: {folder}")


COMMANDS = [reproduce_command]
