"""`gankit compare`: the latest metrics of several runs in one table, best first."""

from __future__ import annotations

import click


@click.command("compare")
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--metric", help="Sort by this metric (default: fid, else kid, is, ...).")
@click.option("--mean-over", help="Average runs that differ only in this key (e.g. seed).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write the table.")
def compare_command(
    run_dirs: tuple[str, ...], metric: str | None, mean_over: str | None, csv_path: str | None
) -> None:
    """Compare RUN_DIRS: settings that differ, latest metrics, steps and training seconds.

    \b
    gankit compare runs/gan/* --metric modes_covered
    gankit compare runs/dcgan/sweep-* --mean-over seed --csv ablation.csv
    """
    from gankit.runs import compare

    runs = compare.summarize_all(list(run_dirs))
    table = (
        compare.mean_over(runs, mean_over, metric)
        if mean_over
        else compare.comparison(runs, metric)
    )
    print_table(table)
    if csv_path:
        click.echo(f"Wrote {table.write_csv(csv_path)}")


def print_table(table) -> None:
    """The table in the terminal, with the sorting metric's direction in its title."""
    from rich.console import Console
    from rich.table import Table

    from gankit.runs.compare import format_cell, higher_is_better, shown_columns

    title = None
    if table.metric:
        title = f"sorted by {table.metric} ({'higher' if higher_is_better(table.metric) else 'lower'} is better)"
    view = Table(title=title, title_justify="left")
    for column in shown_columns(table):
        numeric = any(isinstance(row.get(column), (int, float)) for row in table.rows)
        view.add_column(column, justify="right" if numeric else "left", no_wrap=column == "run")
    for row in table.rows:
        view.add_row(*(format_cell(row, c) for c in shown_columns(table)))
    console = Console()
    if not console.is_terminal:  # piped or captured: the whole table, never cut to 80 columns
        console.width = 1000
    console.print(view)


COMMANDS = [compare_command]
