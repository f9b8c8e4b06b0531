"""`klustered expired`: the stacks whose `klustered:expires` has passed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from klustered.expired import scan_stacks
from klustered.expiry import TimeError, format_time, parse_time
from klustered.stackfile import StackFileError

EXIT_SOME_UNCHECKED = 1
EXIT_NOTHING_CHECKED = 2


def expired(
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="TIME",
            help="Check against this ISO 8601 time with a timezone instead of now.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the stacks under stacks/ whose klustered:expires is at or before TIME (default now).

    Exit 0: every stack file checked (the list may be empty).

    Exit 1: some stack file not checked (on stderr); the others are listed.

    Exit 2: nothing checked (a bad --at, no Pulumi.yaml).
    """
    try:
        when = parse_time(at, "--at") if at is not None else datetime.now(UTC)
    except TimeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_NOTHING_CHECKED) from None
    try:
        scan = scan_stacks(when)
    except StackFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_NOTHING_CHECKED) from None
    for problem in scan.problems:
        typer.echo(problem, err=True)
    if as_json:
        typer.echo(json.dumps([stack.as_json() for stack in scan.expired], indent=2))
    elif scan.expired:
        width = max(len(stack.name) for stack in scan.expired)
        for stack in scan.expired:
            typer.echo(f"{stack.name:<{width}}  expired {format_time(stack.expires)}")
    else:
        typer.echo(f"no stack has expired at {format_time(when)} ({scan.checked} checked)")
    if scan.problems:
        typer.echo(
            f"error: {len(scan.problems)} of {scan.checked} stack file(s) could not be checked",
            err=True,
        )
        raise typer.Exit(EXIT_SOME_UNCHECKED)
