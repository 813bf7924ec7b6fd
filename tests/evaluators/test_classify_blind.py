"""Regression floors on the blind sets A and B (tests/evaluators/data/blind/), which rules WERE tuned on.

The three blind sets were written before any tuning, in industries and registers the project's own data
does not cover (agri machinery, pharma distribution, B2B insurance, cloud security, building materials; HR
outsourcing, cold chain, dental devices, ed-tech, industrial IoT; set C: printing, energy storage, legal,
government procurement, telecom). A and B guided the rules, so their figures are optimistic; C is held out
and only checked here for shape, never for figures (see benchmarks/blind_eval.py for its score).
Floors sit a little under the tuned figures so that a regression shows.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evaluators.classify_eval import evaluate, load_jsonl
from evaluators.model import ACTS, ELEMENT_NAMES

BLIND = Path(__file__).parent / "data" / "blind"


@pytest.fixture(scope="module")
def tuned() -> list[dict[str, object]]:
    return load_jsonl(BLIND / "A.jsonl") + load_jsonl(BLIND / "B.jsonl")


@pytest.mark.parametrize("name", ["A", "B", "C"])
def test_blind_set_is_well_formed(name: str) -> None:
    items = load_jsonl(BLIND / f"{name}.jsonl")
    assert len(items) >= 150
    assert len({it["text"] for it in items}) == len(items)
    acts = Counter(it["act"] for it in items)
    assert set(acts) == set(ACTS)
    assert acts["exploratory"] >= 0.25 * len(items)
    assert len({it["focus"] for it in items if it["focus"]}) == 4
    for it in items:
        assert (it["focus"] is not None) == (it["act"] == "exploratory")
        assert (it["form"] is not None) == (it["act"] == "confirmation")
        assert (it["elements"] is not None) == (it["act"] == "commitment")
        if it["elements"] is not None:
            assert set(it["elements"]) == set(ELEMENT_NAMES)


def test_tuned_blind_sets_floor(tuned: list[dict[str, object]]) -> None:
    report = evaluate(tuned)
    detail = report.summary() + "\n" + "\n".join(report.errors[:30])
    assert report.accuracy >= 0.97, detail
    assert report.macro_f1 >= 0.97, detail
    assert min(report.per_act_f1.values()) >= 0.94, detail
    assert report.focus_accuracy >= 0.96, detail
    assert report.form_accuracy >= 0.96, detail
    assert report.elements_f1 >= 0.97, detail
