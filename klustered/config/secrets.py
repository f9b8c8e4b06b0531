"""Secret config values: how they are marked when they cannot be read, and kept unseen."""

from __future__ import annotations

SECRET_PLACEHOLDER = "[secret]"
"""A `{secure: ...}` value read without the Pulumi CLI (offline validate and plan)."""
