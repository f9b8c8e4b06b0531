"""The workload manifests validate against the Kubernetes schemas of the configured version."""

from __future__ import annotations

import pytest

kubernetes_validate = pytest.importorskip(
    "kubernetes_validate", reason="kubernetes-validate is not installed"
)
from kubernetes_validate import utils as kv_utils  # noqa: E402

from components.workload.manifests import WorkloadSpec, workload_manifests  # noqa: E402

# The stack default is "1.34"; kubernetes-validate names schemas by minor (x.y.0).
CONFIGURED_VERSIONS = ["1.34.0", "1.33.0"]


def test_schemas_exist_for_the_configured_versions() -> None:
    available = set(kv_utils.all_versions())
    assert set(CONFIGURED_VERSIONS) <= available, sorted(available)


@pytest.mark.parametrize("version", CONFIGURED_VERSIONS)
@pytest.mark.parametrize("index", range(5))
def test_manifest_passes_strict_schema_validation(version: str, index: int) -> None:
    obj = workload_manifests(WorkloadSpec())[index]
    kubernetes_validate.validate(obj, version, strict=True)


def test_validation_rejects_a_broken_manifest() -> None:
    obj = workload_manifests()[4]
    obj["spec"]["ports"][0]["nodePort"] = "thirty-thousand"
    obj["spec"]["portz"] = []
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(obj, CONFIGURED_VERSIONS[0], strict=True)
