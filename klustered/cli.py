"""`klustered`: validate a stack, plan it offline, browse the break catalog.

Every command exits non-zero on failure with a one-line reason and no traceback
(`plan --debug`, or KLUSTERED_DEBUG=1 for any command, shows the traceback of an
unexpected error). Output to a pipe or a file is never cut or wrapped.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.tree import Tree

from klustered import __version__
from klustered.breaks_cli import app as breaks_app
from klustered.config import StackConfig, check_stack_config
from klustered.console import PIPE_WIDTH, console
from klustered.dns_cli import app as dns_app
from klustered.expired_cli import expired
from klustered.project import ProjectError, load_project
from klustered.ssh_keys import SECRET_PLACEHOLDER, public_key_of, public_key_recipe
from klustered.stackfile import StackFile, StackFileError, load_stack_file

if TYPE_CHECKING:  # the plan machinery is imported when a plan is made
    from klustered.plan import OfflineRun

app = typer.Typer(
    help="Klustered: live Kubernetes debugging episodes on kubeadm clusters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(breaks_app, name="breaks")
app.add_typer(dns_app, name="dns")
app.command()(expired)

StackArg = Annotated[
    str, typer.Argument(metavar="STACK|FILE", help="Stack name, or a stack file's path.")
]

out = console()
err = console(stderr=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(message, markup=False, soft_wrap=True)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        out.print(f"klustered {__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Klustered: live Kubernetes debugging episodes on kubeadm clusters."""


def _load(stack: str, *, warn: bool = True) -> tuple[StackFile, StackConfig]:
    try:
        stack_file = load_stack_file(stack)
    except StackFileError as exc:
        raise _fail(f"error: {exc}") from None
    result = check_stack_config(
        stack_file.config,
        stack_file.project_dir,
        stack=stack_file.name,
        namespace=stack_file.namespace,
        secret_keys=stack_file.secret_keys,
    )
    for warning in result.warnings if warn else []:
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
        typer.Option(
            "--json", help="Print every problem as a JSON list of {field, message, severity}."
        ),
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
        namespace=stack_file.namespace,
        secret_keys=stack_file.secret_keys,
    )
    problems = [{**e.as_dict(), "severity": "error"} for e in result.errors]
    problems += [{**w.as_dict(), "severity": "warning"} for w in result.warnings]
    print(json.dumps(problems, indent=2))
    return 0 if result.ok else 1


def _tree(run: OfflineRun, title: str) -> Tree:
    tree = Tree(title)
    urns = {r.urn for r in run.registrations}
    children: dict[str, list[Any]] = {}
    for reg in run.registrations:
        children.setdefault(reg.parent, []).append(reg)

    def add(branch: Tree, parent: str) -> None:
        for reg in sorted(children.get(parent, []), key=lambda r: r.name):
            add(branch.add(f"{reg.name} [dim]{reg.type}[/dim]"), reg.urn)

    for root in sorted(parent for parent in children if parent not in urns):
        add(tree, root)
    return tree


@app.command()
def plan(
    stack: StackArg,
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Where to write the plan: a new or empty directory, or a previous plan "
            "(replaced whole).",
        ),
    ] = Path("plan"),
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            metavar="DIR",
            help="Plan another Pulumi Python project (its Pulumi.yaml, program and stacks) "
            "instead of Klustered's own program.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No resource tree.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Tracebacks of errors.")] = False,
) -> None:
    """Run the program offline (mock engine) and write resources, graph and node files."""
    import pulumi

    from klustered.plan import PlanError, plan_project, plan_stack, write_plan

    gc.disable()  # a short-lived process holding a large heap: see offline_runtime
    if project is None:
        stack_file, _ = _load(stack, warn=False)  # the program logs its warnings itself
    else:
        try:
            pulumi_project = load_project(project)
            stack_file = load_stack_file(stack, within=pulumi_project)
        except (ProjectError, StackFileError) as exc:
            raise _fail(f"error: {exc}") from None
    try:
        logger = _program_log()
        result = (
            plan_stack(stack_file, logger)
            if project is None
            else plan_project(pulumi_project, stack_file, logger)
        )
        written = write_plan(result, out_dir)
    except (pulumi.RunError, PlanError) as exc:
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


class _LevelPrefix(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _program_log() -> logging.Logger:
    """Where a planned program's own messages (`pulumi.log.warn`, ...) go: stderr, one
    line each, `warning: ...` as `validate` prints them."""
    logger = logging.getLogger("klustered.plan.program")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_LevelPrefix())
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = False
    return logger


def command() -> Any:
    """The click command behind `klustered`, with help that names values by their metavar
    (`--out DIR`, `STACK|FILE`) instead of typer's type tags (`<str>`, `<path>`), and that
    is neither wrapped nor shortened when it does not go to a terminal."""
    root = typer.main.get_command(app)
    _plain_help(root)
    if not out.is_terminal:
        root.context_settings = {**root.context_settings, "terminal_width": PIPE_WIDTH}
    return root


def _plain_help(cmd: Any) -> None:
    for param in cmd.params:
        if param.param_type_name == "argument":
            # typer 0.29 prints `NAME <str>` and `{NAME}` for arguments: NAME is enough.
            param.display_type_rich = lambda ctx: None
            name = param.metavar or param.name.upper()
            suffix = "..." if param.nargs != 1 else ""
            usage = f"{name}{suffix}" if param.required else f"[{name}]{suffix}"
            param.get_usage_pieces = lambda ctx, usage=usage: [usage]
    for sub in getattr(cmd, "commands", {}).values():
        _plain_help(sub)


def main() -> None:
    """Console-script entry point."""
    try:
        command().main(prog_name="klustered")
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug: still one line, the traceback only on request
        if os.environ.get("KLUSTERED_DEBUG"):
            traceback.print_exc()
        err.print(
            f"error: unexpected {type(exc).__name__}: {exc} (KLUSTERED_DEBUG=1 shows where)",
            markup=False,
            soft_wrap=True,
        )
        sys.exit(1)
