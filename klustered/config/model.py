"""The base every config section derives from, and value checks several sections share."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from klustered.config.cidrs import usable_network
from klustered.config.errors import show


class ConfigModel(BaseModel):
    """Strict, immutable, camelCase on the wire, unknown keys rejected.

    Strict: a boolean is never taken as a number, a float never as an integer, a number
    never as a string (`version: 1.30` unquoted is the float 1.3, not "1.30").
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,
        strict=True,
    )


Cidr = Annotated[str, Field(min_length=1)]


def check_cidr(value: str) -> str:
    """An IPv4 network in prefix form, clear of loopback, link-local, multicast and the rest."""
    usable_network(value)
    return value


def one_of(value: object, allowed: tuple[int, ...]) -> int:
    """An integer (not a boolean, not a float) among `allowed`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{show(value)} is not a whole number")
    if value not in allowed:
        listed = ", ".join(str(a) for a in allowed[:-1]) + f" or {allowed[-1]}"
        raise ValueError(f"{show(value)} is not one of {listed}")
    return value
