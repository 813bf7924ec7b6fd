"""Progress (issue 12 item 3) on SQLite and PostgreSQL: series, the weakest skill with its passage, the
team heatmap and the side-by-side comparison, all on effective scores (a trainer's adjustment counts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import PracticeSession, User
from server.services import progress, review
from tests.server.factories import make_org

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LISTEN = {
    "code": "no_pause_after_question",
    "turn": 3,
    "dimension": "listening",
    "message": "提问后没有停顿",
    "advice": "问完停 4 秒",
    "reference": {"section": "第四节 倾听技巧", "text": "黄金静默……"},
}
COMMIT = {
    "code": "commitment_not_asked",
    "turn": None,
    "dimension": "commitment",
    "message": "没有提出行动承诺",
    "advice": "结束前提出行动承诺",
    "reference": {"section": "第一节 理解行动承诺", "text": "行动承诺……"},
}


def attempt(
    db: Session,
    user: User,
    day: int,
    scores: dict[str, int],
    findings: list[dict[str, Any]] = (),
    scenario: str = "gov-meeting-room",
    status: str = "ended",
) -> PracticeSession:
    s = PracticeSession(
        org_id=user.org_id,
        user_id=user.id,
        scenario_id=scenario,
        mode="appointment",
        status=status,
        started_at=T0 + timedelta(days=day),
        overall_score=scores.get("overall"),
        scorecard={"mode": "appointment", "scores": scores, "findings": list(findings)}
        if status == "ended"
        else None,
    )
    db.add(s)
    db.flush()
    return s


def scores(overall: int, listening: int, commitment: int = 70) -> dict[str, int]:
    return {
        "overall": overall,
        "appointment": 80,
        "questioning": 60,
        "listening": listening,
        "commitment": commitment,
    }


@pytest.fixture
def team(engine) -> dict[str, User]:
    make_org(engine, "acme", {"ann": "rep", "bob": "rep", "cat": "rep", "coach": "trainer"})
    make_org(engine, "rival", {"eve": "rep"})
    with Session(engine, expire_on_commit=False) as db:  # the users are read after the commit
        users = {u.username: u for u in db.scalars(select(User))}
        attempt(db, users["ann"], 0, scores(60, 40), [LISTEN])
        attempt(db, users["ann"], 1, scores(65, 50), [LISTEN, COMMIT])
        attempt(db, users["ann"], 2, scores(70, 70, 30), [COMMIT])
        attempt(db, users["ann"], 3, scores(0, 0), status="active")  # no scorecard: not charted
        attempt(db, users["bob"], 1, scores(90, 95, 90), scenario="factory-visit")
        attempt(db, users["eve"], 1, scores(10, 10))
        db.commit()
    return users


def test_series_and_the_weakest_skill_read_effective_scores(engine, team) -> None:
    with Session(engine) as db:
        ann = team["ann"]
        found = progress.rep_attempts(db, org_id=ann.org_id, user_id=ann.id)
        assert [a.scores["overall"] for a in found] == [60, 65, 70]
        line = progress.series(found)
        assert list(line) == ["overall", "appointment", "questioning", "listening", "commitment"]
        assert [p.score for p in line["listening"]] == [40, 50, 70]
        weak = progress.weakest(found)
        # listening 53 vs commitment 57: listening, and the finding seen in two of the three attempts
        assert (weak.dimension, weak.average, weak.code, weak.times) == (
            "listening",
            53,
            "no_pause_after_question",
            2,
        )
        assert weak.reference == {"section": "第四节 倾听技巧", "text": "黄金静默……"}

        # A trainer raises the first attempt's listening to 100: the charts and the weakest skill follow.
        first = db.get(PracticeSession, found[0].session_id)
        review.adjust_score(
            db, session=first, author=team["coach"], dimension="listening", score=100, reason="误判"
        )
        db.commit()
        found = progress.rep_attempts(db, org_id=ann.org_id, user_id=ann.id)
        line = progress.series(found)
        assert [p.score for p in line["listening"]] == [100, 50, 70] and line["listening"][0].adjusted
        # The overall follows the effective dimensions: 60 × weighted 79 ÷ weighted 64 → 74.
        assert line["overall"][0].score == 74 and line["overall"][0].adjusted
        weak = progress.weakest(found)
        assert (weak.dimension, weak.average, weak.code) == ("commitment", 57, "commitment_not_asked")


def test_the_weakest_skill_without_a_finding_cites_its_rules_passage(engine, team) -> None:
    with Session(engine) as db:
        bob = team["bob"]
        weak = progress.weakest(progress.rep_attempts(db, org_id=bob.org_id, user_id=bob.id))
        assert weak.dimension == "questioning" and weak.code is None and weak.times == 0
        assert weak.reference["section"] and weak.reference["text"]  # a real passage of the book
        assert progress.weakest([]) is None


def test_the_team_heatmap(engine, team) -> None:
    with Session(engine) as db:
        rows = progress.team_heatmap(db, org_id=team["ann"].org_id)
        by_name = {r.user.username: r for r in rows}
        assert set(by_name) == {"ann", "bob", "cat"}  # reps of this organisation only; the trainer has none
        assert by_name["ann"].cells["listening"] == progress.Cell(53, 3)
        assert by_name["ann"].cells["overall"] == progress.Cell(65, 3) and by_name["ann"].attempts == 3
        assert by_name["cat"].cells["overall"] == progress.Cell(None, 0) and by_name["cat"].weakest is None
        assert by_name["bob"].weakest == "questioning"
        assert progress.heat_columns(rows) == [
            "overall",
            "appointment",
            "questioning",
            "listening",
            "commitment",
        ]


def test_compare_checks_what_it_is_given(engine, team) -> None:
    with Session(engine) as db:
        ann, bob, eve, coach = team["ann"], team["bob"], team["eve"], team["coach"]
        mine = [a.session_id for a in progress.rep_attempts(db, org_id=ann.org_id, user_id=ann.id)]
        bobs = progress.rep_attempts(db, org_id=bob.org_id, user_id=bob.id)[0].session_id
        eves = progress.rep_attempts(db, org_id=eve.org_id, user_id=eve.id)[0].session_id
        got = progress.compare(db, org_id=ann.org_id, viewer=ann, session_ids=list(reversed(mine)))
        assert [a.scores["overall"] for a in got] == [60, 65, 70]  # oldest first
        assert len(progress.compare(db, org_id=ann.org_id, viewer=coach, session_ids=mine[:2])) == 2

        def refused(viewer: User, ids: list[str]) -> tuple[int, str]:
            with pytest.raises(progress.ProgressError) as exc:
                progress.compare(db, org_id=viewer.org_id, viewer=viewer, session_ids=ids)
            return exc.value.status, str(exc.value)

        assert refused(ann, mine[:1])[0] == 422 and "2–4" in refused(ann, mine[:1])[1]
        assert refused(ann, [*mine, *mine, "a", "b"])[0] == 422
        assert refused(bob, mine[:2])[0] == 404  # another rep's attempts read as missing
        assert refused(coach, [mine[0], eves])[0] == 404  # another organisation's too
        status, message = refused(coach, [mine[0], bobs])
        assert status == 422 and "同一个场景" in message
