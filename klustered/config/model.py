"""The base every config section derives from, and value checks several sections share."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from klustered.config.errors import show


class ConfigModel(BaseModel):
    """Strict, immutable, camelCase on the wire, unknown keys rejected."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        strict=False,
    )


Cidr = Annotated[str, Field(min_length=1)]


def check_cidr(value: str) -> str:
    """An IPv4 network in CIDR form, or a ValueError naming the value."""
    try:
        ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{show(value)} is not an IPv4 network in CIDR form ({exc})") from None
    return value
