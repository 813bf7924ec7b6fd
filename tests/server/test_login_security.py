"""Logging in (issue 13): throttled per username and per address, the same work for unknown names, no login
from another site's page, and usernames unique per organisation only."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peilian.settings import Settings
from server.app import create_app
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.services import accounts
from server.services.login import LoginThrottle, ThrottleLimits
from tests.server.factories import PASSWORD, login, make_org

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def acme(engine):
    return make_org(engine, "acme", {"rep1": "rep", "boss": "admin"})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def throttled(app, *, per_username: int = 3, per_address: int = 5) -> Clock:
    clock = Clock()
    app.state.peilian.login_throttle = LoginThrottle(
        ThrottleLimits(per_username, per_address, 300.0), clock=clock
    )
    return clock


async def attempt(
    client: httpx.AsyncClient, username: str, password: str = "wrong-password"
) -> httpx.Response:
    return await client.post(LOGIN, json={"username": username, "password": password})


# -- 3. throttling and timing ----------------------------------------------------------------------------
async def test_failed_logins_are_throttled_per_username(client: httpx.AsyncClient, app, acme) -> None:
    clock = throttled(app)
    assert [(await attempt(client, "rep1")).status_code for _ in range(3)] == [401, 401, 401]
    locked = await attempt(client, "rep1", PASSWORD)  # even the right password waits
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "too_many_attempts"
    assert 1 <= int(locked.headers["retry-after"]) <= 300
    assert (await attempt(client, "boss", PASSWORD)).status_code == 200  # another name is not locked
    clock.now += 301
    assert (await attempt(client, "rep1", PASSWORD)).status_code == 200
    assert (await attempt(client, "rep1")).status_code == 401  # a success wiped the count


async def test_failed_logins_are_throttled_per_address(client: httpx.AsyncClient, app, acme) -> None:
    throttled(app, per_username=100, per_address=5)
    codes = [(await attempt(client, f"guess-{i}")).status_code for i in range(7)]
    assert codes == [401] * 5 + [429] * 2
    assert (await attempt(client, "rep1", PASSWORD)).status_code == 429


async def test_the_limits_come_from_the_settings(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"login_max_failures": 2}))
    async with app.router.lifespan_context(app):
        make_org(app.state.peilian.engine, "acme", {"rep1": "rep"})
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            codes = [(await attempt(c, "rep1")).status_code for _ in range(3)]
    assert codes == [401, 401, 429]


async def test_an_unknown_username_costs_one_password_hash_too(
    client: httpx.AsyncClient, acme, engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as db:
        org = accounts.get_organization(db, slug="acme")
        accounts.get_or_create_external_user(db, org=org, external_id="moodle-1", display_name="学员")
        learner = db.scalar(text("SELECT username FROM users WHERE external_id = 'moodle-1'"))
        db.commit()
    real, calls = hashlib.scrypt, []

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    for username in ("rep1", "nobody-here", learner):  # wrong password, unknown name, a learner without one
        calls.clear()
        response = await attempt(client, username)
        assert response.status_code == 401 and response.json()["error"]["code"] == "login_failed"
        assert len(calls) == 1, username


def test_the_throttle_forgets_old_failures_and_bounds_its_memory() -> None:
    clock = Clock()
    throttle = LoginThrottle(ThrottleLimits(2, 100, 60.0), clock=clock)
    throttle.failed("u", "a")
    clock.now += 30
    throttle.failed("u", "a")
    assert throttle.wait("u", "a") == pytest.approx(30.0)
    clock.now += 31
    assert throttle.wait("u", "a") is None  # the first failure left the window
    window = throttle.by_address
    window.MAX_KEYS = 10
    for i in range(25):
        window.failed(f"addr-{i}")
    assert len(window._failures) <= 10


# -- 5. login CSRF (the API's login; the form's is in tests/web) ----------------------------------------
@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Referer": "https://evil.example/page"}],
)
async def test_a_login_from_another_sites_page_is_refused(
    client: httpx.AsyncClient, acme, headers: dict
) -> None:
    response = await client.post(LOGIN, json={"username": "rep1", "password": PASSWORD}, headers=headers)
    assert response.status_code == 403 and response.json()["error"]["code"] == "cross_site"
    assert "peilian_session" not in response.headers.get("set-cookie", "")


async def test_a_login_from_our_own_page_or_without_a_browser_passes(client: httpx.AsyncClient, acme) -> None:
    for headers in ({"Origin": "http://test"}, {"Referer": "http://test/login"}, {}):
        response = await client.post(LOGIN, json={"username": "rep1", "password": PASSWORD}, headers=headers)
        assert response.status_code == 200, headers


async def test_the_public_url_is_our_origin_behind_a_proxy(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"public_url": "https://peilian.example.com"}))
    async with app.router.lifespan_context(app):
        make_org(app.state.peilian.engine, "acme", {"rep1": "rep"})
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        ) as c:
            body = {"username": "rep1", "password": PASSWORD}
            ok = await c.post(LOGIN, json=body, headers={"Origin": "https://peilian.example.com"})
            refused = await c.post(
                LOGIN, json=body, headers={"Origin": "https://peilian.example.com.evil.example"}
            )
    assert ok.status_code == 200 and refused.status_code == 403


# -- 8. usernames per organisation -----------------------------------------------------------------------
async def test_usernames_are_unique_per_organisation_only(client: httpx.AsyncClient, acme, engine) -> None:
    make_org(engine, "globex", {"g-admin": "admin"})
    headers = await login(client, "g-admin")
    namesake = await client.post(
        "/api/v1/admin/users", json={"username": "rep1", "password": "another-pass-1"}, headers=headers
    )
    assert namesake.status_code == 201  # no 409: acme's rep1 stays unknown to globex
    again = await client.post(
        "/api/v1/admin/users", json={"username": "rep1", "password": "another-pass-1"}, headers=headers
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "account_error"
    acme_rep = await client.post(LOGIN, json={"username": "rep1", "password": PASSWORD})
    globex_rep = await client.post(LOGIN, json={"username": "rep1", "password": "another-pass-1"})
    assert acme_rep.json()["user"]["org"] == "acme" and globex_rep.json()["user"]["org"] == "globex"


async def test_namesakes_with_the_same_password_name_their_organisation(
    client: httpx.AsyncClient, acme, engine
) -> None:
    make_org(engine, "globex", {"rep1": "rep"})
    ambiguous = await client.post(LOGIN, json={"username": "rep1", "password": PASSWORD})
    assert ambiguous.status_code == 409 and ambiguous.json()["error"]["code"] == "org_required"
    chosen = await client.post(LOGIN, json={"username": "rep1", "password": PASSWORD, "org": "globex"})
    assert chosen.status_code == 200 and chosen.json()["user"]["org"] == "globex"
    wrong_org = await client.post(LOGIN, json={"username": "rep1", "password": PASSWORD, "org": "initech"})
    assert wrong_org.status_code == 401


def test_migration_0004_keeps_every_row_and_allows_namesakes(tmp_path: Path) -> None:
    """On SQLite the users table is copied: the rows that refer to users (cascading) must all survive."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0003_adjusted_overall")
    now = {"t": "2026-12-01 09:00:00"}
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO organizations (id, name, slug, created_at) VALUES ('o', 'O', 'o', :t), "
                "('p', 'P', 'p', :t)"
            ),
            now,
        )
        db.execute(
            text(
                "INSERT INTO users (id, org_id, username, display_name, role, active, created_at) "
                "VALUES ('u', 'o', 'rep', 'Rep', 'rep', 1, :t)"
            ),
            now,
        )
        db.execute(
            text(
                "INSERT INTO login_sessions (token_hash, user_id, csrf_token, created_at, expires_at) "
                "VALUES ('h', 'u', 'c', :t, :t)"
            ),
            now,
        )
        db.execute(
            text(
                "INSERT INTO practice_sessions (id, org_id, user_id, scenario_id, mode, voice, seed, status, "
                "engine_state, started_at, last_event_at, created_via) VALUES ('s', 'o', 'u', 'x', 'visit', "
                "'scripted', 0, 'active', '{}', :t, :t, 'web')"
            ),
            now,
        )
    upgrade(engine)
    with engine.begin() as db:
        counts = [
            db.scalar(text(f"SELECT count(*) FROM {t}"))
            for t in ("users", "login_sessions", "practice_sessions")
        ]
        assert counts == [1, 1, 1]
        assert db.scalar(text("PRAGMA foreign_keys")) == 1  # back on for the app
        db.execute(
            text(
                "INSERT INTO users (id, org_id, username, display_name, role, active, created_at) "
                "VALUES ('v', 'p', 'rep', 'Rep', 'rep', 1, :t)"
            ),
            now,
        )
    with pytest.raises(IntegrityError), engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO users (id, org_id, username, display_name, role, active, created_at) "
                "VALUES ('w', 'p', 'rep', 'Rep', 'rep', 1, :t)"
            ),
            now,
        )
    engine.dispose()
