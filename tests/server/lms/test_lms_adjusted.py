"""A trainer's adjustment reaches the LMS: a superseding xAPI statement and a signed `scorecard.adjusted`
webhook, queued in the adjustment's transaction and delivered by the same outbox (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from lms_support import Receiver, add_adjustment, add_ended_session, add_org, corrected, make_practice
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.db.models import OutboxItem, PracticeSession, ScoreAdjustment, User
from server.lms.outbox import deliver_due, enqueue_adjustment, enqueue_results
from server.lms.webhook import (
    EVENT_SCORECARD_ADJUSTED,
    adjusted_event_id,
    build_adjusted,
    encode_body,
    event_id,
    sign,
    verify,
)
from server.lms.xapi import build_correction, correction_id, registration_id, statement_id

statements = pytest.importorskip(
    "ralph.models.xapi.base.statements",
    reason="ralph-malph (xAPI models) is not installed: pip install ralph-malph==5.1.0",
)

BASE = "https://peilian.example.com"
AT = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
SECRET = "whsec_adjusted"
Factory = sessionmaker[Session]


def trainer() -> User:
    return User(id="t" * 32, org_id="o", username="coach.li", display_name="李教练", role="trainer")


def adjustment(
    practice: PracticeSession, *, adjustment_id: int = 7, dimension: str = "opening", adjusted: int = 100
) -> ScoreAdjustment:
    original = practice.scorecard["scores"][dimension]
    return ScoreAdjustment(
        id=adjustment_id,
        session_id=practice.id,
        dimension=dimension,
        original=original,
        adjusted=adjusted,
        reason="客户主动打断,情有可原",
        author_id="t" * 32,
        created_at=AT,
    )


DIMENSIONS = {"overall": 82, "appointment": 90, "questioning": 75, "listening": 80, "commitment": 80}


def test_the_correction_is_valid_xapi_and_supersedes_the_first_statement() -> None:
    practice = make_practice(session_id="s-adj")
    practice.scorecard = {**practice.scorecard, "scores": DIMENSIONS}
    row = adjustment(practice, dimension="listening", adjusted=100)
    statement = build_correction(
        practice,
        row,
        author=trainer(),
        scorecard=corrected(practice, row),
        base_url=BASE,
        scenario_title="区政府会议室改造",
    )
    model = statements.BaseXapiStatement.model_validate(json.loads(json.dumps(statement)))
    assert statement["id"] == correction_id("s-adj", 7) != statement_id("s-adj")
    assert uuid.UUID(statement["id"]).version == 5
    assert str(model.context.statement.id) == statement_id("s-adj")
    assert statement["context"]["statement"]["objectType"] == "StatementRef"
    assert statement["context"]["registration"] == registration_id("s-adj")  # the same attempt
    assert statement["timestamp"] == "2026-03-03T08:00:00.000+00:00"  # when the trainer adjusted
    extensions = statement["result"]["extensions"]
    change = extensions[f"{BASE}/xapi/extensions/adjustment"]
    assert (change["dimension"], change["original"], change["adjusted"]) == ("listening", 80, 100)
    assert change["reason"] == "客户主动打断,情有可原" and change["author"]["display_name"] == "李教练"
    scorecard = extensions[f"{BASE}/xapi/extensions/scorecard"]
    assert scorecard["original_scores"] == DIMENSIONS and scorecard["adjusted"] == ["listening"]
    assert scorecard["scores"]["listening"] == 100 and scorecard["scores"]["overall"] == 87  # 82 × 88 / 83
    assert statement["result"]["score"] == {"scaled": 0.87, "raw": 87, "min": 0, "max": 100}
    assert statement["result"]["success"] is True  # the outcome, not the score, decides success
    assert extensions[f"{BASE}/xapi/extensions/outcome"]["result"] == "committed"


def test_each_adjustment_has_its_own_stable_ids() -> None:
    assert correction_id("s", 1) == correction_id("s", 1) != correction_id("s", 2) != correction_id("t", 1)
    assert adjusted_event_id("s", 1) == adjusted_event_id("s", 1) != adjusted_event_id("s", 2)
    assert adjusted_event_id("s", 1) != event_id("s")


def test_the_webhook_names_the_change_who_and_why_and_verifies() -> None:
    practice = make_practice(session_id="s-hook")
    row = adjustment(practice, dimension="overall", adjusted=60)
    payload = build_adjusted(
        practice, row, author=trainer(), scorecard=corrected(practice, row), scenario_title="区政府会议室改造"
    )
    assert payload["event"] == EVENT_SCORECARD_ADJUSTED and payload["id"] == adjusted_event_id("s-hook", 7)
    assert payload["session"]["id"] == "s-hook" and payload["user"]["external_id"] == "lms-42"
    assert payload["adjustment"]["dimension"] == "overall" and payload["adjustment"]["reason"]
    assert payload["adjustment"]["author"] == {
        "id": "t" * 32,
        "username": "coach.li",
        "display_name": "李教练",
    }
    assert (payload["original_overall"], payload["overall"], payload["passed"]) == (82, 60, True)
    assert payload["original_scores"]["overall"] == 82 and payload["effective_scores"]["overall"] == 60
    assert payload["supersedes"] == event_id("s-hook") and payload["outcome"]["facts_earned"] == 5
    body = encode_body(payload)
    assert verify(SECRET, body, sign(SECRET, body, 1_772_000_000), now=1_772_000_010)


def enqueue_adjusted(
    db: Session, practice: PracticeSession, row: ScoreAdjustment, author: User
) -> list[OutboxItem]:
    return enqueue_adjustment(
        db, practice, row, author=author, scorecard=corrected(practice, row), base_url=BASE, now=AT
    )


def test_enqueue_in_the_callers_transaction_once_per_adjustment(db_factory: Factory) -> None:
    with db_factory() as db:
        org = add_org(db, lrs="http://127.0.0.1:9/xapi", webhook="http://127.0.0.1:9/hook", secret=SECRET)
        practice = add_ended_session(db, org)
        row, author = add_adjustment(db, practice)
        assert len(enqueue_adjusted(db, practice, row, author)) == 2
        db.rollback()  # the adjustment failed to commit: its corrections go too
    with db_factory() as db:
        assert db.scalars(select(OutboxItem)).all() == []
        org = add_org(db, lrs="http://127.0.0.1:9/xapi", webhook="http://127.0.0.1:9/hook", secret=SECRET)
        practice = add_ended_session(db, org)
        assert len(enqueue_results(db, practice, base_url=BASE)) == 2
        row, author = add_adjustment(db, practice)
        assert [i.kind for i in enqueue_adjusted(db, practice, row, author)] == ["xapi", "webhook"]
        assert enqueue_adjusted(db, practice, row, author) == []  # the same adjustment again: nothing new
        assert enqueue_results(db, practice, base_url=BASE) == []  # the first results are still there once
        second, author = add_adjustment(db, practice, dimension="overall", adjusted=40)
        assert len(enqueue_adjusted(db, practice, second, author)) == 2  # a new adjustment: a new result
        db.commit()
    with db_factory() as db:
        ids = [i.payload["id"] for i in db.scalars(select(OutboxItem).order_by(OutboxItem.id))]
    assert len(ids) == len(set(ids)) == 6


def test_no_target_no_item(db_factory: Factory) -> None:
    with db_factory() as db:
        practice = add_ended_session(db, add_org(db))
        row, author = add_adjustment(db, practice)
        assert enqueue_adjusted(db, practice, row, author) == []


def test_delivered_signed_after_the_first_result(
    db_factory: Factory, receiver: Receiver, http: httpx.Client
) -> None:
    with db_factory() as db:
        org = add_org(db, lrs=receiver.url + "/xapi", webhook=receiver.url + "/hook", secret=SECRET)
        practice = add_ended_session(db, org)
        enqueue_results(db, practice, base_url=BASE, now=AT)
        row, author = add_adjustment(db, practice, adjusted=95)
        enqueue_adjusted(db, practice, row, author)
        db.commit()
        sid = practice.id
    assert len(deliver_due(db_factory, client=http, now=AT).delivered) == 4
    first, hook, correction, adjusted = receiver.requests
    assert (first.path, correction.path) == ("/xapi/statements", "/xapi/statements")
    assert (
        json.loads(correction.body)["context"]["statement"]["id"]
        == json.loads(first.body)["id"]
        == statement_id(sid)
    )
    assert adjusted.headers["X-Peilian-Event"] == EVENT_SCORECARD_ADJUSTED
    assert hook.headers["X-Peilian-Event"] == "session.completed"
    assert verify(SECRET, adjusted.body, adjusted.headers["X-Peilian-Signature"])
    assert json.loads(adjusted.body)["effective_scores"]["opening"] == 95
