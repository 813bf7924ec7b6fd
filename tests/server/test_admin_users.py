"""Administration of users (issue 12 item 6), through the API on SQLite and PostgreSQL: edit, disable and
enable, reset a password; a disabled user cannot log in or use the app, and their history stays."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.models import LoginSession, User
from tests.server.factories import PASSWORD, login, make_org


@pytest.fixture
def acme(engine):
    return make_org(engine, "acme", {"rep1": "rep", "coach": "trainer", "boss": "admin"})


def _client(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A second browser against the same app (its own cookies)."""
    return httpx.AsyncClient(transport=client._transport, base_url="http://test")


async def _ids(client: httpx.AsyncClient) -> dict[str, str]:
    return {u["username"]: u["id"] for u in (await client.get("/api/v1/admin/users")).json()}


async def test_an_admin_edits_a_users_name_and_role(client: httpx.AsyncClient, acme) -> None:
    headers = await login(client, "boss")
    ids = await _ids(client)
    done = await client.patch(
        f"/api/v1/admin/users/{ids['rep1']}",
        json={"display_name": "张伟", "role": "trainer"},
        headers=headers,
    )
    assert (
        done.status_code == 200 and done.json()["display_name"] == "张伟" and done.json()["role"] == "trainer"
    )
    own = await client.patch(f"/api/v1/admin/users/{ids['boss']}", json={"role": "rep"}, headers=headers)
    assert own.status_code == 422 and "自己的角色" in own.json()["error"]["message"]
    empty = await client.patch(
        f"/api/v1/admin/users/{ids['coach']}", json={"display_name": ""}, headers=headers
    )
    assert empty.status_code == 422
    unknown = await client.patch("/api/v1/admin/users/nobody", json={"role": "rep"}, headers=headers)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "account_error"
    after = {u["username"]: u for u in (await client.get("/api/v1/admin/users")).json()}
    assert (
        after["boss"]["role"] == "admin" and after["coach"]["display_name"] == "coach"
    )  # refused: unchanged


async def test_a_disabled_user_cannot_log_in_and_keeps_their_history(
    client: httpx.AsyncClient, engine, acme
) -> None:
    rep = _client(client)
    rep_headers = await login(rep, "rep1")
    started = await rep.post(
        "/api/v1/sessions", json={"scenario_id": "gov-meeting-room"}, headers=rep_headers
    )
    assert started.status_code == 201
    headers = await login(client, "boss")
    ids = await _ids(client)
    off = await client.patch(f"/api/v1/admin/users/{ids['rep1']}", json={"active": False}, headers=headers)
    assert off.status_code == 200 and off.json()["active"] is False
    assert (await rep.get("/api/v1/auth/me")).status_code == 401  # logged out at once
    again = await rep.post("/api/v1/auth/login", json={"username": "rep1", "password": PASSWORD})
    assert again.status_code == 401
    with Session(engine) as db:
        assert (
            db.scalar(
                select(func.count()).select_from(LoginSession).where(LoginSession.user_id == ids["rep1"])
            )
            == 0
        )
    sessions = (await client.get("/api/v1/sessions", params={"rep": "rep1"})).json()["items"]
    assert [s["id"] for s in sessions] == [started.json()["id"]]  # the history stays
    self_off = await client.patch(
        f"/api/v1/admin/users/{ids['boss']}", json={"active": False}, headers=headers
    )
    assert self_off.status_code == 422 and "自己" in self_off.json()["error"]["message"]
    on = await client.patch(f"/api/v1/admin/users/{ids['rep1']}", json={"active": True}, headers=headers)
    assert on.status_code == 200 and on.json()["active"] is True
    assert (await login(rep, "rep1"))["X-CSRF-Token"]


async def test_an_lms_cannot_start_sessions_for_a_disabled_learner(
    client: httpx.AsyncClient, engine, acme
) -> None:
    lms = {"Authorization": f"Bearer {acme.key}"}
    body = {"scenario_id": "gov-meeting-room", "learner": {"id": "moodle-7", "name": "学员七"}}
    assert (await client.post("/api/v1/sessions", json=body, headers=lms)).status_code == 201
    headers = await login(client, "boss")
    with Session(engine) as db:
        learner = db.scalar(select(User).where(User.external_id == "moodle-7"))
        assert learner is not None
        learner_id = learner.id
    assert (
        await client.patch(f"/api/v1/admin/users/{learner_id}", json={"active": False}, headers=headers)
    ).status_code == 200
    refused = await client.post("/api/v1/sessions", json=body, headers=lms)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "user_disabled"
    nopw = await client.put(
        f"/api/v1/admin/users/{learner_id}/password", json={"password": "long-enough-1"}, headers=headers
    )
    assert nopw.status_code == 422 and "LMS" in nopw.json()["error"]["message"]


async def test_an_admin_resets_a_password(client: httpx.AsyncClient, acme) -> None:
    rep = _client(client)
    await login(rep, "rep1")
    headers = await login(client, "boss")
    ids = await _ids(client)
    short = await client.put(
        f"/api/v1/admin/users/{ids['rep1']}/password", json={"password": "x"}, headers=headers
    )
    assert short.status_code == 422
    done = await client.put(
        f"/api/v1/admin/users/{ids['rep1']}/password", json={"password": "brand-new-pass-2"}, headers=headers
    )
    assert done.status_code == 200
    assert (await rep.get("/api/v1/auth/me")).status_code == 401  # the old login ended
    old = await rep.post("/api/v1/auth/login", json={"username": "rep1", "password": PASSWORD})
    new = await rep.post("/api/v1/auth/login", json={"username": "rep1", "password": "brand-new-pass-2"})
    assert old.status_code == 401 and new.status_code == 200


async def test_only_admins_of_the_organisation_manage_users(client: httpx.AsyncClient, engine, acme) -> None:
    make_org(engine, "rival", {"rival-admin": "admin"})
    headers = await login(client, "boss")
    ids = await _ids(client)
    trainer = _client(client)
    coach = await login(trainer, "coach")
    assert (
        await trainer.patch(f"/api/v1/admin/users/{ids['rep1']}", json={"active": False}, headers=coach)
    ).status_code == 403
    rival = _client(client)
    rival_headers = await login(rival, "rival-admin")
    assert (
        await rival.patch(f"/api/v1/admin/users/{ids['rep1']}", json={"active": False}, headers=rival_headers)
    ).status_code == 404
    assert (
        await client.patch(f"/api/v1/admin/users/{ids['rep1']}", json={"active": 0}, headers=headers)
    ).status_code == 422
