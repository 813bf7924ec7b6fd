"""Whole conversations across industries (tests/evaluators/data/transcripts/*.json).

Each case file is `{"note", "transcript", "expect_present", "expect_absent"}`; every rep turn carries its
gold dialogue act as `"label": "act[:focus|form|elements]"` (elements as letters t/p/a/b), so the expected
findings test the scorer's rules independently of the classifier. The parser ignores the extra key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evaluators.findings import specs
from evaluators.model import QUESTION_ACTS, Classification, Elements
from evaluators.scorecard import score_transcript

CASES = sorted((Path(__file__).parent / "data" / "transcripts").glob("*.json"))


def gold(spec: str) -> Classification:
    act, _, extra = spec.partition(":")
    return Classification(
        act,
        focus=extra if act == "exploratory" else None,
        form=extra if act == "confirmation" else None,
        elements=Elements(*(c in extra for c in "tpab")) if act == "commitment" else None,
        is_question=act in QUESTION_ACTS,
    )


def load(path: Path) -> tuple[dict[str, Any], Any]:
    case = json.loads(path.read_text(encoding="utf-8"))
    table = {t["text"]: gold(t["label"]) for t in case["transcript"]["turns"] if t["speaker"] == "rep"}
    return case, table.__getitem__


def test_there_are_varied_cases() -> None:
    assert len(CASES) >= 8
    modes = {json.loads(p.read_text(encoding="utf-8"))["transcript"]["mode"] for p in CASES}
    assert modes == {"appointment", "visit"}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_findings(path: Path) -> None:
    case, classifier = load(path)
    assert set(case["expect_present"]) | set(case["expect_absent"]) <= set(specs())
    card = score_transcript(case["transcript"], classifier=classifier, cite=lambda q, h: None)
    found = {f["code"] for f in card["findings"]}
    assert sorted(set(case["expect_present"]) - found) == [], "expected findings missing"
    assert sorted(set(case["expect_absent"]) & found) == [], "findings that should not be there"
    timed = all("t" in t and "end" in t for t in case["transcript"]["turns"])
    assert (card["metrics"]["golden_silence_rate"] is None) == (not timed)


def test_clean_cases_score_higher_than_poor_ones() -> None:
    overall = {}
    for path in CASES:
        case, classifier = load(path)
        overall[path.stem] = score_transcript(case["transcript"], classifier=classifier)["scores"]["overall"]
    clean = [overall[name] for name in overall if name.endswith("_good")]
    poor = [overall[name] for name in overall if name.endswith("_bad")]
    assert min(clean) == 100
    assert max(poor) < 60
