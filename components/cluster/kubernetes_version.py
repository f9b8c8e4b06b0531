"""The Kubernetes version a cluster asks for: a minor ("1.34", latest patch) or an exact patch."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_VERSION = "1.34"
"""The Kubernetes minor a cluster gets when none is asked for (latest patch)."""

_VERSION = re.compile(r"^v?(1)\.(\d{1,3})(?:\.(\d{1,3}))?\Z")


@dataclass(frozen=True)
class KubernetesVersion:
    """A parsed `1.<minor>[.<patch>]`; without a patch the node installs the latest patch."""

    minor: int
    patch: int | None = None

    @classmethod
    def parse(cls, text: str) -> KubernetesVersion:
        """Parse "1.34", "1.34.2" or "v1.34.2"."""
        match = _VERSION.fullmatch(text.strip())
        if not match:
            raise ValueError(f"Kubernetes version must look like 1.34 or 1.34.2, got {text!r}")
        patch = match.group(3)
        return cls(minor=int(match.group(2)), patch=int(patch) if patch is not None else None)

    @property
    def series(self) -> str:
        """The minor series as pkgs.k8s.io names it: `v1.34`."""
        return f"v1.{self.minor}"

    @property
    def exact(self) -> str | None:
        """The exact version kubeadm expects (`v1.34.2`), or None when only a minor was given."""
        return None if self.patch is None else f"v1.{self.minor}.{self.patch}"

    @property
    def package_version(self) -> str:
        """The upstream Debian package version to pin (`1.34.2`), or "" for any patch."""
        return "" if self.patch is None else f"1.{self.minor}.{self.patch}"
