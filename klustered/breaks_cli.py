"""`klustered breaks ...`: the catalog from the command line."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from breaks.catalog import catalog_ids

app = typer.Typer(help="The break catalog.", no_args_is_help=True, add_completion=False)


@app.command("list")
def list_breaks(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the breaks in the catalog."""
    ids = sorted(catalog_ids())
    if as_json:
        typer.echo(json.dumps([{"id": i} for i in ids], indent=2))
        return
    table = Table("id")
    for i in ids:
        table.add_row(i)
    Console().print(table)
