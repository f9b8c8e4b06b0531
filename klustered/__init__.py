"""The application layer: stack-config schema, episode assembly, offline plan and CLI."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("klustered")
    """The installed distribution's version (pyproject.toml)."""
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
