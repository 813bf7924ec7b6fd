"""Findings of a conversation: rule functions (registered by code) plus their data (rules/findings.yaml).

`run_rules(ctx)` calls every rule whose YAML entry lists the transcript's mode and returns the hits as
`(spec, hit)` pairs, ordered by turn, then by the order of the codes in findings.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

# Importing the rule modules registers their rules.
from evaluators.findings import appointment, commitment, conduct, listening, questioning  # noqa: F401
from evaluators.findings.context import Classifier, Context, build_context
from evaluators.findings.limits import load_yaml
from evaluators.findings.registry import RULES, Hit, rule

__all__ = [
    "RULES",
    "Classifier",
    "Context",
    "FindingSpec",
    "Hit",
    "build_context",
    "rule",
    "run_rules",
    "specs",
]


@dataclass(frozen=True, slots=True)
class Penalty:
    """Points off one dimension: `first` for the first unit, `each` for every further one, at most `cap`."""

    first: int
    each: int
    cap: int

    def points(self, units: int) -> int:
        if units <= 0:
            return 0
        return min(self.cap, self.first + self.each * (units - 1))


@dataclass(frozen=True, slots=True)
class FindingSpec:
    """The data of one finding code (see the header of rules/findings.yaml)."""

    code: str
    order: int
    modes: tuple[str, ...]
    dimension: str
    penalties: dict[str, Penalty]
    term: str
    message: str
    advice: str
    hint: str
    query: str
    by_mode: dict[str, tuple[str, str]]

    def render(self, hit: Hit) -> str:
        return self.message.format_map(hit.params)

    def passage(self, mode: str) -> tuple[str, str]:
        """The (hint, query) of the book passage for `mode`: a visit cites the visit's chapter."""
        return self.by_mode.get(mode, (self.hint, self.query))


@cache
def specs() -> dict[str, FindingSpec]:
    """Every finding code's data, in file order; checked against the registered rules (both ways)."""
    data = load_yaml("findings")
    out: dict[str, FindingSpec] = {}
    for order, (code, raw) in enumerate(data.items()):
        penalties = {
            dim: Penalty(int(p["first"]), int(p.get("each", 0)), int(p.get("max", p["first"])))
            for dim, p in (raw.get("score") or {}).items()
        }
        out[code] = FindingSpec(
            code=code,
            order=order,
            modes=tuple(raw["modes"]),
            dimension=str(raw["dimension"]),
            penalties=penalties,
            term=str(raw["term"]),
            message=str(raw["message"]),
            advice=str(raw["advice"]),
            hint=str(raw["reference"]["hint"]),
            query=str(raw["reference"]["query"]),
            by_mode={
                mode: (str(raw["reference"][mode]["hint"]), str(raw["reference"][mode]["query"]))
                for mode in ("appointment", "visit")
                if mode in raw["reference"]
            },
        )
    if set(out) != set(RULES):
        raise ValueError(
            f"findings.yaml and the registered rules disagree: only in YAML {sorted(set(out) - set(RULES))}, "
            f"only in code {sorted(set(RULES) - set(out))}"
        )
    return out


def run_rules(ctx: Context) -> list[tuple[FindingSpec, Hit]]:
    """Every hit of every rule that applies to the transcript's mode, by turn then by code order."""
    hits = [
        (spec, hit) for code, spec in specs().items() if ctx.mode in spec.modes for hit in RULES[code](ctx)
    ]
    # Call-level findings (turn None) come after the messages' ones.
    last = len(ctx.turns)
    hits.sort(key=lambda pair: (last if pair[1].turn is None else pair[1].turn, pair[0].order))
    return hits
