"""The progress reports through the API on SQLite and PostgreSQL: a rep's series and weakest skill (their own
only), the team heatmap (staff and the organisation's LMS key), effective scores after an adjustment."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import User
from tests.server.factories import login, make_org
from tests.server.services.test_progress import LISTEN, attempt, scores


@pytest.fixture
def acme(engine):
    org = make_org(engine, "acme", {"ann": "rep", "bob": "rep", "coach": "trainer"})
    make_org(engine, "rival", {"eve": "rep"})
    with Session(engine) as db:
        users = {u.username: u for u in db.scalars(select(User))}
        first = attempt(db, users["ann"], 0, scores(60, 40), [LISTEN]).id
        attempt(db, users["ann"], 1, scores(66, 50), [LISTEN])
        attempt(db, users["eve"], 1, scores(10, 10))
        db.commit()
    return org, first


async def test_a_rep_reads_their_own_progress_only(client: httpx.AsyncClient, acme) -> None:
    await login(client, "ann")
    mine = await client.get("/api/v1/reports/reps/ann/progress")
    assert mine.status_code == 200
    body = mine.json()
    assert body["attempts"] == 2 and [p["score"] for p in body["series"]["listening"]] == [40, 50]
    assert body["weakest"]["dimension"] == "listening" and body["weakest"]["average"] == 45
    assert body["weakest"]["reference"]["section"] == "第四节 倾听技巧"
    for name in ("bob", "eve", "nobody"):
        refused = await client.get(f"/api/v1/reports/reps/{name}/progress")
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert (await client.get("/api/v1/reports/heatmap")).status_code == 403


async def test_trainers_see_the_team_and_adjustments_count(client: httpx.AsyncClient, acme) -> None:
    org, first = acme
    headers = await login(client, "coach")
    heat = (await client.get("/api/v1/reports/heatmap")).json()
    rows = {r["user"]["username"]: r for r in heat["rows"]}
    assert set(rows) == {"ann", "bob"} and rows["ann"]["cells"]["listening"] == {"average": 45, "count": 2}
    assert rows["bob"]["cells"]["overall"] == {"average": None, "count": 0}
    adjusted = await client.post(
        f"/api/v1/sessions/{first}/adjustments",
        json={"dimension": "listening", "score": 100, "reason": "误判"},
        headers=headers,
    )
    assert adjusted.status_code in (200, 201), adjusted.text
    progress = (await client.get("/api/v1/reports/reps/ann/progress")).json()
    assert [p["score"] for p in progress["series"]["listening"]] == [100, 50]
    assert progress["series"]["listening"][0]["adjusted"] is True
    lms = await client.get("/api/v1/reports/heatmap", headers={"Authorization": f"Bearer {org.key}"})
    assert lms.status_code == 200 and {r["user"]["username"] for r in lms.json()["rows"]} == {"ann", "bob"}
    assert lms.json()["rows"][0]["cells"]["listening"]["average"] == 75
