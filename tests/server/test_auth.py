from __future__ import annotations

import httpx
import pytest

from tests.server.factories import PASSWORD, login, make_org


@pytest.fixture
def acme(engine):
    return make_org(engine, "acme", {"rep1": "rep", "coach": "trainer", "boss": "admin"})


async def test_login_sets_an_httponly_cookie_and_returns_a_csrf_token(
    client: httpx.AsyncClient, acme
) -> None:
    response = await client.post("/api/v1/auth/login", json={"username": "rep1", "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    me = await client.get("/api/v1/auth/me")
    assert me.json()["user"]["role"] == "rep" and me.json()["user"]["org"] == "acme"


async def test_wrong_password_and_unknown_user_look_the_same(client: httpx.AsyncClient, acme) -> None:
    for body in ({"username": "rep1", "password": "nope-nope"}, {"username": "ghost", "password": PASSWORD}):
        response = await client.post("/api/v1/auth/login", json=body)
        assert response.status_code == 401 and response.json()["error"]["code"] == "login_failed"


async def test_changing_requests_need_the_csrf_token(client: httpx.AsyncClient, acme) -> None:
    headers = await login(client, "boss")
    body = {"username": "newrep", "password": "long-enough-1", "role": "rep"}
    denied = await client.post("/api/v1/admin/users", json=body)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "csrf_failed"
    created = await client.post("/api/v1/admin/users", json=body, headers=headers)
    assert created.status_code == 201 and created.json()["username"] == "newrep"


async def test_logout_ends_the_login(client: httpx.AsyncClient, acme) -> None:
    headers = await login(client, "rep1")
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_api_keys_are_shown_once_stored_hashed_and_revocable(client: httpx.AsyncClient, acme) -> None:
    headers = await login(client, "boss")
    created = (await client.post("/api/v1/admin/api-keys", json={"name": "Moodle"}, headers=headers)).json()
    secret = created["key"]
    listed = (await client.get("/api/v1/admin/api-keys")).json()
    assert all("key" not in k for k in listed) and any(k["id"] == created["id"] for k in listed)
    lms = httpx.AsyncClient(transport=client._transport, base_url="http://test")
    assert (
        await lms.get("/api/v1/admin/users", headers={"Authorization": f"Bearer {secret}"})
    ).status_code == 403
    revoked = await client.delete(f"/api/v1/admin/api-keys/{created['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    after = await lms.get("/api/v1/auth/me", headers={"X-API-Key": secret})
    assert after.status_code == 401 and after.json()["error"]["code"] == "invalid_api_key"


async def test_only_admins_manage_users(client: httpx.AsyncClient, acme) -> None:
    await login(client, "coach")
    assert (await client.get("/api/v1/admin/users")).status_code == 403


async def test_bad_bodies_are_json_4xx(client: httpx.AsyncClient, acme) -> None:
    bad = await client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
    wrong = await client.post("/api/v1/auth/login", json={"username": 5, "password": ["x"]})
    assert wrong.status_code == 422
    headers = await login(client, "boss")
    dup = await client.post(
        "/api/v1/admin/users", json={"username": "rep1", "password": "long-enough-1"}, headers=headers
    )
    assert dup.status_code == 409
