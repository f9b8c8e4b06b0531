"""A package's public names loaded on first use (PEP 562 module `__getattr__`).

A substrate's or provider's SDK is then imported only by programs that use it, and the
pure renderers load without any SDK.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    namespace: dict[str, Any], exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for the package whose `globals()` is `namespace`, whose
    public names are `exports` (name -> the module that defines it)."""
    package = namespace["__name__"]

    def load(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # later lookups are plain attribute reads
        return value

    def listing() -> list[str]:
        return sorted({*namespace, *exports})

    return load, listing
