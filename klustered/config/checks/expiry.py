"""Warnings about the stack's expiry (`klustered:expires`)."""

from __future__ import annotations

from datetime import UTC, datetime

from klustered.config.checks.base import CheckContext, rule
from klustered.config.errors import ConfigWarning
from klustered.expiry import expires_warnings


@rule("expires")
def expiry_in_range(ctx: CheckContext) -> list[ConfigWarning]:
    """An expiry that has passed (CI destroys the stack) or is more than 30 days ahead."""
    return [
        ConfigWarning("expires", message)
        for message in expires_warnings(ctx.config.expires, datetime.now(UTC))
    ]
