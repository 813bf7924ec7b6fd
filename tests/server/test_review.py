from __future__ import annotations

import httpx
import pytest

from tests.server.factories import login, make_org
from tests.server.test_sessions import INTRO, start


@pytest.fixture
def acme(engine):
    return make_org(engine, "acme", {"rep1": "rep", "coach": "trainer"})


async def ended_session(client: httpx.AsyncClient) -> str:
    headers = await login(client, "rep1")
    session = await start(client, headers)
    await client.post(f"/api/v1/sessions/{session['id']}/messages", json={"text": INTRO}, headers=headers)
    await client.post(f"/api/v1/sessions/{session['id']}/end", headers=headers)
    return session["id"]


async def test_trainer_comments_and_adjusts_with_the_original_kept(client: httpx.AsyncClient, acme) -> None:
    sid = await ended_session(client)
    headers = await login(client, "coach")
    comment = await client.post(
        f"/api/v1/sessions/{sid}/comments", json={"message_seq": 1, "text": "开场很清楚"}, headers=headers
    )
    assert comment.status_code == 201 and comment.json()["comments"][0]["message_seq"] == 1
    original = (await client.get(f"/api/v1/sessions/{sid}/scorecard")).json()["scores"]["listening"]
    adjusted = await client.post(
        f"/api/v1/sessions/{sid}/adjustments",
        json={"dimension": "listening", "score": 90, "reason": "客户打断,情有可原"},
        headers=headers,
    )
    body = adjusted.json()
    assert adjusted.status_code == 201
    assert (
        body["scores"]["original"]["listening"] == original and body["scores"]["effective"]["listening"] == 90
    )
    assert body["adjustments"][0]["original"] == original and body["adjustments"][0]["author"]
    from evaluators.scoring import overall_of, round_half_up

    # The overall follows the dimensions by the mode's weights, keeping the scorer's outcome rule (here the
    # cap of a one-message call): the scorer's overall × weighted(effective) ÷ weighted(original).
    dims = {k: v for k, v in body["scores"]["effective"].items() if k != "overall"}
    before = {k: v for k, v in body["scores"]["original"].items() if k != "overall"}
    expected = round_half_up(
        body["scores"]["original"]["overall"]
        * overall_of("appointment", dims)
        / overall_of("appointment", before)
    )
    assert body["scores"]["effective"]["overall"] == expected and body["scores"]["overall_recomputed"]
    scorecard = (await client.get(f"/api/v1/sessions/{sid}/scorecard")).json()
    assert scorecard["scores"]["listening"] == 90 and scorecard["original_scores"]["listening"] == original
    trends = (await client.get("/api/v1/reports/reps")).json()
    rep = next(r for r in trends if r["user"]["username"] == "rep1")
    assert rep["sessions"] == 1 and len(rep["trend"]) == 1


async def test_reps_cannot_review_and_bad_reviews_are_4xx(client: httpx.AsyncClient, acme) -> None:
    sid = await ended_session(client)
    headers = await login(client, "rep1")
    denied = await client.post(f"/api/v1/sessions/{sid}/comments", json={"text": "自评"}, headers=headers)
    assert denied.status_code == 403
    assert (await client.get("/api/v1/reports/reps")).status_code == 403
    headers = await login(client, "coach")
    for body, status in (({"message_seq": 99, "text": "x"}, 422), ({"text": ""}, 422)):
        assert (
            await client.post(f"/api/v1/sessions/{sid}/comments", json=body, headers=headers)
        ).status_code == status
    bad_dim = await client.post(
        f"/api/v1/sessions/{sid}/adjustments",
        json={"dimension": "charm", "score": 50, "reason": "原因"},
        headers=headers,
    )
    assert bad_dim.status_code == 422 and bad_dim.json()["error"]["code"] == "invalid_dimension"
    out_of_range = await client.post(
        f"/api/v1/sessions/{sid}/adjustments",
        json={"dimension": "listening", "score": 101, "reason": "原因"},
        headers=headers,
    )
    assert out_of_range.status_code == 422
