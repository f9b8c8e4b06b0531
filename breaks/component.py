"""The Break component: one scenario applied to one team's cluster, over SSH, on stdin.

Every script goes on stdin (prelude included), leaves nothing on the node, and runs with
logging off and secret outputs (the Pulumi output is on the stream). A failing step says
which step failed, never what it printed. Destroying the component runs the solve script
on the targets (staged encrypted at break time), so removing a break heals the cluster.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import NotRequired, TypedDict

import pulumi
import pulumi_random as random
from pulumi_command import remote

from breaks.lifecycle import Step, lifecycle_steps
from breaks.render import render_steps
from breaks.scenario import Scenario, Targets
from breaks.solve_on_destroy import KEY_ENV, render_delete_command, render_stage_script
from breaks.targets import resolve_targets
from components.handles import ClusterHandle, NodeHandle, WorkloadHandle, image_repository
from components.nodes import NodeRole
from components.workload.goal_check import render_goal_check

TYPE = "klustered:breaks:Break"


class BreakArgs(TypedDict):
    """A scenario, the cluster it breaks, and how."""

    cluster: ClusterHandle
    scenario: Scenario
    default_verify: NotRequired[pulumi.Input[str]]
    """The goal check a break without verify.sh samples; default: derived from the cluster
    (the app as deployed: its Deployment, Service, the API and every endpoint's page)."""
    targets: NotRequired[Targets | None]
    """Overrides the scenario's targets (control-plane, workers, all, api, node names)."""
    params: NotRequired[dict[str, str | int | bool]]
    rehearse: NotRequired[bool]
    """Break, verify red, solve, verify green, then break again: proof before air time."""
    revert_on_destroy: NotRequired[bool]
    """Run solve.sh when the break is removed (default true)."""
    depends_on: NotRequired[list[pulumi.Resource]]
    """What must exist first besides the cluster's readiness (the workload)."""
    after_other_breaks: NotRequired[bool]
    """True when the team's earlier breaks bit already (pass them in depends_on): no
    verify before, and the bite is proven only by the scenario's own verify.sh."""


def image_tag(image: str) -> str:
    """The tag of an image reference (`latest` when it has none): the version it serves."""
    name = image.split("@", 1)[0]
    rest = name[len(image_repository(name)) :]
    return rest[1:] if rest.startswith(":") else "latest"


def default_goal_check(cluster: ClusterHandle) -> pulumi.Output[str]:
    """The goal check for the version the cluster's app was deployed with, run on
    control-plane-1 against its own cluster address."""
    workload = cluster.workload or WorkloadHandle()
    first = _first_control_plane(cluster)
    version = image_tag(workload.image)
    return first.cluster_ip.apply(
        lambda ip: render_goal_check(ip, version=version, workload=workload)
    )


def _first_control_plane(cluster: ClusterHandle) -> NodeHandle:
    return next(n for n in cluster.nodes if n.role == NodeRole.CONTROL_PLANE and n.slot.index == 1)


class Break(pulumi.ComponentResource):
    """One break on one team's cluster, applied with the KlusteredBench lifecycle."""

    rendered_files: dict[str, pulumi.Output[str]]
    """`breaks/<id>/<step>.sh`: the scripts as they are sent (secret)."""
    targets: list[str]
    """The node names the break runs on."""

    def __init__(
        self, name: str, args: BreakArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Apply `args["scenario"]` (from `load_break`, `load_scenario` or
        `resolve_scenario`) to the cluster `args["cluster"]` (a Cluster's `handle`).

        `default_verify` is the verify script for a scenario without verify.sh (for the
        app as deployed: `render_goal_check(<control-plane-1 cluster address>)`). Optional
        args: `targets` (default: the scenario's), `params`, `rehearse` (default False),
        `revert_on_destroy` (default True), `depends_on` (what must exist first, such as
        the Workload). Outputs: `targets` and `rendered_files` (the scripts, secret).
        """
        super().__init__(TYPE, name, {}, opts)
        cluster, scenario = args["cluster"], args["scenario"]
        workload = cluster.workload
        params: dict[str, object] = dict(args.get("params", {}))
        rehearse = args.get("rehearse", False)
        revert = args.get("revert_on_destroy", True)
        slots = [n.slot for n in cluster.nodes]
        chosen = resolve_targets(args.get("targets") or scenario.targets, slots)
        by_name = {n.name: n for n in cluster.nodes}
        targets = [by_name[s.name] for s in chosen]
        first = _first_control_plane(cluster)
        self.targets = [t.name for t in targets]
        default_verify = args.get("default_verify")
        goal: pulumi.Output[str] = pulumi.Output.from_input(
            default_verify if default_verify is not None else default_goal_check(cluster)
        )

        # The shape of the lifecycle does not depend on the verify text: take it now, and
        # render the real scripts once the cluster's goal check is known.
        later = args.get("after_other_breaks", False)
        shape = lifecycle_steps(
            scenario, params, "true", rehearse=rehearse, workload=workload, after_other_breaks=later
        )
        rendered = goal.apply(
            lambda verify: lifecycle_steps(
                scenario,
                params,
                verify,
                rehearse=rehearse,
                workload=workload,
                after_other_breaks=later,
            )
        )
        solve = goal.apply(
            lambda verify: render_steps(scenario, params, goal_check=verify, workload=workload)[
                "solve"
            ]
        )
        self.rendered_files = {
            f"breaks/{scenario.id}/80-solve-on-destroy.sh": pulumi.Output.secret(solve)
        }
        key = (
            random.RandomPassword(
                f"{name}-solve-key",
                length=40,
                special=False,
                opts=pulumi.ResourceOptions(parent=self),
            ).result
            if revert
            else None
        )

        after: list[pulumi.Resource] = [*cluster.ready, *args.get("depends_on", [])]
        last_break_step = ""
        for index, step in enumerate(shape):
            script: pulumi.Output[str] = pulumi.Output.secret(_step_script(rendered, index))
            self.rendered_files[f"breaks/{scenario.id}/{step.name}.sh"] = script
            nodes = targets if step.on == "targets" else [first]
            if step.name.endswith("-break"):
                last_break_step = step.name
            if step.reverts and key is not None:
                after = self._stage_solve(
                    name, scenario.id, targets=targets, solve=solve, key=key, after=after
                )
            commands = [
                self._command(
                    f"{name}-{step.name}" + (f"-{node.name}" if step.on == "targets" else ""),
                    node,
                    script,
                    None,
                    after=[*after, node.ready],
                    rerun_with=(
                        _digest(rendered, last_break_step) if "verify-red" in step.name else None
                    ),
                )
                for node in nodes
            ]
            after = list(commands)
        self.register_outputs({"targets": self.targets})

    def _stage_solve(
        self,
        name: str,
        break_id: str,
        *,
        targets: Sequence[NodeHandle],
        solve: pulumi.Output[str],
        key: pulumi.Output[str],
        after: Sequence[pulumi.Resource],
    ) -> list[pulumi.Resource]:
        """Stage the encrypted solve on every target; deleting these commands runs it."""
        both: pulumi.Output[list[str]] = pulumi.Output.all(solve, key)

        def stage_text(values: list[str]) -> str:
            return render_stage_script(break_id, values[0], values[1])

        stage: pulumi.Output[str] = pulumi.Output.secret(both.apply(stage_text))
        self.rendered_files[f"breaks/{break_id}/59-stage-solve.sh"] = stage
        staged: list[pulumi.Resource] = []
        for node in targets:

            def delete_text(text: str, shell: str = node.shell) -> str:
                return render_delete_command(break_id, text, shell)

            delete: pulumi.Output[str] = pulumi.Output.secret(solve.apply(delete_text))
            staged.append(
                self._command(
                    f"{name}-59-stage-solve-{node.name}",
                    node,
                    stage,
                    delete,
                    after=[*after, node.ready],
                    rerun_with=None,
                    # The key never rides in the command string (printed when it fails).
                    environment={KEY_ENV: pulumi.Output.secret(key)},
                )
            )
        return staged

    def _command(
        self,
        resource_name: str,
        node: NodeHandle,
        script: pulumi.Output[str],
        delete: pulumi.Output[str] | None,
        *,
        after: Sequence[pulumi.Resource],
        rerun_with: pulumi.Output[str] | None,
        environment: dict[str, pulumi.Input[str]] | None = None,
    ) -> remote.Command:
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
                # A host that outlives the stack must be solved before it is reset: its
                # reset cannot undo a break. A vanished cloud machine needs no solve.
                deleted_with=None if node.keeps_host else node.machine,
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
