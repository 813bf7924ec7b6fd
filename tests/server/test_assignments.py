"""Assignments and exams through the API (SQLite and PostgreSQL): a trainer or an LMS assigns a scenario to reps
and teams; a rep reads 我的任务 and starts attempts; past the deadline or over an exam's attempts a new attempt is
refused (409, Chinese message) and nothing is stored; pass or fail follows the effective score; an exam's
hidden facts wait for the trainer's release; the LMS gets `passed` / `failed` with the score and pass mark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.models import Organization, OutboxItem, PracticeSession, User
from server.lms.exam import VERB_FAILED, VERB_PASSED, exam_statement_id
from tests.server.factories import login, make_org
from tests.server.test_effective_scores import SCORES, fix_scorecard
from tests.server.test_sessions import INTRO

SCENARIO = "gov-meeting-room"


@pytest.fixture
def acme(engine):
    org = make_org(engine, "acme", {"rep1": "rep", "rep2": "rep", "rep3": "rep", "coach": "trainer"})
    with Session(engine) as db:
        for name, team in (("rep1", "华东一组"), ("rep2", "华东一组"), ("rep3", None)):
            db.scalar(select(User).where(User.username == name)).team = team
        db.commit()
    return org


def later(days: float = 7) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


async def assign(client: httpx.AsyncClient, status: int = 201, **body) -> dict:
    headers = await login(client, "coach")
    payload = {"scenario_id": SCENARIO, "deadline": later(), **body}
    response = await client.post("/api/v1/assignments", json=payload, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


async def attempt(client: httpx.AsyncClient, rep: str, assignment_id: str, status: int = 201) -> dict:
    headers = await login(client, rep)
    response = await client.post(f"/api/v1/assignments/{assignment_id}/sessions", json={}, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


async def finish(client: httpx.AsyncClient, rep: str, session_id: str) -> None:
    headers = await login(client, rep)
    await client.post(f"/api/v1/sessions/{session_id}/messages", json={"text": INTRO}, headers=headers)
    response = await client.post(f"/api/v1/sessions/{session_id}/end", headers=headers)
    assert response.status_code == 200, response.text


def count_sessions(engine) -> int:
    with Session(engine) as db:
        return db.scalar(select(func.count()).select_from(PracticeSession)) or 0


async def test_a_team_assignment_reaches_its_members_with_their_status(
    client: httpx.AsyncClient, acme, engine
) -> None:
    made = await assign(client, teams=["华东一组"], reps=["rep3"], difficulty="hard", pass_mark=70)
    assert made["targets"]["teams"] == ["华东一组"] and made["difficulty"] == "hard"
    for rep in ("rep1", "rep2", "rep3"):
        await login(client, rep)
        [mine] = (await client.get("/api/v1/assignments")).json()["items"]
        assert mine["id"] == made["id"] and mine["mine"]["status"] == "not_started"
        assert mine["mine"]["status_label"] == "未开始"

    session = await attempt(client, "rep1", made["id"])
    assert session["status"] == "active"
    again = await attempt(client, "rep1", made["id"])  # the attempt under way is resumed, not a new one
    assert again["id"] == session["id"]
    with Session(engine) as db:
        stored = db.get(PracticeSession, session["id"])
        assert stored.assignment_id == made["id"]
        assert stored.engine_state["conversation"]["state"]["difficulty"] == "hard"

    await login(client, "coach")
    detail = (await client.get(f"/api/v1/assignments/{made['id']}")).json()
    status = {row["user"]["username"]: row["status"] for row in detail["progress"]}
    assert status == {"rep1": "in_progress", "rep2": "not_started", "rep3": "not_started"}
    teams = {t["team"]: t for t in detail["teams"]}
    assert teams["华东一组"]["reps"] == 2 and teams["华东一组"]["counts"]["in_progress"] == 1
    assert teams["未分组"]["reps"] == 1
    listed = (await client.get("/api/v1/assignments")).json()["items"]
    assert listed[0]["completion"]["reps"] == 3


async def test_pass_or_fail_follows_the_effective_score(client: httpx.AsyncClient, acme, engine) -> None:
    made = await assign(client, reps=["rep1"], pass_mark=75)
    sid = (await attempt(client, "rep1", made["id"]))["id"]
    await finish(client, "rep1", sid)
    fix_scorecard(engine, sid, SCORES)  # overall 69 < 75
    await login(client, "rep1")
    [mine] = (await client.get("/api/v1/assignments")).json()["items"]
    assert (mine["mine"]["status"], mine["mine"]["best_score"]) == ("in_progress", 69)
    card = (await client.get(f"/api/v1/sessions/{sid}/scorecard")).json()
    assert card["assignment"]["passed"] is False and card["assignment"]["pass_mark"] == 75

    headers = await login(client, "coach")
    response = await client.post(
        f"/api/v1/sessions/{sid}/adjustments",
        json={"dimension": "listening", "score": 100, "reason": "培训师复核"},
        headers=headers,
    )
    assert response.status_code == 201  # the overall is recomputed to 79
    await login(client, "rep1")
    [mine] = (await client.get("/api/v1/assignments")).json()["items"]
    assert (mine["mine"]["status"], mine["mine"]["best_score"]) == ("passed", 79)
    assert (await client.get(f"/api/v1/sessions/{sid}/scorecard")).json()["assignment"]["passed"] is True


async def test_an_exam_limits_attempts_and_hides_the_facts_until_released(
    client: httpx.AsyncClient, acme, engine
) -> None:
    made = await assign(client, reps=["rep1"], exam=True, max_attempts=2, pass_mark=100, seed=4242)
    assert made["exam"] is True and made["max_attempts"] == 2
    first = await attempt(client, "rep1", made["id"])
    await finish(client, "rep1", first["id"])
    second = await attempt(client, "rep1", made["id"])
    await finish(client, "rep1", second["id"])
    with Session(engine) as db:  # a fixed seed: every attempt hears the same customer
        seeds = {db.get(PracticeSession, s["id"]).seed for s in (first, second)}
    assert seeds == {4242}

    before = count_sessions(engine)
    headers = await login(client, "rep1")
    refused = await client.post(f"/api/v1/assignments/{made['id']}/sessions", json={}, headers=headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "attempts_exhausted"
    assert "最多可以做 2 次" in refused.json()["error"]["message"]
    assert count_sessions(engine) == before  # nothing stored

    [mine] = (await client.get("/api/v1/assignments")).json()["items"]
    assert mine["mine"]["status"] == "failed" and mine["mine"]["status_label"] == "未通过"
    card = (await client.get(f"/api/v1/sessions/{first['id']}/scorecard")).json()
    assert card["facts"] == [] and card["facts_hidden"] is True
    assert (
        await client.post(f"/api/v1/sessions/{first['id']}/release-facts", headers=headers)
    ).status_code == 403

    headers = await login(client, "coach")
    seen = (await client.get(f"/api/v1/sessions/{first['id']}/scorecard")).json()
    assert seen["facts"] and seen["facts_hidden"] is False  # the trainer always sees them
    released = await client.post(f"/api/v1/sessions/{first['id']}/release-facts", headers=headers)
    assert released.status_code == 200 and released.json()["facts_released_at"]
    await login(client, "rep1")
    card = (await client.get(f"/api/v1/sessions/{first['id']}/scorecard")).json()
    assert card["facts"] and card["facts_hidden"] is False
    still = (await client.get(f"/api/v1/sessions/{second['id']}/scorecard")).json()
    assert still["facts"] == []  # released per attempt


async def test_past_the_deadline_a_new_attempt_is_refused(client: httpx.AsyncClient, acme, engine) -> None:
    made = await assign(client, reps=["rep1", "rep2"])
    with Session(engine) as db:
        from server.db.models import Assignment

        db.get(Assignment, made["id"]).deadline = datetime.now(UTC) - timedelta(hours=1)
        db.commit()
    before = count_sessions(engine)
    headers = await login(client, "rep1")
    refused = await client.post(f"/api/v1/assignments/{made['id']}/sessions", json={}, headers=headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "assignment_expired"
    assert "截止" in refused.json()["error"]["message"]
    assert count_sessions(engine) == before
    [mine] = (await client.get("/api/v1/assignments")).json()["items"]
    assert mine["mine"]["status"] == "expired" and mine["mine"]["status_label"] == "已过期"


async def test_bad_assignments_are_refused_in_chinese(client: httpx.AsyncClient, acme, engine) -> None:
    cases = [
        (
            {"deadline": (datetime.now(UTC) - timedelta(days=1)).isoformat(), "reps": ["rep1"]},
            422,
            "晚于现在",
        ),
        ({"deadline": "2030-01-01T10:00:00", "reps": ["rep1"]}, 422, "时区"),
        ({"deadline": "明天", "reps": ["rep1"]}, 422, "ISO 8601"),
        ({"reps": []}, 422, "至少选择"),
        ({"reps": ["nobody"]}, 422, "没有这位销售"),
        ({"reps": ["coach"]}, 422, "没有这位销售"),
        ({"teams": ["不存在的组"]}, 422, "没有这个团队"),
        ({"reps": ["rep1"], "scenario_id": "no-such-card"}, 404, "未知场景"),
        ({"reps": ["rep1"], "pass_mark": 101}, 422, ""),
        ({"reps": ["rep1"], "exam": 1}, 422, ""),  # no coercion: 1 is no boolean
    ]
    for body, status, text in cases:
        error = (await assign(client, status=status, **body))["error"]
        assert text in error["message"], (body, error)
    await login(client, "coach")
    assert (await client.get("/api/v1/assignments")).json()["items"] == []
    headers = await login(client, "rep1")  # reps do not assign
    response = await client.post(
        "/api/v1/assignments",
        json={"scenario_id": SCENARIO, "deadline": later(), "reps": ["rep1"]},
        headers=headers,
    )
    assert response.status_code == 403


async def test_a_rep_sees_only_their_assignments(client: httpx.AsyncClient, acme, engine) -> None:
    made = await assign(client, reps=["rep1"])
    await login(client, "rep3")
    assert (await client.get("/api/v1/assignments")).json()["items"] == []
    assert (await client.get(f"/api/v1/assignments/{made['id']}")).status_code == 404
    headers = await login(client, "rep3")
    response = await client.post(f"/api/v1/assignments/{made['id']}/sessions", json={}, headers=headers)
    assert response.status_code == 404
    other = make_org(engine, "other", {"stranger": "trainer"})
    assert other
    await login(client, "stranger")
    assert (await client.get(f"/api/v1/assignments/{made['id']}")).status_code == 404


async def test_an_lms_assigns_an_exam_and_gets_passed_or_failed(
    client: httpx.AsyncClient, acme, engine
) -> None:
    with Session(engine) as db:
        org = db.scalar(select(Organization).where(Organization.slug == "acme"))
        org.lrs_endpoint = "http://127.0.0.1:9/xapi"
        db.commit()
    key = {"Authorization": f"Bearer {acme.key}"}
    body = {
        "scenario_id": SCENARIO,
        "deadline": later(),
        "exam": True,
        "pass_mark": 60,
        "learners": [{"id": "moodle-7", "name": "王五"}],
    }
    made = await client.post("/api/v1/assignments", json=body, headers=key)
    assert made.status_code == 201, made.text
    aid = made.json()["id"]
    assert (await client.get("/api/v1/assignments", headers=key)).json()["items"][0]["id"] == aid
    no_learner = await client.post(f"/api/v1/assignments/{aid}/sessions", json={}, headers=key)
    assert no_learner.status_code == 422
    started = await client.post(
        f"/api/v1/assignments/{aid}/sessions", json={"learner": {"id": "moodle-7"}}, headers=key
    )
    assert started.status_code == 201, started.text
    sid = started.json()["id"]
    await client.post(f"/api/v1/sessions/{sid}/messages", json={"text": INTRO}, headers=key)
    assert (await client.post(f"/api/v1/sessions/{sid}/end", headers=key)).status_code == 200

    with Session(engine) as db:
        stored = db.get(PracticeSession, sid)
        payloads = [i.payload for i in db.scalars(select(OutboxItem).where(OutboxItem.session_id == sid))]
    [exam] = [p for p in payloads if p["id"] == exam_statement_id(sid)]
    score = stored.overall_score
    assert exam["verb"]["id"] == (VERB_PASSED if score >= 60 else VERB_FAILED)
    assert exam["result"]["success"] is (score >= 60) and exam["result"]["score"]["raw"] == score
    assert exam["result"]["extensions"]["http://127.0.0.1:8000/xapi/extensions/pass-mark"] == 60
    assert exam["actor"]["account"]["name"] == "moodle-7"
    # The LMS acts for the learner: the hidden facts wait for the trainer.
    assert (await client.get(f"/api/v1/sessions/{sid}/scorecard", headers=key)).json()["facts"] == []

    # A trainer's adjustment turns it the other way: a new statement refers to the first.
    fix_scorecard(engine, sid, {**SCORES, "overall": 50})
    headers = await login(client, "coach")
    response = await client.post(
        f"/api/v1/sessions/{sid}/adjustments",
        json={"dimension": "overall", "score": 90, "reason": "复核后通过"},
        headers=headers,
    )
    assert response.status_code == 201
    with Session(engine) as db:
        payloads = [i.payload for i in db.scalars(select(OutboxItem).where(OutboxItem.session_id == sid))]
    [after] = [
        p for p in payloads if p.get("context", {}).get("statement", {}).get("id") == exam_statement_id(sid)
    ]
    assert after["verb"]["id"] == VERB_PASSED and after["result"]["score"]["raw"] == 90
    assert after["result"]["success"] is True


async def test_teams_are_set_by_trainers(client: httpx.AsyncClient, acme, engine) -> None:
    headers = await login(client, "coach")
    response = await client.put(
        "/api/v1/teams/members", json={"username": "rep3", "team": "  华南 组 "}, headers=headers
    )
    assert response.status_code == 200 and response.json()["team"] == "华南 组"
    teams = (await client.get("/api/v1/teams")).json()
    assert {t["team"]: len(t["members"]) for t in teams["items"]} == {"华东一组": 2, "华南 组": 1}
    missing = await client.put(
        "/api/v1/teams/members", json={"username": "coach", "team": "x"}, headers=headers
    )
    assert missing.status_code == 404 and "没有这位销售" in missing.json()["error"]["message"]
    long = await client.put(
        "/api/v1/teams/members", json={"username": "rep3", "team": "长" * 61}, headers=headers
    )
    assert long.status_code == 422
    await login(client, "rep1")
    assert (await client.get("/api/v1/teams")).status_code == 403


async def test_two_starts_at_once_make_one_attempt(client: httpx.AsyncClient, acme, engine, app) -> None:
    import threading

    from server.db.models import Assignment
    from server.services import exams

    made = await assign(client, reps=["rep1"], exam=True, max_attempts=1)
    state = app.state.peilian
    results: list[tuple[str, bool]] = []
    barrier = threading.Barrier(2)

    def go() -> None:
        with state.sessionmaker() as db:
            found = db.get(Assignment, made["id"])
            user = db.scalar(select(User).where(User.username == "rep1"))
            barrier.wait()
            session, new = exams.start_attempt(db, state.practice, assignment=found, user=user, via="web")
            results.append((session.id, new))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 2 and len({sid for sid, _ in results}) == 1  # the second resumed the first
    assert sorted(new for _, new in results) == [False, True]
    assert count_sessions(engine) == 1


async def test_an_exam_turn_through_the_api_shows_no_coach_label_and_no_live_meters(
    client: httpx.AsyncClient, acme
) -> None:
    exam = await assign(client, reps=["rep1"], exam=True, max_attempts=2, seed=7)
    practice = await assign(client, reps=["rep1"])
    answers = {}
    for name, made in (("exam", exam), ("practice", practice)):
        session = await attempt(client, "rep1", made["id"])
        headers = await login(client, "rep1")
        response = await client.post(
            f"/api/v1/sessions/{session['id']}/messages", json={"text": INTRO}, headers=headers
        )
        assert response.status_code == 200, response.text
        answers[name] = response.json()
    assert answers["practice"]["rep"]["act"]["act"] and "trust" in answers["practice"]["state"]
    assert answers["exam"]["rep"]["act"] is None
    assert "trust" not in answers["exam"]["state"] and "patience" not in answers["exam"]["state"]
    assert answers["exam"]["reply"]["text"] and "turn" in answers["exam"]["state"]
