"""The exam's `passed` / `failed` xAPI statement (server/lms/exam.py), checked with Ralph's xAPI models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from lms_support import make_practice

from server.db.models import ScoreAdjustment
from server.lms.exam import VERB_FAILED, VERB_PASSED, build_exam_statement, exam_statement_id
from server.lms.xapi import registration_id, statement_id

statements = pytest.importorskip(
    "ralph.models.xapi.base.statements",
    reason="ralph-malph (xAPI models) is not installed: pip install ralph-malph==5.1.0",
)
BASE = "https://peilian.example.com"


def validated(statement: dict) -> Any:
    return statements.BaseXapiStatement.model_validate(json.loads(json.dumps(statement)))


def test_passed_and_failed_carry_the_score_and_the_pass_mark() -> None:
    practice = make_practice(score=82)
    passed = build_exam_statement(
        practice,
        passed=True,
        score=82,
        pass_mark=80,
        assignment_id="a1",
        base_url=BASE,
        scenario_title="区政府",
    )
    validated(passed)
    assert passed["verb"]["id"] == VERB_PASSED == "http://adlnet.gov/expapi/verbs/passed"
    assert passed["result"]["success"] is True and passed["result"]["completion"] is True
    assert passed["result"]["score"] == {"scaled": 0.82, "raw": 82, "min": 0, "max": 100}
    assert passed["result"]["extensions"][f"{BASE}/xapi/extensions/pass-mark"] == 80
    assert passed["context"]["extensions"][f"{BASE}/xapi/extensions/assignment-id"] == "a1"
    # Beside the `completed` statement, in the same registration, with an id of its own (stable).
    assert passed["context"]["registration"] == registration_id(practice.id)
    assert passed["id"] == exam_statement_id(practice.id) != statement_id(practice.id)
    assert "statement" not in passed["context"]

    failed = build_exam_statement(
        practice, passed=False, score=None, pass_mark=90, assignment_id="a1", base_url=BASE
    )
    validated(failed)
    assert failed["verb"]["id"] == VERB_FAILED == "http://adlnet.gov/expapi/verbs/failed"
    assert failed["result"]["success"] is False and "score" not in failed["result"]


def test_after_an_adjustment_the_new_result_refers_to_the_first() -> None:
    practice = make_practice(score=50)
    adjustment = ScoreAdjustment(
        id=7,
        session_id=practice.id,
        dimension="overall",
        original=50,
        adjusted=85,
        reason="复核",
        author_id="u",
        created_at=datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
    )
    statement = build_exam_statement(
        practice,
        passed=True,
        score=85,
        pass_mark=80,
        assignment_id="a1",
        base_url=BASE,
        adjustment=adjustment,
    )
    validated(statement)
    assert statement["id"] == exam_statement_id(practice.id, 7) != exam_statement_id(practice.id)
    assert statement["context"]["statement"] == {
        "objectType": "StatementRef",
        "id": exam_statement_id(practice.id),
    }
    assert statement["timestamp"].startswith("2026-03-03T08:00:00")
    assert statement["result"]["score"]["raw"] == 85
