"""The scorer's numbers (evaluators/rules/limits.yaml) and the loader of the rules/*.yaml files.

What a message *says* is read elsewhere (evaluators.reading, one reading for the scorer and the customer);
this file holds only how much of it is too much: the golden silence, a monologue, the talk ratio.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(name: str) -> dict[str, Any]:
    """A mapping from `evaluators/rules/<name>.yaml`; a ValueError names the file when it is not one."""
    path = RULES_DIR / f"{name}.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: top level must be a mapping")
    return data


@dataclass(frozen=True, slots=True)
class Limits:
    """Thresholds of the contract (CONTRACT.md §4) and of the book."""

    question_mark: re.Pattern[str]
    talk_after_question_chars: int
    few_questions_min_messages: int
    few_questions_max_rate: float
    golden_silence: float
    monologue_chars: int
    talk_ratio_max: float
    too_short_messages: int


@cache
def limits() -> Limits:
    data = load_yaml("limits")
    numbers = data["thresholds"]
    return Limits(
        question_mark=re.compile(data["question_mark"]),
        talk_after_question_chars=int(data["talk_after_question_chars"]),
        few_questions_min_messages=int(data["few_questions"]["min_rep_messages"]),
        few_questions_max_rate=float(data["few_questions"]["max_question_rate"]),
        golden_silence=float(numbers["golden_silence_seconds"]),
        monologue_chars=int(numbers["monologue_chars"]),
        talk_ratio_max=float(numbers["talk_ratio_max"]),
        too_short_messages=int(data["too_short"]["min_rep_messages"]),
    )
