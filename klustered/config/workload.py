"""`klustered:workload`: the Klustered app every cluster starts with."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from klustered.config.images import parse_image, tagged_image
from klustered.config.model import ConfigModel


def _image(value: str) -> str:
    parse_image(value)
    return value


class WorkloadConfig(ConfigModel):
    """The Klustered app every cluster starts with."""

    image: Annotated[str, AfterValidator(tagged_image)] = "ghcr.io/rawkodeacademy/klustered:v1"
    postgres_image: Annotated[str, AfterValidator(_image)] = "postgres:16"
