"""`klustered`: validate a stack, plan it offline, browse the break catalog.

Every command exits non-zero on failure with a one-line reason and no traceback
(`--debug` shows the traceback of an unexpected error).
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Annotated

import pulumi
import typer
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from klustered.breaks_cli import app as breaks_app
from klustered.config import StackConfig, check_stack_config
from klustered.dns_cli import app as dns_app
from klustered.expired_cli import expired
from klustered.plan import OfflineRun, plan_stack, write_plan
from klustered.ssh_keys import SECRET_PLACEHOLDER, public_key_of, public_key_recipe
from klustered.stackfile import StackFile, StackFileError, load_stack_file

app = typer.Typer(
    help="Klustered: live Kubernetes debugging episodes on kubeadm clusters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(breaks_app, name="breaks")
app.add_typer(dns_app, name="dns")
app.command()(expired)

StackArg = Annotated[str, typer.Argument(metavar="STACK|FILE", help="Stack name or file.")]

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(message, markup=False, soft_wrap=True)
    return typer.Exit(code)


def _load(stack: str) -> tuple[StackFile, StackConfig]:
    try:
        stack_file = load_stack_file(stack)
    except StackFileError as exc:
        raise _fail(f"error: {exc}") from None
    result = check_stack_config(
        stack_file.config,
        stack_file.project_dir,
        stack=stack_file.name,
        secret_keys=stack_file.secret_keys,
    )
    for warning in result.warnings:
        err.print(f"warning: {warning}", markup=False, soft_wrap=True)
    if result.config is None:
        lines = [f"{stack_file.path}: {len(result.errors)} problem(s)"]
        lines += [f"  {e}" for e in result.errors]
        raise _fail("\n".join(lines))
    return stack_file, result.config


def _summary(stack_file: StackFile, config: StackConfig) -> Table:
    table = Table(title=f"stack {stack_file.name}: {len(config.teams)} team(s)")
    for column in ("team", "control planes", "workers", "machines", "guests", "breaks"):
        table.add_column(column)
    for team in config.teams:
        cp = config.team_machines(team).provider
        wk = config.team_machines(team, worker=True).provider
        table.add_row(
            team.name,
            str(team.control_planes),
            str(team.workers),
            cp if cp == wk or team.workers == 0 else f"{cp} + {wk} workers",
            ", ".join(team.guests) or "-",
            ", ".join(b.label for b in team.breaks) or "-",
        )
    return table


@app.command()
def validate(
    stack: StackArg,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print every problem as a JSON list of {field, message}."),
    ] = False,
) -> None:
    """Check a stack file against the config contract and print the episode summary."""
    if as_json:
        raise typer.Exit(_validate_json(stack))
    stack_file, config = _load(stack)
    out.print(_summary(stack_file, config))
    mesh = f"mesh {config.mesh.cidr}" if config.mesh.enabled else "mesh off"
    if config.dns is not None:
        dns = config.dns
        apex = "created here" if dns.create_apex else "existing"
        out.print(
            f"DNS: {stack_file.name}.{dns.domain} (DNSSEC), delegated from zone {dns.zone} "
            f"({apex}, project {dns.project}); registrar {dns.registrar}",
            markup=False,
            soft_wrap=True,
        )
    teleport = config.access.teleport
    access = (
        f"Teleport {teleport.version} (GitHub org {teleport.github_org})"
        if teleport
        else "no guest access"
    )
    out.print(f"Kubernetes {config.kubernetes.version}, {mesh}, {access}: valid.", markup=False)
    if config.ssh_key is not None:
        note = _ssh_key_note(stack_file.name, config.ssh_key.get_secret_value())
        out.print(note, markup=False, soft_wrap=True)


def _ssh_key_note(stack: str, private_key: str) -> str:
    """What the host installs on existing machines: sshKey's public key, or how to get it."""
    where = "install it in ~<user>/.ssh/authorized_keys on every existing host"
    if private_key == SECRET_PLACEHOLDER:
        return (
            "sshKey is encrypted in the stack file, so its public key cannot be shown here; "
            f"print it with `{public_key_recipe(stack)}` and {where} (after `pulumi up` it is "
            "also the stack output sshPublicKey)."
        )
    return f"sshKey public key ({where}):\n{public_key_of(private_key)}"


def _validate_json(stack: str) -> int:
    """`validate --json`: errors then warnings, each `{field, message, severity}`; 1 on errors."""
    try:
        stack_file = load_stack_file(stack)
    except StackFileError as exc:
        problems = [{"field": "", "message": str(exc), "severity": "error"}]
        print(json.dumps(problems, indent=2))
        return 1
    result = check_stack_config(
        stack_file.config,
        stack_file.project_dir,
        stack=stack_file.name,
        secret_keys=stack_file.secret_keys,
    )
    problems = [{**e.as_dict(), "severity": "error"} for e in result.errors]
    problems += [{**w.as_dict(), "severity": "warning"} for w in result.warnings]
    print(json.dumps(problems, indent=2))
    return 0 if result.ok else 1


def _tree(run: OfflineRun, title: str) -> Tree:
    tree = Tree(title)
    urns = {r.urn for r in run.registrations}

    def add(branch: Tree, parent: str) -> None:
        kids = sorted((r for r in run.registrations if r.parent == parent), key=lambda r: r.name)
        for reg in kids:
            add(branch.add(f"{reg.name} [dim]{reg.type}[/dim]"), reg.urn)

    roots = {r.parent for r in run.registrations if r.parent not in urns}
    for root in sorted(roots):
        add(tree, root)
    return tree


@app.command()
def plan(
    stack: StackArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Directory to write the plan to.")] = Path(
        "plan"
    ),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No resource tree.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Tracebacks of errors.")] = False,
) -> None:
    """Run the program offline (mock engine) and write resources, graph and node files."""
    stack_file, _ = _load(stack)
    try:
        result = plan_stack(stack_file)
        written = write_plan(result, out_dir)
    except pulumi.RunError as exc:
        raise _fail(f"error: {exc}") from None
    except Exception as exc:
        if debug:
            traceback.print_exc()
        raise _fail(f"error: plan failed: {type(exc).__name__}: {exc}") from None
    if not quiet:
        out.print(_tree(result.run, f"stack {stack_file.name}"))
    files = sum(1 for p in written if p.name not in ("resources.json", "graph.json"))
    out.print(
        f"{len(result.run.registrations)} resources, {files} node files -> {out_dir}",
        markup=False,
    )


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
