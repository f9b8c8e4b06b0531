"""`klustered breaks ...`: list, show and lint break scenarios from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from breaks.catalog import load_break, load_catalog
from breaks.docs import targets_text
from breaks.lint import lint_directory
from breaks.scenario import Scenario, ScenarioError, printable
from klustered.console import console

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]

app = typer.Typer(help="The break catalog.", no_args_is_help=True, add_completion=False)


def _fail(reason: str) -> typer.Exit:
    typer.echo(f"error: {reason}", err=True)
    return typer.Exit(1)


def _summary(s: Scenario) -> dict[str, str]:
    return {
        "id": s.id,
        "title": s.spec.title,
        "layer": s.spec.layer.value if s.spec.layer else "",
        "difficulty": s.spec.difficulty,
        "targets": targets_text(s),
    }


@app.command("list")
def list_breaks(as_json: JsonFlag = False) -> None:
    """List the breaks in the catalog: id, title, layer, difficulty, targets."""
    try:
        rows = [_summary(s) for s in load_catalog()]
    except ScenarioError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "title", "layer", "difficulty", "targets", box=box.ASCII)
    for row in rows:
        table.add_row(*row.values())
    printer = console()
    with printer.capture() as captured:
        printer.print(table)
    typer.echo(captured.get(), nl=False)


@app.command("show")
def show_break(
    break_id: Annotated[str, typer.Argument(metavar="ID", help="A catalog id.")],
    spoilers: Annotated[
        bool, typer.Option("--spoilers", help="Also print solution and hints.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Show one break; the solution and hints only with --spoilers."""
    try:
        s = load_break(break_id)
    except ScenarioError as exc:
        raise _fail(str(exc)) from None
    data: dict[str, object] = {
        **_summary(s),
        "tags": list(s.spec.tags),
        "source": s.spec.source or "",
        "credit": s.spec.credit or "",
        "prompt": s.spec.prompt.strip(),
        "params": {k: v.model_dump() for k, v in s.spec.params.items()},
        "scripts": sorted(s.files.values()),
    }
    if spoilers:
        data["solution"] = (s.spec.solution or "").strip()
        data["hints"] = list(s.spec.hints)
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        if isinstance(value, list) and key == "hints":
            typer.echo("hints:")
            for n, hint in enumerate(value, start=1):
                typer.echo(f"  {n}. {hint}")
        elif isinstance(value, dict):
            typer.echo(f"{key}:")
            for name, decl in value.items():
                typer.echo(f"  {name}: {decl}")
        elif isinstance(value, list):
            typer.echo(f"{key}: {', '.join(str(v) for v in value)}")
        else:
            text = str(value)
            typer.echo(
                f"{key}:\n  " + text.replace("\n", "\n  ") if "\n" in text else f"{key}: {text}"
            )


@app.command("lint")
def lint(
    dirs: Annotated[list[Path], typer.Argument(metavar="DIR", help="Scenario directories.")],
) -> None:
    """Check scenario directories against the rules; exit 1 with file:line: message each."""
    bad = 0
    for directory in dirs:
        violations = lint_directory(directory)
        for v in violations:
            where = printable(str(directory / v.file if v.file else directory))
            typer.echo(f"{where}:{v.line}: [{v.rule}] {v.text}")
        if violations:
            bad += 1
        else:
            typer.echo(f"{printable(str(directory))}: ok")
    if bad:
        raise _fail(f"{bad} of {len(dirs)} scenario(s) break the rules")
