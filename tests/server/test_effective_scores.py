"""Effective scores everywhere: after a trainer's adjustment the API list and detail, the scorecard, the
filters by score and the reports all show the adjusted score, with the original kept beside it.

Scorecards are fixed in the database after the call (known scores and outcome), so the numbers do not
depend on the scorer's tuning. Runs on SQLite and on PostgreSQL (see conftest.py).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from server.db.models import OutboxItem, PracticeSession
from server.lms.webhook import EVENT_SCORECARD_ADJUSTED
from server.lms.xapi import statement_id
from server.services.scores import effective_scores_many
from tests.server.factories import login, make_org
from tests.server.test_sessions import INTRO, start

# Appointment weights (scoring.yaml): 0.35 appointment, 0.2 questioning, 0.25 listening, 0.2 commitment.
SCORES = {"overall": 69, "appointment": 80, "questioning": 60, "listening": 60, "commitment": 70}
COMMITTED = {
    "result": "committed",
    "commitment": "highest",
    "elements": ["time", "people", "action"],
    "reason": None,
    "facts_earned": 5,
    "facts_total": 12,
    "earned": {"expectation": 2, "need": 2, "motive": 1, "process": 0},
}


@pytest.fixture
def acme(engine):
    return make_org(engine, "acme", {"rep1": "rep", "rep2": "rep", "coach": "trainer"})


def fix_scorecard(engine, session_id: str, scores: dict[str, int], outcome: Any = COMMITTED) -> None:
    """Give an ended session a known scorecard (no `outcome` key when `outcome` is None: an old one)."""
    scorecard: dict[str, Any] = {
        "mode": "appointment",
        "scores": dict(scores),
        "metrics": {},
        "findings": [],
        "turns": [],
        "not_measured": [],
    }
    if outcome is not None:
        scorecard["outcome"] = outcome
    with Session(engine) as db:
        session = db.get(PracticeSession, session_id)
        session.scorecard, session.overall_score = scorecard, scores["overall"]
        db.commit()


async def ended(
    client: httpx.AsyncClient,
    engine,
    rep: str = "rep1",
    scores: dict[str, int] = SCORES,
    outcome: Any = COMMITTED,
) -> str:
    headers = await login(client, rep)
    sid = (await start(client, headers))["id"]
    await client.post(f"/api/v1/sessions/{sid}/messages", json={"text": INTRO}, headers=headers)
    assert (await client.post(f"/api/v1/sessions/{sid}/end", headers=headers)).status_code == 200
    fix_scorecard(engine, sid, scores, outcome)
    return sid


async def adjust(
    client: httpx.AsyncClient, sid: str, dimension: str, score: int, reason: str = "培训师复核"
) -> dict:
    headers = await login(client, "coach")
    response = await client.post(
        f"/api/v1/sessions/{sid}/adjustments",
        json={"dimension": dimension, "score": score, "reason": reason},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_every_reader_sees_the_effective_score(client: httpx.AsyncClient, acme, engine) -> None:
    sid = await ended(client, engine)
    other = await ended(client, engine, scores={**SCORES, "overall": 66})
    review = await adjust(client, sid, "listening", 100)
    # 0.35·80 + 0.2·60 + 0.25·100 + 0.2·70 = 79; the scorer's overall 69 was the weighted mean itself
    assert review["scores"]["effective"] == {**SCORES, "listening": 100, "overall": 79}
    assert review["scores"]["original"] == SCORES and review["scores"]["adjusted"] == ["listening"]
    assert review["scores"]["overall_recomputed"] is True

    for who in ("coach", "rep1"):  # the trainer's desk and the rep's own list
        await login(client, who)
        items = {s["id"]: s for s in (await client.get("/api/v1/sessions")).json()["items"]}
        assert (
            items[sid]["overall_score"],
            items[sid]["original_overall_score"],
            items[sid]["adjusted"],
        ) == (79, 69, True)
        assert items[sid]["scores"]["listening"] == 100 and items[sid]["outcome"]["result"] == "committed"
        assert (items[other]["overall_score"], items[other]["adjusted"]) == (66, False)
        detail = (await client.get(f"/api/v1/sessions/{sid}")).json()
        assert (detail["overall_score"], detail["scores"]["overall"]) == (79, 79)
        scorecard = (await client.get(f"/api/v1/sessions/{sid}/scorecard")).json()
        assert scorecard["scores"]["overall"] == 79 and scorecard["original_scores"] == SCORES
        assert scorecard["adjusted"] == ["listening"] and scorecard["session"]["overall_score"] == 79
        assert scorecard["outcome"] == COMMITTED

    await login(client, "coach")
    found = await client.get("/api/v1/sessions", params={"min_score": 75})
    assert [s["id"] for s in found.json()["items"]] == [sid]  # the original 69 would not pass; 79 does
    assert [
        s["id"] for s in (await client.get("/api/v1/sessions", params={"max_score": 70})).json()["items"]
    ] == [other]
    [rep] = [r for r in (await client.get("/api/v1/reports/reps")).json() if r["user"]["username"] == "rep1"]
    assert rep["average"] == round((79 + 66) / 2)
    point = next(p for p in rep["trend"] if p["session_id"] == sid)
    assert (point["overall"], point["original"], point["adjusted"]) == (79, 69, True)


async def test_an_overall_set_directly_wins_and_the_audit_keeps_every_step(
    client: httpx.AsyncClient, acme, engine
) -> None:
    sid = await ended(client, engine)
    await adjust(client, sid, "overall", 88, "整体表现好于评分")
    review = await adjust(client, sid, "commitment", 20, "承诺其实没有要到")
    assert review["scores"]["effective"]["overall"] == 88  # not recomputed: the trainer set it
    assert review["scores"]["overall_recomputed"] is False
    assert [(a["dimension"], a["original"], a["adjusted"]) for a in review["adjustments"]] == [
        ("overall", 69, 88),
        ("commitment", 70, 20),
    ]
    assert all(a["author"] and a["reason"] and a["created_at"] for a in review["adjustments"])
    again = await adjust(client, sid, "overall", 75, "再次复核")
    assert again["scores"]["effective"]["overall"] == 75  # the latest adjustment of a dimension counts
    with Session(engine) as db:
        assert db.get(PracticeSession, sid).adjusted_overall == 75
        assert db.get(PracticeSession, sid).overall_score == 69  # the scorer's, never changed


async def test_a_dimension_change_keeps_the_outcome_rule(client: httpx.AsyncClient, acme, engine) -> None:
    """A hung-up call scored half its weighted mean: raising a dimension keeps it half, so an adjustment
    does not undo the outcome."""
    hung_up = {**COMMITTED, "result": "hung_up", "commitment": None, "elements": None, "reason": "gaming"}
    sid = await ended(client, engine, scores={**SCORES, "overall": 35}, outcome=hung_up)
    review = await adjust(client, sid, "listening", 100)
    assert review["scores"]["effective"]["overall"] == 40  # 35 × 79 / 69 ≈ 40: about half of the new mean 79


async def test_old_scorecards_read_as_unknown(client: httpx.AsyncClient, acme, engine) -> None:
    sid = await ended(client, engine, outcome=None)
    await login(client, "coach")
    scorecard = (await client.get(f"/api/v1/sessions/{sid}/scorecard")).json()
    assert scorecard["outcome"]["result"] == "unknown" and scorecard["outcome"]["facts_total"] is None
    assert (await client.get(f"/api/v1/sessions/{sid}")).json()["outcome"]["result"] == "unknown"
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert "outcome" in schema["ScorecardOut"]["properties"] and "committed" in str(schema["OutcomeOut"])


async def test_the_adjustment_queues_a_corrected_result_for_the_lms(
    client: httpx.AsyncClient, acme, engine
) -> None:
    with Session(engine) as db:
        from server.db.models import Organization

        org = db.scalar(select(Organization).where(Organization.slug == "acme"))
        org.lrs_endpoint, org.webhook_url, org.webhook_secret = (
            "http://127.0.0.1:9/xapi",
            "http://127.0.0.1:9/h",
            "s",
        )
        db.commit()
    sid = await ended(client, engine)  # LMS configured first: the end queued the first results
    await adjust(client, sid, "listening", 100, "客户主动打断")
    with Session(engine) as db:
        items = list(
            db.scalars(select(OutboxItem).where(OutboxItem.session_id == sid).order_by(OutboxItem.id))
        )
    assert [i.kind for i in items] == ["xapi", "webhook", "xapi", "webhook"]
    first, _, correction, hook = items
    assert first.payload["id"] == statement_id(sid)
    assert correction.payload["context"]["statement"] == {
        "objectType": "StatementRef",
        "id": statement_id(sid),
    }
    assert correction.payload["result"]["score"]["raw"] == 79 and correction.payload["id"] != statement_id(
        sid
    )
    assert hook.payload["event"] == EVENT_SCORECARD_ADJUSTED and hook.payload["session"]["id"] == sid
    assert (
        hook.payload["adjustment"]["dimension"] == "listening"
        and hook.payload["adjustment"]["reason"] == "客户主动打断"
    )
    assert hook.payload["original_scores"] == SCORES and hook.payload["effective_scores"]["overall"] == 79
    assert hook.payload["adjustment"]["author"]["username"] == "coach"


async def test_bad_adjustments_are_4xx_and_queue_nothing(client: httpx.AsyncClient, acme, engine) -> None:
    sid = await ended(client, engine)
    headers = await login(client, "coach")
    for body in (
        {"dimension": "overall", "score": -1, "reason": "x理由"},
        {"dimension": "charm", "score": 5, "reason": "理由"},
        {"dimension": "listening", "score": "高", "reason": "理由"},
        {"dimension": "listening", "score": 50},
    ):
        response = await client.post(f"/api/v1/sessions/{sid}/adjustments", json=body, headers=headers)
        assert response.status_code == 422 and "error" in response.json(), body
    for params in ({"min_score": 101}, {"max_score": "abc"}):
        assert (await client.get("/api/v1/sessions", params=params)).status_code == 422
    with Session(engine) as db:
        assert db.get(PracticeSession, sid).adjusted_overall is None


async def test_many_sessions_take_one_query(client: httpx.AsyncClient, acme, engine) -> None:
    ids = [await ended(client, engine) for _ in range(3)]
    await adjust(client, ids[0], "listening", 100)
    await adjust(client, ids[2], "overall", 50)
    with Session(engine) as db:
        sessions = list(db.scalars(select(PracticeSession).where(PracticeSession.id.in_(ids))))
        statements: list[str] = []

        def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001 - SQLAlchemy's event signature
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            scores = effective_scores_many(db, sessions)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert [scores[i].overall for i in ids] == [79, 69, 50]
