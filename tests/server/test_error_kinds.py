"""Services raise the kinds of peilian/errors.py; the API answers each with its one status (SQLite and
PostgreSQL), never by reading the message, and nothing stored changes."""

from __future__ import annotations

import httpx
import pytest

from tests.server.factories import login, make_org


@pytest.fixture
def acme(engine):
    return make_org(engine, "acme", {"rep1": "rep", "coach": "trainer", "boss": "admin"})


async def test_account_refusals_answer_by_their_kind(client: httpx.AsyncClient, acme) -> None:
    headers = await login(client, "boss")
    before = (await client.get("/api/v1/admin/users")).json()
    dup = await client.post(
        "/api/v1/admin/users", json={"username": "rep1", "password": "long-enough-1"}, headers=headers
    )
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "account_error"  # Conflict
    short = await client.post(
        "/api/v1/admin/users", json={"username": "newbie", "password": "x"}, headers=headers
    )
    assert short.status_code == 422 and short.json()["error"]["code"] in ("account_error", "invalid_request")
    gone = await client.delete("/api/v1/admin/api-keys/no-such-key", headers=headers)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"  # NotFound
    lms = await client.put("/api/v1/admin/lms", json={"webhook_url": "ftp://x"}, headers=headers)
    assert lms.status_code == 422 and lms.json()["error"]["code"] == "invalid_lms"  # Invalid
    assert (await client.get("/api/v1/admin/users")).json() == before  # nothing stored changed


async def test_login_refusals_answer_by_their_kind(client: httpx.AsyncClient, acme) -> None:
    wrong = await client.post("/api/v1/auth/login", json={"username": "rep1", "password": "wrong-password"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "login_failed"  # Unauthorized


async def test_session_refusals_answer_by_their_kind(client: httpx.AsyncClient, acme) -> None:
    headers = await login(client, "rep1")
    missing = await client.post("/api/v1/sessions/nope/messages", json={"text": "您好"}, headers=headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"  # NotFound
    card = await client.get("/api/v1/sessions/nope/scorecard")
    assert card.status_code == 404
