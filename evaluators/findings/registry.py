"""The registry of finding rules: one small pure function per finding code.

A rule is `fn(ctx: Context) -> Iterable[Hit]`, registered with `@rule("code")`; it is named after the book's
term it checks. Which modes a code applies to, its message, advice, book reference and score effect are
data (evaluators/rules/findings.yaml), not code: `run_rules` only calls the rules whose YAML entry lists the
transcript's mode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evaluators.findings.context import Context


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a finding.

    `turn` is the index in the transcript's turns, or None for a finding about the whole call; `params` fill the YAML message template; `units` is how
    much it weighs in the score (occurrences by default; e.g. the number of missing intro parts).
    """

    turn: int | None
    params: dict[str, object] = field(default_factory=dict)
    units: int = 1


RuleFn = Callable[["Context"], Iterable[Hit]]
RULES: dict[str, RuleFn] = {}


def rule(code: str) -> Callable[[RuleFn], RuleFn]:
    """Register `fn` as the rule of finding `code` (each code has exactly one rule)."""

    def register(fn: RuleFn) -> RuleFn:
        if code in RULES:
            raise ValueError(f"finding rule {code!r} registered twice")
        RULES[code] = fn
        return fn

    return register
