"""Scores per dimension and overall, from the findings and the metrics (rules/scoring.yaml).

dimension = clamp(base − Σ penalties of its findings, 0, 100), rounded half up
base      = 100, or for `questioning` 100 × min(1, question_rate ÷ target)
penalty   = for each finding code: min(max, first + each × (units − 1)), units summed over its hits
overall   = Σ weight × dimension over the mode's dimensions, rounded half up
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from evaluators.findings import FindingSpec, Hit
from evaluators.findings.context import Context
from evaluators.findings.limits import load_yaml


@dataclass(frozen=True, slots=True)
class Dimension:
    key: str
    label: str
    base: str
    target: float


@dataclass(frozen=True, slots=True)
class ScoringRules:
    dimensions: dict[str, Dimension]
    weights: dict[str, dict[str, float]]

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
    return ScoringRules(dimensions, weights)


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
    weights = rules.weights[ctx.mode]
    overall = round_half_up(sum(weights[key] * scores[key] for key in scores))
    return {"overall": overall, **scores}


def overall_of(mode: str, scores: dict[str, int]) -> int:
    """The overall score of a mode from its dimension scores (e.g. after a trainer adjusted one)."""
    weights = scoring_rules().weights[mode]
    return round_half_up(sum(w * scores[key] for key, w in weights.items() if key in scores))
