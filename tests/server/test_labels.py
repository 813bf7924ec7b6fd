"""A trainer's correction of a message's label through the API: stored with who and when, the newest one in
force, exported as JSON Lines; bad input and the wrong caller answered 4xx (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import datetime

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import LabelCorrection
from tests.server.factories import login, make_org
from tests.server.test_sessions import INTRO, start

QUESTION = "如果现场会上设备出了问题,对您个人会有什么影响?"


@pytest.fixture
def acme(engine):
    return make_org(engine, "acme", {"rep1": "rep", "coach": "trainer", "boss": "admin"})


async def played_session(client: httpx.AsyncClient) -> tuple[str, list[dict]]:
    """rep1's ended session: 0 customer greeting, 1 rep intro, 2 customer, 3 rep question, 4 customer."""
    headers = await login(client, "rep1")
    sid = (await start(client, headers))["id"]
    for text in (INTRO, QUESTION):
        sent = await client.post(f"/api/v1/sessions/{sid}/messages", json={"text": text}, headers=headers)
        assert sent.status_code == 200, sent.text
    await client.post(f"/api/v1/sessions/{sid}/end", headers=headers)
    messages = (await client.get(f"/api/v1/sessions/{sid}")).json()["messages"]
    assert [m["speaker"] for m in messages[:4]] == ["customer", "rep", "customer", "rep"]
    return sid, messages


def export_of(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


async def test_corrections_are_stored_with_who_and_when_and_the_newest_is_exported(
    client: httpx.AsyncClient, acme, engine
) -> None:
    sid, messages = await played_session(client)
    headers = await login(client, "coach")
    url = f"/api/v1/sessions/{sid}/labels"
    first = await client.post(
        url, json={"message_seq": 3, "act": "exploratory", "focus": "need"}, headers=headers
    )
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["label"] == {"act": "exploratory", "focus": "need", "form": None, "elements": None}
    assert body["text"] == QUESTION and body["trainer"]["username"] == "coach" and body["current"]
    assert body["original"] == messages[3]["act"]  # the classifier's label, kept
    datetime.fromisoformat(body["created_at"])
    second = await client.post(
        url,
        json={"message_seq": 3, "act": "exploratory", "focus": "motive", "form": None, "elements": None},
        headers=headers,
    )
    assert second.status_code == 201
    ask = {"time": True, "people": False, "action": True, "benefit": False}
    third = await client.post(
        url, json={"message_seq": 1, "act": "commitment", "elements": ask}, headers=headers
    )
    assert third.status_code == 201 and third.json()["label"]["elements"] == ask

    listed = (await client.get(url)).json()
    assert [(c["message_seq"], c["label"]["focus"], c["current"]) for c in listed] == [
        (3, "need", False),
        (3, "motive", True),
        (1, None, True),
    ]
    with Session(engine) as db:  # both corrections of message 3 are kept
        rows = db.scalars(select(LabelCorrection).order_by(LabelCorrection.id)).all()
        assert [r.focus for r in rows] == ["need", "motive", None] and {r.trainer_id for r in rows} == {
            rows[0].trainer_id
        }

    lines = export_of(await client.get("/api/v1/labels/export"))
    assert [line["id"] for line in lines] == [f"{sid}-3", f"{sid}-1"]
    assert lines[0] == {
        "id": f"{sid}-3",
        "text": QUESTION,
        "act": "exploratory",
        "focus": "motive",
        "form": None,
        "elements": None,
        "source": "trainer:coach",
        "corrected_at": lines[0]["corrected_at"],
    }
    assert datetime.fromisoformat(lines[0]["corrected_at"]).tzinfo is not None
    assert lines[1]["text"] == INTRO and lines[1]["elements"] == ask

    admin = await login(client, "boss")  # an admin of the organisation may correct too
    assert (
        await client.post(url, json={"message_seq": 1, "act": "statement"}, headers=admin)
    ).status_code == 201
    assert export_of(await client.get("/api/v1/labels/export"))[-1]["source"] == "trainer:boss"


BAD = [
    ({"message_seq": 3, "act": "question"}, "invalid_act"),
    ({"message_seq": 3, "act": ""}, "invalid_request"),
    ({"message_seq": 3, "act": "pitch", "focus": "need"}, "invalid_focus"),
    ({"message_seq": 3, "act": "exploratory"}, "invalid_focus"),
    ({"message_seq": 3, "act": "exploratory", "focus": "need", "form": "plain"}, "invalid_form"),
    ({"message_seq": 3, "act": "confirmation"}, "invalid_form"),
    ({"message_seq": 3, "act": "confirmation", "form": "summary", "focus": "need"}, "invalid_focus"),
    ({"message_seq": 3, "act": "commitment"}, "invalid_elements"),
    ({"message_seq": 3, "act": "commitment", "elements": {"time": True}}, "invalid_elements"),
    (
        {
            "message_seq": 3,
            "act": "commitment",
            "elements": {"time": "yes", "people": 1, "action": True, "benefit": False},
        },
        "invalid_elements",
    ),
    (
        {
            "message_seq": 3,
            "act": "statement",
            "elements": {"time": True, "people": True, "action": True, "benefit": True},
        },
        "invalid_elements",
    ),
    ({"act": "statement"}, "invalid_request"),
    ({"message_seq": "3", "act": "statement"}, "invalid_request"),
    ({"message_seq": -1, "act": "statement"}, "invalid_request"),
    ({"message_seq": 99, "act": "statement"}, "invalid_message"),
    ({"message_seq": 0, "act": "statement"}, "not_rep_message"),
    ({"message_seq": 2, "act": "statement"}, "not_rep_message"),
    # A NUL character anywhere in a body is refused by the schema, before the label is looked at.
    ({"message_seq": 3, "act": "statement\x00"}, "invalid_request"),
    ({"message_seq": 3, "act": "exploratory", "focus": "need\x00"}, "invalid_request"),
    (
        {
            "message_seq": 3,
            "act": "commitment",
            "elements": {"time\x00": True, "people": True, "action": True, "benefit": True},
        },
        "invalid_request",
    ),
    ({"message_seq": 3, "act": "statement", "note": "x"}, "invalid_request"),
]


async def test_bad_labels_are_4xx_json_never_500(client: httpx.AsyncClient, acme, engine) -> None:
    sid, _ = await played_session(client)
    headers = await login(client, "coach")
    for body, code in BAD:
        response = await client.post(f"/api/v1/sessions/{sid}/labels", json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["code"] == code and response.json()["error"]["message"], body
    not_json = await client.post(
        f"/api/v1/sessions/{sid}/labels",
        content=b"{\x00",
        headers={**headers, "content-type": "application/json"},
    )
    assert not_json.status_code == 422
    for path in ("/api/v1/sessions/%00/labels", "/api/v1/sessions/a%00b/labels"):
        assert (await client.get(path)).status_code == 404
        assert (
            await client.post(path, json={"message_seq": 1, "act": "statement"}, headers=headers)
        ).status_code == 404
    with Session(engine) as db:
        assert db.scalars(select(LabelCorrection)).all() == []


async def test_only_the_organisations_trainers_and_admins_correct(
    client: httpx.AsyncClient, acme, engine
) -> None:
    sid, _ = await played_session(client)
    url, body = f"/api/v1/sessions/{sid}/labels", {"message_seq": 1, "act": "statement"}
    client.cookies.clear()
    assert (await client.post(url, json=body)).status_code == 401
    assert (await client.get("/api/v1/labels/export")).status_code == 401
    key = {"X-API-Key": acme.key}
    for response in (
        await client.post(url, json=body, headers=key),
        await client.get("/api/v1/labels/export", headers=key),
    ):
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert (await client.get(url, headers=key)).status_code == 200  # reading, as the review is

    rep = await login(client, "rep1")
    refused = await client.post(url, json=body, headers=rep)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert (await client.get("/api/v1/labels/export")).status_code == 403
    assert (await client.get(url)).json() == []  # the rep sees the (empty) corrections of their own session

    make_org(engine, "rival", {"spy": "trainer"})
    spy = await login(client, "spy")
    for response in (await client.post(url, json=body, headers=spy), await client.get(url)):
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    coach = await login(client, "coach")
    assert (await client.post(url, json=body, headers=coach)).status_code == 201
    assert (await client.post(url, json=body)).status_code == 403  # cookie without the CSRF token
    await login(client, "spy")
    assert export_of(await client.get("/api/v1/labels/export")) == []  # another organisation's export
