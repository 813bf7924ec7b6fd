"""The pages' side of issue 13: the login form's CSRF token and Origin check, its throttling, namesakes in
two organisations, NUL characters in forms and addresses (an error page, never a 500), a bounded desk
page number, visitors' book searches rate-limited, and the security headers on every page."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from peilian.settings import Settings
from server.app import create_app
from server.db.models import Comment, ScenarioCard, User
from server.services import accounts
from tests.web.support import INTRO, PASSWORD, login_token, play_session, post_login, seed_accounts


def state(app) -> object:
    return app.state.peilian


def count(app, model) -> int:
    with state(app).sessionmaker() as db:
        return db.scalar(select(func.count()).select_from(model))


# -- login CSRF ------------------------------------------------------------------------------------------
async def test_the_login_form_carries_a_token_bound_to_a_cookie(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    token = login_token(page.text)
    cookie = page.headers["set-cookie"].lower()
    assert "peilian_login_csrf=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert login_token((await client.get("/login")).text) == token  # two open tabs both work


@pytest.mark.parametrize("case", ["no token", "wrong token", "no cookie", "other origin", "null origin"])
async def test_a_login_post_without_our_form_logs_nobody_in(client: httpx.AsyncClient, case: str) -> None:
    """A page of another site cannot log a visitor into the attacker's account (login CSRF)."""
    token = login_token((await client.get("/login")).text)
    data = {"username": "demo-rep", "password": PASSWORD, "next": "/", "csrf_token": token}
    headers = {}
    if case == "no token":
        del data["csrf_token"]
    elif case == "wrong token":
        data["csrf_token"] = "forged"
    elif case == "no cookie":
        client.cookies.clear()
    else:
        headers["Origin"] = "https://evil.example" if case == "other origin" else "null"
    response = await client.post("/login", data=data, headers=headers)
    assert response.status_code == 403 and "重新登录" in response.text
    assert "peilian_session" not in response.headers.get("set-cookie", "")
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_a_login_from_our_own_page_passes(client: httpx.AsyncClient) -> None:
    token = login_token((await client.get("/login")).text)
    response = await client.post(
        "/login",
        headers={"Origin": "http://test", "Referer": "http://test/login"},
        data={"username": "demo-rep", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303 and "peilian_session=" in response.headers["set-cookie"]


# -- throttling and namesakes ----------------------------------------------------------------------------
async def test_the_login_form_is_throttled_too(client: httpx.AsyncClient) -> None:
    codes = [(await post_login(client, "demo-rep", "wrong-password")).status_code for _ in range(5)]
    locked = await post_login(client, "demo-rep")
    assert codes == [401] * 5 and locked.status_code == 429
    assert "秒后再试" in locked.text and int(locked.headers["retry-after"]) >= 1
    assert "peilian_session" not in locked.headers.get("set-cookie", "")


async def test_namesakes_in_two_organisations_name_theirs(client: httpx.AsyncClient, web_app) -> None:
    with state(web_app).sessionmaker() as db:
        other = accounts.get_organization(db, slug="other")
        accounts.create_user(db, org=other, username="demo-rep", role="rep", password=PASSWORD)
        db.commit()
    asked = await post_login(client, "demo-rep")
    assert asked.status_code == 409 and 'name="org"' in asked.text and "组织标识" in asked.text
    chosen = await post_login(client, "demo-rep", org="other")
    assert chosen.status_code == 303
    assert (await client.get("/api/v1/auth/me")).json()["user"]["org"] == "other"


# -- NUL characters --------------------------------------------------------------------------------------
async def test_a_nul_in_the_login_form_is_an_error_page(client: httpx.AsyncClient) -> None:
    response = await post_login(client, "demo-rep\x00")
    assert response.status_code == 422 and response.headers["content-type"].startswith("text/html")
    assert "不允许的字符" in response.text


async def test_a_nul_in_a_review_form_stores_nothing(client: httpx.AsyncClient, login, web_app) -> None:
    sid = play_session(state(web_app), "demo-rep", [INTRO])
    csrf = await login("demo-trainer")
    for path, data in (
        (f"/sessions/{sid}/review/comments", {"message_seq": "1", "text": "好\x00"}),
        (
            f"/sessions/{sid}/review/adjustments",
            {"dimension": "listening", "score": "80", "reason": "理由\x00"},
        ),
    ):
        response = await client.post(path, data={"csrf_token": csrf, **data})
        assert response.status_code == 422 and 'role="alert"' in response.text, path
    assert count(web_app, Comment) == 0


async def test_a_nul_in_an_upload_or_a_new_user_stores_nothing(
    client: httpx.AsyncClient, login, web_app
) -> None:
    csrf = await login("demo-admin")
    card = await client.post("/desk/scenarios", data={"csrf_token": csrf, "yaml_text": "id: x\x00"})
    assert card.status_code == 422
    uploaded = await client.post(
        "/desk/scenarios",
        data={"csrf_token": csrf},
        files={"card_file": ("card.yaml", b"id: x\x00\n", "application/yaml")},
    )
    assert uploaded.status_code == 422 and "NUL" in uploaded.text
    user = await client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "zhang.wei",
            "display_name": "张\x00伟",
            "password": "long-enough-1",
        },
    )
    assert user.status_code == 422
    assert count(web_app, ScenarioCard) == 0 and count(web_app, User) == 4


@pytest.mark.parametrize("path", ["/desk?rep=%00", "/desk?scenario=a%00", "/?q=%00", "/book?q=%E9%BB%84%00"])
async def test_a_nul_in_a_query_is_an_error_page(client: httpx.AsyncClient, login, path: str) -> None:
    await login("demo-trainer")
    response = await client.get(path)
    assert response.status_code == 422 and "不允许的字符" in response.text


@pytest.mark.parametrize("path", ["/sessions/%00", "/call/a%00", "/sessions/%00/review"])
async def test_a_nul_in_an_address_finds_nothing(client: httpx.AsyncClient, login, path: str) -> None:
    await login("demo-trainer")
    response = await client.get(path)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")


# -- numbers, rates, headers -----------------------------------------------------------------------------
@pytest.mark.parametrize("page", [str(2**63), "999999", "99999999999999999999"])
async def test_a_huge_desk_page_is_just_empty(client: httpx.AsyncClient, login, page: str) -> None:
    await login("demo-trainer")
    response = await client.get("/desk", params={"page": page})
    assert response.status_code == 200 and "没有符合条件的对练" in response.text


async def test_visitors_book_searches_are_rate_limited(web_settings: Settings) -> None:
    app = create_app(web_settings.model_copy(update={"anonymous_rate_limit_per_minute": 2}))
    async with app.router.lifespan_context(app):
        seed_accounts(app.state.peilian.engine)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
            codes = [
                (await c.get(path, params={"q": "黄金静默"})).status_code for path in ("/", "/book", "/book")
            ]
            empty = await c.get("/")  # the landing page itself is not counted
            limited = await c.get("/book", params={"q": "黄金静默"})
    assert codes == [200, 200, 429] and empty.status_code == 200
    assert "检索过于频繁" in limited.text


@pytest.mark.parametrize("path", ["/", "/login", "/book?q=静默", "/static/app.css"])
async def test_pages_carry_the_security_headers(client: httpx.AsyncClient, path: str) -> None:
    headers = (await client.get(path)).headers
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
