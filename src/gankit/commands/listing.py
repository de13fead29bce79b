"""`gankit list` and `gankit config`: what is registered, and a method's defaults."""

from __future__ import annotations

import click


@click.command("list")
@click.argument("what", required=False, type=click.Choice(["recipes"]))
def list_command(what: str | None) -> None:
    """Show the registered methods, datasets, networks, losses and metrics (or the recipes)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from gankit.runs.catalog import catalog, options

    console = Console()
    if what == "recipes":
        from gankit.recipes import describe_recipe, recipe_names

        table = Table(
            title="Recipes (--config NAME)", title_justify="left", show_header=False, box=None
        )
        for name in recipe_names():
            table.add_row(f"[bold]{name}[/]", escape(describe_recipe(name)))
        console.print(table)
        return
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
