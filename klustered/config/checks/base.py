"""What a cross-field rule sees, and how rules are declared and run."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from klustered.config.errors import ConfigProblem, redacted
from klustered.config.stack import StackConfig
from klustered.config.teams import TeamConfig


@dataclass(frozen=True)
class CheckContext:
    """The parts of a stack that validated on their own, for rules that span sections.

    A section that failed its own validation holds its defaults in `config` and is named
    in `failed`; rules that read it are skipped, so one mistake is reported once.
    """

    config: StackConfig
    teams: tuple[tuple[str, TeamConfig], ...]
    """Every team that validated, with its field path (`teams[2]`)."""
    base_dir: Path
    """The project directory (break paths are relative to it)."""
    failed: frozenset[str]
    """Top-level sections (`kubernetes`, `teams`, ...) that did not validate."""
    stack: str = ""
    """The stack's name, when known (names derived from it: DNS zones, GCP prefixes)."""
    secret: frozenset[str] = frozenset()
    """Top-level sections whose key Pulumi marks secret: their values are never echoed."""
    secret_keys: frozenset[str] | None = None
    """Full keys the stack keeps encrypted (`klustered:sshKey`); None when not known."""
    provider_keys: frozenset[str] = frozenset()
    """Config keys of other namespaces the stack sets (`gandi:personalAccessToken`); only
    their presence is known to rules, never their values."""


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: the sections it reads and the function returning its problems."""

    sections: frozenset[str]
    check: Callable[[CheckContext], Sequence[ConfigProblem]]
    reads: frozenset[str] = frozenset()
    """Every section the rule reads, `teams` included (for redacting secret ones)."""

    def __call__(self, ctx: CheckContext) -> Sequence[ConfigProblem]:
        """The rule's problems; none when a section it reads failed on its own."""
        if self.sections & ctx.failed:
            return []
        return self.check(ctx)


def rule(*sections: str) -> Callable[[Callable[[CheckContext], Sequence[ConfigProblem]]], Rule]:
    """Declare a rule reading these top-level sections (snake_case field names).

    `teams` needs no mention: a rule sees every team that validated, with its path.
    """

    def wrap(check: Callable[[CheckContext], Sequence[ConfigProblem]]) -> Rule:
        return Rule(frozenset(s for s in sections if s != "teams"), check, frozenset(sections))

    return wrap


def run_rules(rules: Iterable[Rule], ctx: CheckContext) -> list[ConfigProblem]:
    """Every problem every rule finds, in rule order; a rule reading a secret section
    echoes no value."""
    problems: list[ConfigProblem] = []
    for r in rules:
        # Every rule sees the teams, so a secret teams key quiets every rule.
        with redacted() if (r.reads | {"teams"}) & ctx.secret else nullcontext():
            problems += r(ctx)
    return problems
