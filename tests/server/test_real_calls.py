"""Real calls through the API, on SQLite and PostgreSQL: a transcript (plain text or JSON) becomes a stored,
scored session marked real_call, listed like a practice call; an unreadable one answers 422 with the line and
stores nothing; the closest scenario is of the same mode and shares the call's words."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.models import Message, PracticeSession
from server.services import realcalls, scenarios
from tests.server.factories import login, make_org

PLAIN = """[00:00-00:04] 销售：王主任您好，我是华声会议系统的客户经理李明，刘科长介绍我给您打电话。
[00:05-00:07] 客户：哦，什么事？你长话短说。
[00:08-00:15] 销售：听说区政府常委会议室的话筒用了八年，开会时啸叫、断音，您最担心的是什么？
[00:16-00:24] 客户：最怕开大会的时候出岔子，上次就断了一次音。
那次领导很不高兴。
[00:29-00:38] 销售：下周二上午十点我带同级区政府的案例来拜访您和刘科长三十分钟，您看可以吗？
[00:39-00:41] 客户：行，你来吧。
"""


@pytest.fixture
def acme(engine):
    return make_org(engine, "acme", {"rep1": "rep", "coach": "trainer"})


def _count(engine) -> tuple[int, int]:
    with Session(engine) as db:
        return (
            db.scalar(select(func.count()).select_from(PracticeSession)) or 0,
            db.scalar(select(func.count()).select_from(Message)) or 0,
        )


async def test_a_plain_text_call_is_scored_stored_and_listed(client: httpx.AsyncClient, acme, engine) -> None:
    headers = await login(client, "rep1")
    r = await client.post(
        "/api/v1/calls",
        json={"mode": "appointment", "transcript": PLAIN, "title": "约访王主任"},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["session"]["real_call"] is True and body["session"]["status"] == "ended"
    assert 0 <= body["scores"]["overall"] <= 100 and "appointment" in body["scores"]
    assert body["facts"] == []
    assert body["real_call"]["title"] == "约访王主任"
    assert body["real_call"]["closest"] == "gov-meeting-room"
    assert {"话筒", "会议室"} <= set(body["real_call"]["shared"])
    sid = body["session"]["id"]
    detail = (await client.get(f"/api/v1/sessions/{sid}")).json()
    texts = [m["text"] for m in detail["messages"]]
    assert texts[3] == "最怕开大会的时候出岔子，上次就断了一次音。\n那次领导很不高兴。"
    assert detail["messages"][0]["t"] == 0.0 and detail["messages"][0]["end"] == 4.0
    assert detail["messages"][0]["act"]["act"]  # rep messages labelled like a practice call's
    mine = (await client.get("/api/v1/sessions")).json()
    assert [s["id"] for s in mine["items"] if s["real_call"]] == [sid]
    await client.post("/api/v1/auth/logout", headers=headers)
    await login(client, "coach")
    desk = (await client.get("/api/v1/sessions")).json()
    assert sid in {s["id"] for s in desk["items"]}
    assert (await client.get(f"/api/v1/sessions/{sid}/review")).status_code == 200


async def test_a_json_transcript_is_read_too(client: httpx.AsyncClient, acme) -> None:
    headers = await login(client, "rep1")
    transcript = {
        "mode": "visit",
        "turns": [
            {"speaker": "rep", "text": "刘院长您好，今天想听听您对影像科大屏的想法。", "t": 0, "end": 5},
            {"speaker": "customer", "text": "拼接屏现在老是黑一块。", "t": 6, "end": 9},
            {"speaker": "rep", "text": "黑屏对会诊影响大吗？", "t": 13, "end": 15},
        ],
    }
    r = await client.post("/api/v1/calls", json={"mode": "visit", "transcript": transcript}, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["mode"] == "visit" and r.json()["real_call"]["closest"]
    closest = scenarios.builtin_cards()[r.json()["real_call"]["closest"]]
    assert closest.mode == "visit"


@pytest.mark.parametrize(
    ("transcript", "words"),
    [
        ("王主任您好\n销售：我是李明", "第 1 行"),
        ("销售：您好\n客户：\n", "第 2 行"),
        ("销售：您好\n[01:10-01:05] 客户：嗯", "第 2 行"),
        ("客户：喂？\n客户：哪位？", "没有销售"),
        ('{"mode": "visit", "turns": [{"speaker": "boss", "text": "x"}]}', "speaker"),
        ('{"mode": "visit", "turns": [', "JSON"),
        ("   ", "请粘贴"),
    ],
)
async def test_an_unreadable_transcript_names_the_line_and_stores_nothing(
    client: httpx.AsyncClient, acme, engine, transcript: str, words: str
) -> None:
    headers = await login(client, "rep1")
    before = _count(engine)
    r = await client.post("/api/v1/calls", json={"mode": "visit", "transcript": transcript}, headers=headers)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_transcript" and words in error["message"], error
    assert _count(engine) == before


async def test_bad_requests_are_4xx(client: httpx.AsyncClient, acme, engine) -> None:
    headers = await login(client, "rep1")
    bad_mode = await client.post(
        "/api/v1/calls", json={"mode": "lunch", "transcript": PLAIN}, headers=headers
    )
    assert bad_mode.status_code == 422
    nul = await client.post(
        "/api/v1/calls", json={"mode": "visit", "transcript": "销售：你好\u0000"}, headers=headers
    )
    assert nul.status_code == 422
    big = await client.post(
        "/api/v1/calls", json={"mode": "visit", "transcript": "销售：" + "好" * 80_000}, headers=headers
    )
    assert big.status_code in (413, 422)
    no_csrf = await client.post("/api/v1/calls", json={"mode": "visit", "transcript": PLAIN})
    assert no_csrf.status_code == 403
    assert _count(engine) == (0, 0)


async def test_an_lms_key_names_its_learner(client: httpx.AsyncClient, acme) -> None:
    key = {"Authorization": f"Bearer {acme.key}"}
    missing = await client.post("/api/v1/calls", json={"mode": "visit", "transcript": PLAIN}, headers=key)
    assert missing.status_code == 422
    ok = await client.post(
        "/api/v1/calls",
        json={"mode": "visit", "transcript": PLAIN, "learner": {"id": "lms-7", "name": "张伟"}},
        headers=key,
    )
    assert ok.status_code == 201 and ok.json()["session"]["user"]["display_name"] == "张伟"


def test_closest_card_explains_itself() -> None:
    cards = scenarios.builtin_cards()
    match = realcalls.closest_card(cards, mode="visit", call_text="医院影像科的拼接屏经常黑屏,会诊很麻烦")
    assert match is not None and match.card.id == "hospital-splice-screen" and match.card.mode == "visit"
    assert {"拼接", "医院"} <= set(match.shared) and 0 < match.similarity <= 1
    assert realcalls.closest_card({}, mode="visit", call_text="x") is None
