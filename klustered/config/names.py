"""Names that end up outside Klustered: DNS labels, hostnames, cloud names, handles.

Each check raises ValueError with a one-line message that names the rule; patterns end in
`\\Z` (not `$`, which lets a trailing newline through).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from klustered.config.errors import show

TEAM_NAME_MAX = 20
"""A team name starts node names, hostnames, GCE names and `<team>.<stack>.<domain>`."""

_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
_GCE_NAME = re.compile(r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
_GITHUB_HANDLE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\Z")
_GCP_PROJECT = re.compile(r"(?:[a-z][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]\Z")
_GCP_ZONE = re.compile(r"[a-z]+-[a-z]+[0-9]{1,2}-[a-z]\Z")
_GCP_MACHINE_TYPE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+\Z")
_GCP_TOO_SMALL = re.compile(
    r"(?:f1-micro|g1-small|e2-micro|[a-z0-9]+-(?:standard|highmem|highcpu)-1)\Z"
)
_GCP_NETWORK = re.compile(
    r"(?:projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/global/networks/)?[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?\Z"
)
_GCP_IMAGE = re.compile(
    r"(?:projects/)?(?P<project>[a-z][a-z0-9-]{4,28}[a-z0-9])"
    r"(?:/global/images(?P<family>/family)?)?/(?P<image>[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?)\Z"
)
APT_GCP_IMAGE_PROJECTS = ("ubuntu-os-cloud", "ubuntu-os-pro-cloud", "debian-cloud")
"""Public image projects whose images use apt (the node scripts install with apt)."""
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_METAL_METRO = re.compile(r"[a-z]{2}\Z")
_METAL_PLAN = re.compile(r"[a-z0-9]+(?:\.[a-z0-9-]+)+\Z")
_METAL_OS = re.compile(r"(?:ubuntu|debian)_[a-z0-9_]+\Z")


def dns_label(value: str, what: str = "a DNS label") -> str:
    """Lower-case a-z, 0-9 and inner `-`, at most 63; not an IDNA-reserved `ab--` form."""
    if not _DNS_LABEL.match(value):
        raise ValueError(
            f"{show(value)} is not {what} (lower-case a-z, 0-9 and '-', not starting or "
            "ending with '-', at most 63)"
        )
    if value[2:4] == "--":
        raise ValueError(f"{show(value)} has '--' at positions 3-4, reserved for IDNA (xn--)")
    return value


def team_name(value: str) -> str:
    """A DNS label starting with a letter, at most 20: it begins every node and GCE name."""
    if len(value) > TEAM_NAME_MAX:
        raise ValueError(f"{show(value)} is longer than {TEAM_NAME_MAX} characters")
    dns_label(value)
    if not value[0].isalpha():
        raise ValueError(
            f"{show(value)} does not start with a letter (it begins GCE instance names)"
        )
    return value


def github_handle(value: str) -> str:
    """A GitHub login: 1-39 of letters, digits and single inner dashes."""
    if not _GITHUB_HANDLE.match(value):
        raise ValueError(
            f"{show(value)} is not a GitHub handle (1-39 of a-z, A-Z, 0-9 and single inner '-')"
        )
    return value


def gce_name(value: str, what: str) -> str:
    """A Compute Engine resource name: a letter, then a-z, 0-9 and '-', at most 63."""
    if not _GCE_NAME.match(value):
        raise ValueError(
            f"{show(value)} is not a valid {what} (GCE names: a lower-case letter, then "
            "a-z, 0-9 and '-', not ending with '-', at most 63)"
        )
    return value


def gcp_project(value: str) -> str:
    """A GCP project id: 6-30 of a-z, 0-9 and '-', starting with a letter."""
    if not _GCP_PROJECT.match(value):
        raise ValueError(
            f"{show(value)} is not a GCP project id (6-30 of a-z, 0-9 and '-', starting "
            "with a letter, not ending with '-')"
        )
    return value


def gcp_zone(value: str) -> str:
    """A zone like europe-west4-a."""
    if not _GCP_ZONE.match(value):
        raise ValueError(f"{show(value)} is not a GCP zone like europe-west4-a")
    return value


def gcp_machine_type(value: str) -> str:
    """A machine type like e2-standard-4, big enough for kubeadm (2 CPUs, 1700 MB)."""
    if not _GCP_MACHINE_TYPE.match(value) or len(value) > 63:
        raise ValueError(f"{show(value)} is not a GCP machine type like e2-standard-4")
    if _GCP_TOO_SMALL.match(value):
        raise ValueError(
            f"{show(value)} is too small for a Kubernetes node (kubeadm needs 2 CPUs and 1700 MB)"
        )
    return value


def gcp_network(value: str) -> str:
    """A VPC network name, or `projects/<project>/global/networks/<name>`."""
    if not _GCP_NETWORK.match(value):
        raise ValueError(
            f"{show(value)} is not a GCP network (a name like default, or "
            "projects/<project>/global/networks/<name>)"
        )
    return value


def gcp_image(value: str) -> str:
    """An image or image family in an apt-based (Ubuntu or Debian) public image project."""
    match = _GCP_IMAGE.match(value)
    if not match:
        raise ValueError(
            f"{show(value)} is not a GCP image (project/image, or "
            "projects/<project>/global/images/[family/]<name>)"
        )
    project, image = match.group("project"), match.group("image")
    if project not in APT_GCP_IMAGE_PROJECTS and not re.match(r"(?:ubuntu|debian)-", image):
        raise ValueError(
            f"{show(value)} is not an Ubuntu or Debian image: the node scripts install "
            f"with apt (image projects: {', '.join(APT_GCP_IMAGE_PROJECTS)})"
        )
    return value


def metal_project(value: str) -> str:
    """An Equinix Metal project id (a UUID)."""
    if not _UUID.match(value):
        raise ValueError(f"{show(value)} is not an Equinix Metal project id (a lower-case UUID)")
    return value


def metal_metro(value: str) -> str:
    """A two-letter metro code."""
    if not _METAL_METRO.match(value):
        raise ValueError(f"{show(value)} is not an Equinix Metal metro (two letters, like am)")
    return value


def metal_plan(value: str) -> str:
    """A plan like c3.small.x86."""
    if not _METAL_PLAN.match(value):
        raise ValueError(f"{show(value)} is not an Equinix Metal plan like c3.small.x86")
    return value


def metal_os(value: str) -> str:
    """An apt-based operating system slug (ubuntu_24_04, debian_12)."""
    if not _METAL_OS.match(value):
        raise ValueError(
            f"{show(value)} is not an Ubuntu or Debian OS slug like ubuntu_24_04 (the node "
            "scripts install with apt)"
        )
    return value


TeamName = Annotated[str, AfterValidator(team_name)]
GithubHandle = Annotated[str, AfterValidator(github_handle)]
GcpProject = Annotated[str, AfterValidator(gcp_project)]
GcpZone = Annotated[str, AfterValidator(gcp_zone)]
GcpMachineType = Annotated[str, AfterValidator(gcp_machine_type)]
GcpNetwork = Annotated[str, AfterValidator(gcp_network)]
GcpImage = Annotated[str, AfterValidator(gcp_image)]
MetalProject = Annotated[str, AfterValidator(metal_project)]
MetalMetro = Annotated[str, AfterValidator(metal_metro)]
MetalPlan = Annotated[str, AfterValidator(metal_plan)]
MetalOs = Annotated[str, AfterValidator(metal_os)]
