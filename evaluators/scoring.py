"""Scores per dimension and overall, from the findings and the metrics (rules/scoring.yaml).

dimension = clamp(base − Σ penalties of its findings, 0, 100), rounded half up
base      = 100, or for `questioning` 100 × min(1, question_rate ÷ target)
penalty   = for each finding code: min(max, first + each × (units − 1)), units summed over its hits
overall   = Σ weight × dimension over the mode's dimensions, rounded half up

Then the outcome (rules/scoring.yaml `outcome`, docs/scoring.md): without a commitment the commitment
dimension is capped and the overall scaled down; in a practice visit 挖掘MEN blends in the facts earned; a
call too short to judge has its overall capped. An unknown outcome changes nothing but the length cap.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from evaluators.findings import FindingSpec, Hit
from evaluators.findings.context import Context
from evaluators.findings.limits import load_yaml
from evaluators.outcome import Outcome


@dataclass(frozen=True, slots=True)
class Dimension:
    key: str
    label: str
    base: str
    target: float


@dataclass(frozen=True, slots=True)
class OutcomeRules:
    commitment_cap: dict[str, int]
    overall_factor: dict[str, float]
    lowest_commitment_cap: int
    men_facts_weight: float
    facts_weights: dict[str, float]
    short_per_message: int
    short_max: int


@dataclass(frozen=True, slots=True)
class ScoringRules:
    dimensions: dict[str, Dimension]
    weights: dict[str, dict[str, float]]
    outcome: OutcomeRules

    def keys(self, mode: str) -> list[str]:
        """The dimensions scored in `mode`, in the order of scoring.yaml."""
        return [key for key in self.dimensions if key in self.weights[mode]]


@cache
def scoring_rules() -> ScoringRules:
    data = load_yaml("scoring")
    dimensions = {
        key: Dimension(key, str(raw["label"]), str(raw["base"]), float(raw.get("target", 1.0)))
        for key, raw in data["dimensions"].items()
    }
    weights = {mode: {k: float(v) for k, v in w.items()} for mode, w in data["weights"].items()}
    for mode, table in weights.items():
        if abs(sum(table.values()) - 1.0) > 1e-9 or not set(table) <= set(dimensions):
            raise ValueError(f"scoring.yaml: weights of {mode} must name known dimensions and sum to 1")
    raw = data["outcome"]
    outcome = OutcomeRules(
        commitment_cap={k: int(v) for k, v in raw["commitment_cap"].items()},
        overall_factor={k: float(v) for k, v in raw["overall_factor"].items()},
        lowest_commitment_cap=int(raw["lowest_commitment_cap"]),
        men_facts_weight=float(raw["men_facts_weight"]),
        facts_weights={k: float(v) for k, v in raw["facts_weights"].items()},
        short_per_message=int(data["too_short"]["per_message"]),
        short_max=int(data["too_short"]["max"]),
    )
    return ScoringRules(dimensions, weights, outcome)


def round_half_up(value: float) -> int:
    return int(math.floor(value + 0.5))


def _base(dimension: Dimension, ctx: Context) -> float:
    if dimension.base == "question_rate":
        return 100.0 * min(1.0, ctx.question_rate / dimension.target)
    return 100.0


def compute_scores(ctx: Context, hits: list[tuple[FindingSpec, Hit]]) -> dict[str, int]:
    """`{"overall": n, <dimension>: n, ...}`, integers 0–100, for the dimensions of the transcript's mode."""
    rules = scoring_rules()
    units: dict[str, int] = defaultdict(int)
    by_code: dict[str, FindingSpec] = {}
    for spec, hit in hits:
        units[spec.code] += hit.units
        by_code[spec.code] = spec
    off: dict[str, int] = defaultdict(int)
    for code, n in units.items():
        for dim, penalty in by_code[code].penalties.items():
            off[dim] += penalty.points(n)
    scores: dict[str, int] = {}
    for key in rules.keys(ctx.mode):
        value = _base(rules.dimensions[key], ctx) - off[key]
        scores[key] = max(0, min(100, round_half_up(value)))
    _apply_outcome(ctx, scores, rules.outcome)
    weights = rules.weights[ctx.mode]
    overall = sum(weights[key] * scores[key] for key in scores)
    overall *= rules.outcome.overall_factor.get(ctx.outcome.result, 1.0)
    if len(ctx.rep) < ctx.limits.too_short_messages:
        overall = min(overall, rules.outcome.short_per_message * len(ctx.rep), rules.outcome.short_max)
    return {"overall": round_half_up(overall), **scores}


def facts_score(outcome: Outcome, weights: dict[str, float]) -> float | None:
    """100 × the weighted share of the card's expectations, needs and motives earned; None if not known."""
    if outcome.earned is None or outcome.totals is None:
        return None
    present = {cat: w for cat, w in weights.items() if outcome.totals.get(cat)}
    if not present:
        return None
    total = sum(present.values())
    share = sum(w * min(1.0, outcome.earned.get(cat, 0) / outcome.totals[cat]) for cat, w in present.items())
    return 100.0 * share / total


def _apply_outcome(ctx: Context, scores: dict[str, int], rules: OutcomeRules) -> None:
    outcome = ctx.outcome
    if "commitment" in scores:
        cap = rules.commitment_cap.get(outcome.result)
        if outcome.committed and outcome.commitment == "lowest":
            cap = rules.lowest_commitment_cap
        if cap is not None:
            scores["commitment"] = min(scores["commitment"], cap)
    facts = facts_score(outcome, rules.facts_weights)
    if "men" in scores and facts is not None:
        w = rules.men_facts_weight
        scores["men"] = max(0, min(100, round_half_up((1 - w) * scores["men"] + w * facts)))


def overall_of(mode: str, scores: dict[str, int]) -> int:
    """The overall score of a mode from its dimension scores (e.g. after a trainer adjusted one)."""
    weights = scoring_rules().weights[mode]
    return round_half_up(sum(w * scores[key] for key, w in weights.items() if key in scores))
