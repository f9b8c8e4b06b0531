"""Whether the Equinix Metal SDK loads here, asked only for stacks that name the substrate."""

from __future__ import annotations

import importlib
import sys

SDK = "pulumi_equinix_metal"


def sdk_load_error() -> str | None:
    """None when the Equinix Metal machine module imports; else a one-line reason why not.

    The 2021 SDK imports `pkg_resources`, which Python 3.12+ venvs (and recent setuptools)
    no longer have; it is installed only on Python 3.11 (`pip install klustered[equinix-metal]`).
    """
    try:
        importlib.import_module("components.machines.equinix_metal")
    except ImportError as exc:
        python = f"{sys.version_info.major}.{sys.version_info.minor}"
        if getattr(exc, "name", None) == SDK:
            why = "pulumi-equinix-metal is not installed"
        else:
            why = f"pulumi-equinix-metal (2021) cannot load on Python {python}: {exc}"
        return (
            f"'equinix-metal': {why}; the SDK needs Python 3.11 (pip install "
            "'klustered[equinix-metal]'), and the service shut down on 2026-06-30: "
            "move this team to gcp, scaleway or existing"
        )
    return None
