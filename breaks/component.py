"""The Break component: one scenario applied to one team's cluster, over SSH, on stdin.

Every script goes on stdin (prelude included), leaves nothing on the node, and runs with
logging off and secret outputs (the Pulumi output is on the stream). Destroying the
component runs the solve script on the targets, so removing a break heals the cluster.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from typing import NotRequired, TypedDict

import pulumi
from pulumi_command import remote

from breaks.lifecycle import Step, lifecycle_steps
from breaks.render import render_steps
from breaks.scenario import Scenario, Targets
from breaks.targets import resolve_targets
from components.handles import ClusterHandle, NodeHandle
from components.nodes import NodeRole

TYPE = "klustered:breaks:Break"


class BreakArgs(TypedDict):
    """A scenario, the cluster it breaks, and how."""

    cluster: ClusterHandle
    scenario: Scenario
    default_verify: pulumi.Input[str]
    """The verify step when the scenario has none: the app healthy as deployed."""
    targets: NotRequired[Targets | None]
    """Overrides the scenario's targets (control-plane, workers, all, api, node names)."""
    params: NotRequired[dict[str, str | int | bool]]
    rehearse: NotRequired[bool]
    """Break, verify red, solve, verify green, then break again: proof before air time."""
    revert_on_destroy: NotRequired[bool]
    """Run solve.sh when the break is removed (default true)."""
    depends_on: NotRequired[list[pulumi.Resource]]
    """What must exist first besides the cluster's readiness (the workload)."""


REVERT_ENV = "LC_KLUSTERED_SOLVE"
"""Carries a secret break's solve to its delete command (sshd passes LC_* by default)."""


def revert_command(shell: str, solve: str, *, secret: bool = False) -> str:
    """The delete command: the solve script, base64 (delete has no stdin).

    A public break's solve rides in the command string. A secret break's cannot: pulumi-
    command prints the command string when it fails. Its solve comes in the environment
    variable REVERT_ENV instead (`revert_environment`), which is never printed.
    """
    if secret:
        return (
            f'test -n "${{{REVERT_ENV}:-}}" || {{ echo "klustered: the solve did not arrive '
            f'(sshd must accept {REVERT_ENV}: AcceptEnv LC_*)" >&2; exit 1; }}; '
            f'printf %s "${REVERT_ENV}" | base64 -d | {shell}'
        )
    encoded = base64.b64encode(solve.encode()).decode()
    return f"printf '%s' '{encoded}' | base64 -d | {shell}"


def is_secret_break(scenario: Scenario) -> bool:
    """A break whose scripts are secret: held inline in the stack file, or `secret: true`."""
    return scenario.spec.secret or scenario.origin.startswith("inline:")


class Break(pulumi.ComponentResource):
    """One break on one team's cluster, applied with the KlusteredBench lifecycle."""

    rendered_files: dict[str, pulumi.Output[str]]
    """`breaks/<id>/<step>.sh`: the scripts as they are sent (secret)."""
    targets: list[str]
    """The node names the break runs on."""

    def __init__(
        self, name: str, args: BreakArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, {}, opts)
        cluster, scenario = args["cluster"], args["scenario"]
        params: dict[str, object] = dict(args.get("params", {}))
        rehearse = args.get("rehearse", False)
        slots = [n.slot for n in cluster.nodes]
        chosen = resolve_targets(args.get("targets") or scenario.spec.targets, slots)
        by_name = {n.name: n for n in cluster.nodes}
        targets = [by_name[s.name] for s in chosen]
        first = next(
            n for n in cluster.nodes if n.role == NodeRole.CONTROL_PLANE and n.slot.index == 1
        )
        self.targets = [t.name for t in targets]
        self.secret = is_secret_break(scenario)

        # The shape of the lifecycle does not depend on the verify text: take it now, and
        # render the real scripts once the cluster's default verify is known.
        shape = lifecycle_steps(scenario, params, "true", rehearse=rehearse)
        rendered = pulumi.Output.from_input(args["default_verify"]).apply(
            lambda verify: lifecycle_steps(scenario, params, verify, rehearse=rehearse)
        )
        solve = pulumi.Output.from_input(args["default_verify"]).apply(
            lambda verify: render_steps(scenario, params, goal_check=verify)["solve"]
        )
        self.rendered_files = {
            f"breaks/{scenario.id}/80-solve-on-destroy.sh": pulumi.Output.secret(solve)
        }

        after: list[pulumi.Resource] = [*cluster.ready, *args.get("depends_on", [])]
        last_break_step = ""
        for index, step in enumerate(shape):
            script: pulumi.Output[str] = pulumi.Output.secret(_step_script(rendered, index))
            self.rendered_files[f"breaks/{scenario.id}/{step.name}.sh"] = script
            nodes = targets if step.on == "targets" else [first]
            if step.name.endswith("-break"):
                last_break_step = step.name
            commands = [
                self._command(
                    f"{name}-{step.name}" + (f"-{node.name}" if step.on == "targets" else ""),
                    node,
                    script,
                    solve if step.reverts and args.get("revert_on_destroy", True) else None,
                    after=[*after, node.ready],
                    rerun_with=(
                        _digest(rendered, last_break_step) if "verify-red" in step.name else None
                    ),
                )
                for node in nodes
            ]
            after = list(commands)
        self.register_outputs({"targets": self.targets})

    def _command(
        self,
        resource_name: str,
        node: NodeHandle,
        script: pulumi.Output[str],
        solve: pulumi.Output[str] | None,
        *,
        after: Sequence[pulumi.Resource],
        rerun_with: pulumi.Output[str] | None,
    ) -> remote.Command:
        delete: pulumi.Output[str] | None = None
        environment: dict[str, pulumi.Input[str]] | None = None
        if solve is not None:
            shell, secret = node.shell, self.secret
            delete = pulumi.Output.secret(
                solve.apply(lambda text: revert_command(shell, text, secret=secret))
            )
            if secret:
                environment = {
                    REVERT_ENV: pulumi.Output.secret(
                        solve.apply(lambda text: base64.b64encode(text.encode()).decode())
                    )
                }
        return remote.Command(
            resource_name,
            connection=node.connection,
            create=node.shell,
            stdin=script,
            delete=delete,
            environment=environment,
            triggers=[rerun_with] if rerun_with is not None else None,
            logging=remote.Logging.NONE,
            add_previous_output_in_env=False,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=list(after),
                deleted_with=node.machine,
                additional_secret_outputs=["stdout", "stderr"],
            ),
        )


def _step_script(rendered: pulumi.Output[list[Step]], index: int) -> pulumi.Output[str]:
    """The script of step `index`, once rendered."""
    return rendered.apply(lambda steps: steps[index].script)


def _digest(rendered: pulumi.Output[list[Step]], step_name: str) -> pulumi.Output[str]:
    """A hash of the break step: the verify after it runs again when the break changes."""
    return pulumi.Output.secret(
        rendered.apply(
            lambda steps: hashlib.sha256(
                "".join(s.script for s in steps if s.name == step_name).encode()
            ).hexdigest()
        )
    )
