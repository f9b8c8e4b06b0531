"""The goal check's judgement of the app's objects, as the node runs it (python3, stdlib).

Shipped inside the goal check script and run on control-plane-1 as
"python3 -c SOURCE IMAGE CONTAINER < state.json", where state.json holds what kubectl
returned: {"deployment": ..., "replicasets": ..., "pods": ..., "slices": ...}. It
prints one "ADDRESS PORT" line per ready endpoint of the app's Service and exits 0, or
prints why the Deployment is not what the goal wants and exits 1. Importable for tests.
"""

from __future__ import annotations

import json
import sys
from typing import Any


class UnmetError(Exception):
    """The goal is not met; the message says why in one line."""


def _image_matches(image: str, wanted: str) -> bool:
    return image == wanted or image.startswith(wanted + "@")


def _owned_by(obj: dict[str, Any], uid: str) -> bool:
    refs = obj.get("metadata", {}).get("ownerReferences") or []
    return any(ref.get("uid") == uid and ref.get("controller", True) for ref in refs)


def _container_image(pod_spec: dict[str, Any], container: str) -> str | None:
    for c in pod_spec.get("containers") or []:
        if c.get("name") == container:
            image = c.get("image")
            return str(image) if image is not None else None
    return None


def endpoints(state: dict[str, Any], image: str, container: str) -> list[tuple[str, int]]:
    """The ready endpoints of the app; UnmetError when the Deployment or its Service is wrong."""
    deploy = state.get("deployment") or {}
    name = deploy.get("metadata", {}).get("name", "?")
    uid = deploy.get("metadata", {}).get("uid")
    spec = deploy.get("spec") or {}
    status = deploy.get("status") or {}
    if not uid:
        raise UnmetError("the Deployment does not exist")
    want = spec.get("replicas", 1)
    if not isinstance(want, int) or want < 1:
        raise UnmetError(f"Deployment {name} wants {want} replicas")
    if spec.get("paused"):
        raise UnmetError(f"Deployment {name} is paused")
    got = _container_image(spec.get("template", {}).get("spec") or {}, container)
    if got is None:
        raise UnmetError(f"Deployment {name} has no container {container}")
    if not _image_matches(got, image):
        raise UnmetError(f"Deployment {name} runs {got}, not {image}")
    generation = deploy.get("metadata", {}).get("generation", 0)
    if status.get("observedGeneration", 0) < generation:
        raise UnmetError(f"Deployment {name}: the controller has not seen its latest spec")
    for field, label in (
        ("updatedReplicas", "updated"),
        ("availableReplicas", "available"),
        ("readyReplicas", "ready"),
        ("replicas", "existing"),
    ):
        if status.get(field, 0) != want:
            raise UnmetError(
                f"Deployment {name}: {status.get(field, 0)} of {want} replicas {label}"
            )
    if status.get("unavailableReplicas", 0):
        raise UnmetError(f"Deployment {name}: {status['unavailableReplicas']} replicas unavailable")

    replicasets = {
        rs["metadata"]["uid"]
        for rs in (state.get("replicasets") or {}).get("items", [])
        if _owned_by(rs, uid)
    }
    pods: dict[str, dict[str, Any]] = {}
    for pod in (state.get("pods") or {}).get("items", []):
        if any(_owned_by(pod, rs) for rs in replicasets):
            pods[pod["metadata"]["name"]] = pod

    ready: list[tuple[str, int]] = []
    seen_any = False
    for eps in (state.get("slices") or {}).get("items", []):
        ports = [p for p in eps.get("ports") or [] if p.get("port")]
        for endpoint in eps.get("endpoints") or []:
            seen_any = True
            ref = endpoint.get("targetRef") or {}
            addresses = endpoint.get("addresses") or []
            where = addresses[0] if addresses else "?"
            if ref.get("kind") != "Pod" or ref.get("name") not in pods:
                who = f"{ref.get('kind', 'nothing')} {ref.get('name', '')}".strip()
                raise UnmetError(f"the Service sends traffic to {where} ({who}), not to {name}")
            pod = pods[ref["name"]]
            pod_image = _container_image(pod.get("spec") or {}, container) or ""
            if not _image_matches(pod_image, image):
                raise UnmetError(f"pod {ref['name']} behind the Service runs {pod_image}")
            conditions = endpoint.get("conditions") or {}
            if conditions.get("ready") is False or conditions.get("terminating"):
                continue
            if not ports:
                raise UnmetError("the Service's endpoints have no port")
            for address in addresses:
                ready.append((address, int(ports[0]["port"])))
    if not seen_any or not ready:
        raise UnmetError(f"the Service has no ready endpoint of {name}")
    if len(ready) < want:
        raise UnmetError(f"the Service has {len(ready)} ready endpoints for {want} replicas")
    return ready


def main(argv: list[str]) -> int:
    """Read the state on stdin; print the endpoints (exit 0) or the reason (exit 1)."""
    image, container = argv[1], argv[2]
    try:
        state = json.load(sys.stdin)
        found = endpoints(state, image, container)
    except UnmetError as exc:
        print(exc)
        return 1
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"unreadable state from the API: {type(exc).__name__}")
        return 1
    for address, port in found:
        print(address, port)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
