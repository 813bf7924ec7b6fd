"""The xAPI statement, checked with Ralph's kept xAPI models (`ralph.models.xapi`, ralph-malph on PyPI)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from lms_support import ENDED, OLD, SCORECARD, STARTED, make_practice
from pydantic import ValidationError

from server.lms.xapi import (
    PASSING_SCORE,
    VERB_COMPLETED,
    StatementError,
    build_statement,
    iso_duration,
    registration_id,
    statement_id,
)

# The kept xAPI models: ralph-malph (dev dependency). Skipped, with this reason, only where it is not installed.
statements = pytest.importorskip(
    "ralph.models.xapi.base.statements",
    reason="ralph-malph (xAPI models) is not installed: pip install ralph-malph==5.1.0",
)
BaseXapiStatement = statements.BaseXapiStatement

BASE = "https://peilian.example.com/"


def validated(statement: dict) -> Any:
    """Ralph's strict model of an xAPI statement (unknown fields forbidden, IRIs, language tags, empties)."""
    return BaseXapiStatement.model_validate(json.loads(json.dumps(statement)))


def test_statement_is_valid_xapi_with_every_part() -> None:
    statement = build_statement(make_practice(), base_url=BASE, scenario_title="区政府会议室改造")
    model = validated(statement)

    assert str(model.id) == statement["id"]
    assert model.actor.account.name == "lms-42"
    assert str(model.actor.account.homePage) == "https://peilian.example.com"
    assert model.actor.name == "张伟"
    assert str(model.verb.id) == VERB_COMPLETED
    dumped = model.model_dump(mode="json", exclude_none=True)
    assert dumped["verb"]["display"] == {"zh-CN": "完成", "en-US": "completed"}
    assert str(model.object.id) == "https://peilian.example.com/scenarios/gov-meeting-room"
    assert dumped["object"]["definition"]["name"] == {"zh-CN": "区政府会议室改造"}
    assert model.result.score.scaled == Decimal("0.82")
    assert (model.result.score.raw, model.result.score.min, model.result.score.max) == (82, 0, 100)
    assert model.result.completion is True and model.result.success is True
    assert model.result.duration == ENDED - STARTED
    scorecard = dumped["result"]["extensions"]["https://peilian.example.com/xapi/extensions/scorecard"]
    assert scorecard["findings"] == SCORECARD["findings"] and scorecard["scores"]["overall"] == 82
    assert str(model.context.registration) == registration_id("a1b2c3d4e5f60718293a4b5c6d7e8f90")
    assert (dumped["context"]["platform"], dumped["context"]["language"]) == ("Peilian", "zh-CN")
    assert (
        dumped["context"]["extensions"]["https://peilian.example.com/xapi/extensions/mode"] == "appointment"
    )
    assert model.timestamp == ENDED
    assert statement["timestamp"] == "2026-03-02T09:15:30.250+00:00"


def test_ralph_really_rejects_broken_statements() -> None:
    """The validator is not a rubber stamp: the mistakes an imitation would let through are caught."""
    good = build_statement(make_practice(), base_url=BASE)
    broken = [
        {**good, "result": {**good["result"], "score": {"scaled": 1.5}}},
        {**good, "actor": {**good["actor"], "name": ""}},
        {**good, "verb": {"id": "completed"}},
        {**good, "context": {**good["context"], "language": "not a language tag!"}},
        {**good, "unexpected": True},
    ]
    for statement in broken:
        with pytest.raises(ValidationError):
            BaseXapiStatement.model_validate(statement)


def test_ids_are_stable_per_session_and_distinct_between_sessions() -> None:
    first = build_statement(make_practice(session_id="s1"), base_url=BASE)
    again = build_statement(make_practice(session_id="s1"), base_url=BASE)
    other = build_statement(make_practice(session_id="s2"), base_url=BASE)
    assert first["id"] == again["id"] == statement_id("s1")
    assert first["context"]["registration"] == again["context"]["registration"]
    assert other["id"] != first["id"]
    assert first["id"] != first["context"]["registration"]
    assert uuid.UUID(first["id"]).version == 5


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "PT0S"),
        (5.5, "PT5.5S"),
        (65.25, "PT1M5.25S"),
        (3600, "PT1H"),
        (3723.1, "PT1H2M3.1S"),
        (7200.004, "PT2H"),
        (-3, "PT0S"),
    ],
)
def test_iso_duration(seconds: float, expected: str) -> None:
    assert iso_duration(timedelta(seconds=seconds)) == expected


def test_duration_runs_from_start_to_end_whatever_the_time_zones() -> None:
    shanghai = timezone(timedelta(hours=8))
    practice = make_practice(
        started=datetime(2026, 3, 2, 17, 0, tzinfo=shanghai),
        ended=datetime(2026, 3, 2, 9, 30, 45, tzinfo=UTC),
    )
    statement = build_statement(practice, base_url=BASE)
    assert statement["result"]["duration"] == "PT30M45S"
    assert validated(statement).result.duration == timedelta(minutes=30, seconds=45)


def test_naive_datetimes_from_sqlite_are_taken_as_utc() -> None:
    practice = make_practice(started=datetime(2026, 3, 2, 9, 0), ended=datetime(2026, 3, 2, 9, 1))
    statement = build_statement(practice, base_url=BASE)
    assert statement["timestamp"] == "2026-03-02T09:01:00.000+00:00"
    assert statement["result"]["duration"] == "PT1M"


@pytest.mark.parametrize(
    ("score", "scaled"), [(0, 0.0), (PASSING_SCORE - 1, 0.59), (PASSING_SCORE, 0.6), (100, 1.0), (130, 1.0)]
)
def test_scaled_score(score: int, scaled: float) -> None:
    statement = build_statement(make_practice(score=score), base_url=BASE)
    assert statement["result"]["score"]["scaled"] == scaled
    assert statement["result"]["success"] is True  # the customer agreed: success, whatever the score
    validated(statement)


OUTCOME_IRI = "https://peilian.example.com/xapi/extensions/outcome"


@pytest.mark.parametrize(
    ("result", "success"), [("committed", True), ("hung_up", False), ("time_up", False), ("ended", False)]
)
def test_success_is_a_commitment_and_completion_a_known_end(result: str, success: bool) -> None:
    outcome = {
        "result": result,
        "commitment": "lowest" if success else None,
        "elements": None,
        "reason": "pitch_in_appointment" if result == "hung_up" else None,
        "facts_earned": 3,
        "facts_total": 12,
        "earned": {"expectation": 1, "need": 2, "motive": 0, "process": 0},
    }
    statement = build_statement(make_practice(score=95, outcome=outcome), base_url=BASE)
    assert statement["result"]["success"] is success and statement["result"]["completion"] is True
    extension = statement["result"]["extensions"][OUTCOME_IRI]
    assert extension["result"] == result and (extension["facts_earned"], extension["facts_total"]) == (3, 12)
    assert extension["commitment"] == ("lowest" if success else None) and extension["earned"]["need"] == 2
    validated(statement)


@pytest.mark.parametrize(
    "outcome", [OLD, {"result": "unknown"}, {"result": "won the lottery", "facts_total": -1}]
)
def test_an_unknown_outcome_claims_neither_success_nor_completion(outcome: Any) -> None:
    """Scorecards stored before outcomes were recorded (and malformed ones) read as unknown."""
    statement = build_statement(make_practice(outcome=outcome), base_url=BASE)
    assert "success" not in statement["result"] and "completion" not in statement["result"]
    assert statement["result"]["score"]["raw"] == 82
    extension = statement["result"]["extensions"][OUTCOME_IRI]
    assert extension["result"] == "unknown" and extension["facts_total"] is None
    validated(statement)


def test_without_a_score_the_statement_says_how_the_call_ended_only() -> None:
    statement = build_statement(make_practice(score=None), base_url=BASE)
    assert "score" not in statement["result"]
    assert statement["result"]["completion"] is True and statement["result"]["success"] is True
    validated(statement)


def test_actor_falls_back_to_username_and_omits_an_empty_name() -> None:
    practice = make_practice(external_id=None, display_name="")
    statement = build_statement(practice, base_url=BASE)
    assert statement["actor"]["account"]["name"] == practice.user.username
    assert "name" not in statement["actor"]
    validated(statement)


def test_scenario_ids_become_valid_iris() -> None:
    statement = build_statement(make_practice(scenario_id="医院 拼接屏/二期"), base_url=BASE)
    assert statement["object"]["id"].endswith(
        "/scenarios/%E5%8C%BB%E9%99%A2%20%E6%8B%BC%E6%8E%A5%E5%B1%8F%2F%E4%BA%8C%E6%9C%9F"
    )
    assert statement["object"]["definition"]["name"] == {"zh-CN": "医院 拼接屏/二期"}
    validated(statement)


def test_a_session_that_has_not_ended_is_refused() -> None:
    with pytest.raises(StatementError):
        build_statement(make_practice(ended=None), base_url=BASE)
    with pytest.raises(StatementError):
        build_statement(make_practice(), base_url="peilian.example.com")
