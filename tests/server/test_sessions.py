from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.models import Message, Organization, OutboxItem
from tests.server.factories import login, make_org

INTRO = "王主任您好,我是华声会议系统的客户经理李明,今天打电话是想约您见个面。"


class Clock:
    """A settable clock for the practice service: silences and pauses without sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(app) -> Clock:
    c = Clock()
    app.state.peilian.practice.clock = c
    return c


@pytest.fixture
def acme(engine):
    return make_org(engine, "acme", {"rep1": "rep", "rep2": "rep", "coach": "trainer"})


async def start(
    client: httpx.AsyncClient, headers: dict[str, str], scenario: str = "gov-meeting-room"
) -> dict:
    response = await client.post("/api/v1/sessions", json={"scenario_id": scenario}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def count_messages(engine, session_id: str) -> int:
    with Session(engine) as db:
        return db.scalar(select(func.count()).select_from(Message).where(Message.session_id == session_id))


async def test_a_whole_practice_call(client: httpx.AsyncClient, acme, clock: Clock) -> None:
    headers = await login(client, "rep1")
    session = await start(client, headers)
    assert session["status"] == "active" and session["messages"][0]["speaker"] == "customer"
    clock.advance(6)
    turn = await client.post(
        f"/api/v1/sessions/{session['id']}/messages", json={"text": INTRO}, headers=headers
    )
    assert turn.status_code == 200, turn.text
    body = turn.json()
    assert body["rep"]["seq"] == 1 and body["rep"]["act"]["act"] and body["reply"]["speaker"] == "customer"
    assert body["rep"]["end"] == pytest.approx(6.0)
    clock.advance(5)
    silence = await client.post(
        f"/api/v1/sessions/{session['id']}/silence", json={"seconds": 4.5}, headers=headers
    )
    assert silence.status_code == 200 and "state" in silence.json()
    clock.advance(3)
    ended = await client.post(f"/api/v1/sessions/{session['id']}/end", headers=headers)
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    card = (await client.get(f"/api/v1/sessions/{session['id']}/scorecard")).json()
    assert card["mode"] == "appointment" and 0 <= card["scores"]["overall"] <= 100
    assert all(f["reference"]["section"] for f in card["findings"])
    assert card["facts"] and all("earned" in f for f in card["facts"])
    transcript = (await client.get(f"/api/v1/sessions/{session['id']}/transcript")).json()
    assert transcript["mode"] == "appointment"
    assert all({"speaker", "text", "t", "end"} <= set(t) for t in transcript["turns"])


async def test_the_reply_streams_as_server_sent_events(client: httpx.AsyncClient, acme, clock: Clock) -> None:
    headers = await login(client, "rep1")
    session = await start(client, headers)
    events = []
    async with client.stream(
        "POST",
        f"/api/v1/sessions/{session['id']}/messages",
        json={"text": INTRO},
        headers={**headers, "Accept": "text/event-stream"},
    ) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "text/event-stream"
        )
        name = None
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    names = [n for n, _ in events]
    assert names[0] == "rep" and names[-1] == "reply" and "delta" in names
    deltas = "".join(d["text"] for n, d in events if n == "delta")
    assert deltas == events[-1][1]["reply"]["text"]


async def test_hidden_facts_are_not_exposed_during_the_call(client: httpx.AsyncClient, acme) -> None:
    headers = await login(client, "rep1")
    session = await start(client, headers)
    text = (await client.get(f"/api/v1/sessions/{session['id']}")).text
    assert "万无一失" not in text  # a hidden need of gov-meeting-room
    assert (await client.get(f"/api/v1/sessions/{session['id']}/scorecard")).status_code == 409


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text": "   "}, "empty_message"),
        ({"text": ""}, "invalid_request"),
        ({"text": "字" * 2001}, "invalid_request"),
        ({"text": 5}, "invalid_request"),
        ({"text": "好", "typing_started_at": 10.0, "sent_at": 5.0}, "invalid_times"),
        ({"text": "好", "typing_started_at": 10.0}, "invalid_times"),
        ({"text": "好", "sent_at": "soon"}, "invalid_request"),
        ({"text": "好", "extra": 1}, "invalid_request"),
    ],
)
async def test_bad_messages_are_4xx_and_store_nothing(client, acme, engine, body, code) -> None:
    headers = await login(client, "rep1")
    session = await start(client, headers)
    response = await client.post(f"/api/v1/sessions/{session['id']}/messages", json=body, headers=headers)
    assert 400 <= response.status_code < 500 and response.json()["error"]["code"] == code
    assert count_messages(engine, session["id"]) == 1


async def test_malformed_json_and_future_times(client, acme, engine, clock: Clock) -> None:
    headers = await login(client, "rep1")
    session = await start(client, headers)
    url = f"/api/v1/sessions/{session['id']}/messages"
    bad = await client.post(
        url, content=b'{"text": ', headers={**headers, "content-type": "application/json"}
    )
    assert bad.status_code == 422
    future = await client.post(
        url, json={"text": "好", "typing_started_at": 1.0, "sent_at": 9e9}, headers=headers
    )
    assert future.status_code == 422 and "未来" in future.json()["error"]["message"]
    too_long = await client.post(
        f"/api/v1/sessions/{session['id']}/silence", json={"seconds": 60}, headers=headers
    )
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "invalid_silence"
    for seconds in (-1, 0, "x", None):
        r = await client.post(
            f"/api/v1/sessions/{session['id']}/silence", json={"seconds": seconds}, headers=headers
        )
        assert r.status_code == 422
    assert count_messages(engine, session["id"]) == 1


async def test_ended_and_unknown_sessions(client, acme, engine) -> None:
    headers = await login(client, "rep1")
    session = await start(client, headers)
    await client.post(f"/api/v1/sessions/{session['id']}/messages", json={"text": INTRO}, headers=headers)
    await client.post(f"/api/v1/sessions/{session['id']}/end", headers=headers)
    before = count_messages(engine, session["id"])
    late = await client.post(
        f"/api/v1/sessions/{session['id']}/messages", json={"text": "还在吗"}, headers=headers
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "session_ended"
    again = await client.post(f"/api/v1/sessions/{session['id']}/end", headers=headers)
    assert again.status_code == 200
    assert count_messages(engine, session["id"]) == before
    assert (await client.get("/api/v1/sessions/deadbeef")).status_code == 404
    unknown = await client.post("/api/v1/sessions", json={"scenario_id": "nope"}, headers=headers)
    assert unknown.status_code == 404
    llm = await client.post(
        "/api/v1/sessions", json={"scenario_id": "gov-meeting-room", "voice": "llm"}, headers=headers
    )
    assert llm.status_code == 422 and llm.json()["error"]["code"] == "llm_not_configured"


async def test_two_messages_at_once_are_stored_in_order_and_both_answered(client, acme, engine) -> None:
    headers = await login(client, "rep1")
    session = await start(client, headers, "hospital-splice-screen")
    url = f"/api/v1/sessions/{session['id']}/messages"
    first, second = await asyncio.gather(
        client.post(url, json={"text": "主任您好,我是李明。"}, headers=headers),
        client.post(url, json={"text": "您今年科室最想解决的问题是什么?"}, headers=headers),
    )
    assert first.status_code == second.status_code == 200
    seqs = sorted([first.json()["rep"]["seq"], second.json()["rep"]["seq"]])
    assert seqs == [1, 3]
    messages = (await client.get(f"/api/v1/sessions/{session['id']}")).json()["messages"]
    assert [m["speaker"] for m in messages] == ["customer", "rep", "customer", "rep", "customer"]
    assert [m["seq"] for m in messages] == list(range(5))


async def test_permission_matrix(client, acme, engine) -> None:
    other = make_org(engine, "other", {"outsider": "trainer"})
    h1 = await login(client, "rep1")
    mine = await start(client, h1)
    await login(client, "rep2")
    assert (await client.get(f"/api/v1/sessions/{mine['id']}")).status_code == 404
    assert (await client.get("/api/v1/sessions")).json()["items"] == []
    h2 = await login(client, "rep2")
    denied = await client.post(f"/api/v1/sessions/{mine['id']}/messages", json={"text": "hi"}, headers=h2)
    assert denied.status_code == 404
    await login(client, "coach")
    listed = (await client.get("/api/v1/sessions", params={"rep": "rep1"})).json()["items"]
    assert [s["id"] for s in listed] == [mine["id"]]
    await login(client, "outsider")
    assert (await client.get(f"/api/v1/sessions/{mine['id']}")).status_code == 404
    lms = {"Authorization": f"Bearer {acme.key}"}
    assert (await client.get(f"/api/v1/sessions/{mine['id']}", headers=lms)).status_code == 200
    foreign = {"Authorization": f"Bearer {other.key}"}
    assert (await client.get(f"/api/v1/sessions/{mine['id']}", headers=foreign)).status_code == 404


async def test_an_lms_starts_a_session_for_its_learner_and_gets_the_result(client, acme, engine) -> None:
    with Session(engine) as db:
        org = db.scalar(select(Organization).where(Organization.slug == "acme"))
        org.webhook_url, org.webhook_secret = "http://127.0.0.1:9/hook", "s3cret"
        db.commit()
    lms = {"X-API-Key": acme.key}
    missing = await client.post("/api/v1/sessions", json={"scenario_id": "gov-meeting-room"}, headers=lms)
    assert missing.status_code == 422
    body = {"scenario_id": "gov-meeting-room", "learner": {"id": "moodle-42", "name": "张伟"}}
    session = (await client.post("/api/v1/sessions", json=body, headers=lms)).json()
    assert session["user"]["display_name"] == "张伟"
    await client.post(f"/api/v1/sessions/{session['id']}/messages", json={"text": INTRO}, headers=lms)
    ended = (await client.post(f"/api/v1/sessions/{session['id']}/end", headers=lms)).json()
    assert ended["scorecard"]["scores"]["overall"] >= 0
    with Session(engine) as db:
        items = db.scalars(select(OutboxItem).where(OutboxItem.session_id == session["id"])).all()
    assert [i.kind for i in items] == ["webhook"]


async def test_list_filters(client, acme, clock: Clock) -> None:
    headers = await login(client, "rep1")
    a = await start(client, headers)
    await client.post(f"/api/v1/sessions/{a['id']}/messages", json={"text": INTRO}, headers=headers)
    await client.post(f"/api/v1/sessions/{a['id']}/end", headers=headers)
    await start(client, headers, "hospital-splice-screen")
    await login(client, "coach")
    ended = (await client.get("/api/v1/sessions", params={"status": "ended"})).json()["items"]
    assert [s["id"] for s in ended] == [a["id"]]
    by_scenario = (
        await client.get("/api/v1/sessions", params={"scenario": "hospital-splice-screen"})
    ).json()["items"]
    assert len(by_scenario) == 1
    high = (await client.get("/api/v1/sessions", params={"min_score": 101})).status_code
    assert high == 422
