"""A server killed between storing a rep message and answering it resumes the session where it stopped."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from peilian.settings import Settings
from server.app import create_app
from server.db.models import Message
from tests.server.factories import login, make_org


async def test_a_stored_but_unanswered_message_is_answered_after_a_restart(settings: Settings) -> None:
    first = create_app(settings)
    async with first.router.lifespan_context(first):
        make_org(first.state.peilian.engine, "acme", {"rep1": "rep"})
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://t") as client:
            headers = await login(client, "rep1")
            session = (
                await client.post(
                    "/api/v1/sessions", json={"scenario_id": "gov-meeting-room"}, headers=headers
                )
            ).json()
        # The crash: the rep's message was committed, the process died before the engine answered it.
        with Session(first.state.peilian.engine) as db:
            db.add(
                Message(
                    session_id=session["id"],
                    seq=1,
                    speaker="rep",
                    text="王主任您好,我是华声会议系统的李明。",
                    t=3.0,
                    end=5.0,
                    revealed=[],
                    meta={"act": "statement"},
                )
            )
            db.commit()

    second = create_app(settings)
    transport = httpx.ASGITransport(app=second)
    async with (
        second.router.lifespan_context(second),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        headers = await login(client, "rep1")
        url = f"/api/v1/sessions/{session['id']}"
        turn = await client.post(f"{url}/messages", json={"text": "您今年会务上最担心什么?"}, headers=headers)
        assert turn.status_code == 200, turn.text
        messages = (await client.get(url)).json()["messages"]
    assert [(m["seq"], m["speaker"]) for m in messages] == [
        (0, "customer"),
        (1, "rep"),
        (2, "customer"),
        (3, "rep"),
        (4, "customer"),
    ]
    assert messages[1]["text"].startswith("王主任您好")
