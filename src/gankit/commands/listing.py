"""`gankit list` and `gankit config`: what is registered, and a method's defaults."""

from __future__ import annotations

import click


@click.command("list")
def list_command() -> None:
    """Show the registered methods, datasets, networks, losses and metrics."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from gankit.catalog import catalog, options

    console = Console()
    for title, registry in catalog():
        table = Table(title=title, title_justify="left", show_header=False, box=None)
        for name in registry.names():
            description = escape(registry.describe(name))
            if keys := options(registry, name):
                description += f"\n[dim]options: {escape(keys)}[/]"
            table.add_row(f"[bold]{name}[/]", description)
        console.print(table)
        console.print()


@click.command("config")
@click.argument("method")
def config_command(method: str) -> None:
    """Print METHOD's full default config as YAML."""
    from gankit.config import dump_yaml
    from gankit.methods import METHODS

    click.echo(dump_yaml(METHODS.get(method).config_class()), nl=False)


COMMANDS = [list_command, config_command]
