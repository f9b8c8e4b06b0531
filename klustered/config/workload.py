"""`klustered:workload`: the Klustered app every cluster starts with."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator

from klustered.config.images import parse_image, tagged_image
from klustered.config.model import ConfigModel


def _image(value: str) -> str:
    parse_image(value)
    return value


class WorkloadConfig(ConfigModel):
    """The Klustered app every cluster starts with, in the show's or KlusteredBench's baseline."""

    baseline: Literal["show", "klusteredbench"] = "show"
    """`klusteredbench`: exactly KlusteredBench's baseline objects, so its scenarios run
    unchanged (Deployment `database`, image ghcr.io/rawkode-academy/klustered)."""
    image: Annotated[str, AfterValidator(tagged_image)] | None = None
    """The v1 app image; default: the baseline's. v2 is the same repository, tag v2."""
    postgres_image: Annotated[str, AfterValidator(_image)] = "postgres:16"
