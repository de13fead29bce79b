"""`gankit sweep`: train a grid of runs one after another, then compare them."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("sweep")
@click.argument("method")
@click.argument("settings", nargs=-1)
@click.option("--grid", "first", help="KEY=V1,V2,...: a grid axis (more may follow as arguments).")
@click.option("--name", help="The sweep's name, the prefix of its run folders (default: a stamp).")
@click.option("--out", default="runs", show_default=True, help="The folder runs go in.")
@click.option(
    "--config",
    "config_file",
    help="A YAML config file, or a recipe by name (`gankit list recipes`).",
)
@click.option("--data", help="The dataset of every run (as for gankit train).")
@click.option("--steps", type=int, help="Generator steps of every run.")
@click.option("--dry-run", is_flag=True, help="Print the commands instead of running them.")
@click.option("--metric", help="Sort the comparison by this metric.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Where the table goes.")
def sweep_command(
    method: str,
    settings: tuple[str, ...],
    first: str | None,
    name: str | None,
    out: str,
    config_file: str | None,
    data: str | None,
    steps: int | None,
    dry_run: bool,
    metric: str | None,
    csv_path: str | None,
) -> None:
    """Train METHOD on every combination of the grid's values, then compare the runs.

    Every KEY=V1,V2,... is an axis of the grid; KEY=VALUE is passed to every run. Run the same
    sweep again (same --name) to resume its unfinished runs.

    \b
    gankit sweep gan --grid loss=hinge,wasserstein seed=0,1,2 --data ring8 --steps 2000
    gankit sweep dcgan --grid train.n_critic=1,2,5 --name critic --dry-run
    """
    from gankit.commands.compare import print_table
    from gankit.runs import compare, sweep

    axes = [sweep.parse_axis(s) for s in ([first] if first else []) + list(settings)]
    if not axes:
        raise click.UsageError("Give the grid: --grid KEY=V1,V2 [KEY=V1,V2 ...].")
    name = name or sweep.default_name()
    flags = (["--data", data] if data else []) + (["--steps", str(steps)] if steps else [])
    runs = sweep.plan(method, axes, name, out, config_file, flags)
    given = [(key, value) for key, value in (("data.name", data), ("train.steps", steps)) if value]
    sweep.check_plan(runs, method, config_file, given, out)
    if dry_run:
        for run in runs:
            click.echo(run.command)
        return
    failed = sweep.run_all(runs, click.echo)
    finished = [run.path for run in runs if run not in failed]
    if finished:
        summaries = compare.summarize_all(finished)
        table = compare.comparison(summaries, metric)
        print_table(table)
        target = Path(csv_path) if csv_path else Path(out) / method / f"{name}.csv"
        click.echo(f"Wrote {table.write_csv(target)}")
        seeds = [a for a in axes if a.key == "seed" and len(a.values) > 1]
        if seeds and len(compare.settings(summaries)) > 1:
            averaged = compare.mean_over(summaries, "seed", metric)
            print_table(averaged)
            click.echo(f"Wrote {averaged.write_csv(target.with_name(target.stem + '-mean.csv'))}")
    sweep.check_finished(runs, failed)


COMMANDS = [sweep_command]
