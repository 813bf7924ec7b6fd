"""Who may do what and how often, and what the API says it answers (issue 13): trainers read a rep's live
session but do not talk in it, visitors read the book at a bounded rate and spend no LLM tokens, every
response carries the security headers, and the OpenAPI description documents every 4xx answer."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableLambda
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peilian.settings import Settings
from server.app import create_app
from server.db.models import Message
from tests.server.factories import login, make_org
from tests.server.test_sessions import INTRO, start

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def acme(engine):
    return make_org(engine, "acme", {"rep1": "rep", "coach": "trainer", "boss": "admin"})


def messages_of(engine, session_id: str) -> int:
    with Session(engine) as db:
        return db.scalar(select(func.count()).select_from(Message).where(Message.session_id == session_id))


# -- 6. a rep's live session is theirs -------------------------------------------------------------------
@pytest.mark.parametrize("who", ["coach", "boss"])
async def test_staff_read_a_live_session_but_do_not_talk_in_it_or_end_it(
    client: httpx.AsyncClient, acme, engine, who: str
) -> None:
    session = await start(client, await login(client, "rep1"))
    sid, before = session["id"], messages_of(engine, session["id"])
    headers = await login(client, who)
    for path, body in (
        (f"/api/v1/sessions/{sid}/messages", {"text": INTRO}),
        (f"/api/v1/sessions/{sid}/silence", {"seconds": 4.5}),
        (f"/api/v1/sessions/{sid}/end", None),
    ):
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 403 and response.json()["error"]["code"] == "not_your_session", path
    streamed = await client.post(
        f"/api/v1/sessions/{sid}/messages",
        json={"text": INTRO},
        headers={**headers, "Accept": "text/event-stream"},
    )
    assert streamed.status_code == 403
    read = await client.get(f"/api/v1/sessions/{sid}")
    assert read.status_code == 200 and read.json()["status"] == "active"
    assert (await client.get(f"/api/v1/sessions/{sid}/review")).status_code == 200
    assert messages_of(engine, sid) == before
    headers = await login(client, "rep1")  # the rep still talks and ends it
    assert (
        await client.post(f"/api/v1/sessions/{sid}/messages", json={"text": INTRO}, headers=headers)
    ).status_code == 200
    assert (await client.post(f"/api/v1/sessions/{sid}/end", headers=headers)).status_code == 200


async def test_an_lms_still_drives_the_sessions_it_started(client: httpx.AsyncClient, acme) -> None:
    lms = {"Authorization": f"Bearer {acme.key}"}
    started = await client.post(
        "/api/v1/sessions", json={"scenario_id": "gov-meeting-room", "learner": {"id": "m-1"}}, headers=lms
    )
    sid = started.json()["id"]
    assert (
        await client.post(f"/api/v1/sessions/{sid}/messages", json={"text": INTRO}, headers=lms)
    ).status_code == 200
    assert (await client.post(f"/api/v1/sessions/{sid}/end", headers=lms)).status_code == 200


# -- 7. the book: rate-limited visitors, no LLM tokens for them ------------------------------------------
async def test_visitors_read_the_book_at_a_bounded_rate(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"anonymous_rate_limit_per_minute": 3}))
    async with app.router.lifespan_context(app):
        make_org(app.state.peilian.engine, "acme", {"rep1": "rep"})
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            codes = [
                (await c.get(path, params={"q": "黄金静默"})).status_code
                for path in ["/api/v1/knowledge/search", "/api/v1/knowledge/ask"] * 2
            ]
            limited = await c.get("/api/v1/knowledge/search", params={"q": "黄金静默"})
            await login(c, "rep1")  # a login has its own bucket
            member = await c.get("/api/v1/knowledge/search", params={"q": "黄金静默"})
    assert codes == [200, 200, 200, 429]
    assert limited.json()["error"]["code"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1
    assert member.status_code == 200


async def test_with_an_llm_configured_only_callers_who_logged_in_get_an_answer(settings: Settings) -> None:
    prompts: list = []

    def model(messages):  # noqa: ANN001, ANN202 - a fake chat model that counts its calls
        prompts.append(messages)
        return AIMessage("先停 4 秒再开口 [1]。")

    configured = settings.model_copy(
        update={"llm_model": "fake-model", "openai_api_key": SecretStr("sk-test")}
    )
    app = create_app(configured, chat_model=RunnableLambda(model))
    async with app.router.lifespan_context(app):
        make_org(app.state.peilian.engine, "acme", {"rep1": "rep"})
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            visitor = (await c.get("/api/v1/knowledge/ask", params={"q": "客户说完话要停几秒?"})).json()
            assert prompts == []
            await login(c, "rep1")
            member = (await c.get("/api/v1/knowledge/ask", params={"q": "客户说完话要停几秒?"})).json()
    assert visitor["answer"] is None and visitor["login_required"] and visitor["passages"]
    assert member["answer"] == "先停 4 秒再开口 [1]。" and "login_required" not in member and prompts


# -- 5. security headers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/", "/login", "/healthz", "/api/v1/scenarios", "/static/app.js", "/nothing"]
)
async def test_every_response_carries_the_security_headers(client: httpx.AsyncClient, path: str) -> None:
    headers = (await client.get(path)).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert "script-src 'self';" in csp and "object-src 'none'" in csp
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


async def test_the_interactive_docs_get_a_policy_they_can_run_under(client: httpx.AsyncClient) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "cdn.jsdelivr.net" in docs.headers["content-security-policy"]
    assert docs.headers["x-frame-options"] == "DENY"


def test_the_pages_need_no_inline_script_or_style() -> None:
    """What the page policy forbids is not in the templates: inline scripts, handlers, style attributes."""
    for template in (ROOT / "web" / "templates").glob("*.html"):
        html = template.read_text(encoding="utf-8")
        for script in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in script or 'type="application/json"' in script, (template.name, script)
        assert not re.search(r"\son[a-z]+=|\sstyle=|javascript:|<style", html), template.name
    for script in (ROOT / "web" / "static").glob("*.js"):
        code = script.read_text(encoding="utf-8")
        assert "innerHTML" not in code and "eval(" not in code and 'setAttribute("style"' not in code, (
            script.name
        )


# -- 9. the OpenAPI description --------------------------------------------------------------------------
def _operations(spec: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if path.startswith("/api/v1")
    ]


def _documented(spec: dict, method: str, path: str) -> set[int]:
    for template, verb, op in _operations(spec):
        if verb == method.lower() and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            return {int(code) for code in op["responses"] if code.isdigit()}
    raise AssertionError(f"no operation {method} {path}")


async def test_every_operation_documents_its_4xx_answers_with_one_schema(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert set(spec["components"]["schemas"]["ErrorOut"]["properties"]) == {"error"}
    for path, method, op in _operations(spec):
        codes = {code for code in op["responses"] if code.startswith("4")}
        expected = {"401", "422", "429"} | ({"404"} if "{" in path else set())
        if method != "get":
            expected |= {"400", "403", "413"}
        assert expected <= codes, (method, path, sorted(expected - codes))
        for code in codes:
            schema = op["responses"][code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, code)
            assert op["responses"][code]["description"], (method, path, code)


async def test_the_answers_to_the_red_teams_requests_are_documented(client: httpx.AsyncClient, acme) -> None:
    """Each request of the report gets a 4xx the description lists for its operation, as its JSON error."""
    spec = (await client.get("/openapi.json")).json()
    session = await start(client, await login(client, "rep1"))
    sid = session["id"]
    coach = await login(client, "coach")
    bomb = 'a: &a ["lol", "lol"]\nb: [*a, *a]\n'
    requests = [
        ("POST", "/api/v1/auth/login", {"json": {"username": "a\x00", "password": "x"}}),
        ("POST", "/api/v1/auth/login", {"json": {"username": "rep1", "password": "x"}}),
        (
            "POST",
            "/api/v1/auth/login",
            {"json": {"username": "rep1", "password": "x"}, "headers": {"Origin": "https://evil.example"}},
        ),
        ("GET", "/api/v1/sessions", {"params": {"offset": 2**63}}),
        ("GET", "/api/v1/sessions", {"params": {"rep": "\x00"}}),
        ("GET", "/api/v1/sessions", {"params": {"until": "0"}}),
        ("GET", f"/api/v1/sessions/{sid}/scorecard", {}),
        ("GET", "/api/v1/sessions/nope", {}),
        ("POST", f"/api/v1/sessions/{sid}/messages", {"json": {"text": INTRO}, "headers": coach}),
        ("POST", f"/api/v1/sessions/{sid}/end", {"headers": coach}),
        (
            "POST",
            f"/api/v1/sessions/{sid}/comments",
            {"json": {"message_seq": False, "text": "x"}, "headers": coach},
        ),
        (
            "POST",
            f"/api/v1/sessions/{sid}/adjustments",
            {"json": {"dimension": "x", "score": 1, "reason": "理由"}, "headers": coach},
        ),
        (
            "POST",
            "/api/v1/scenarios",
            {"content": bomb.encode(), "headers": {**coach, "content-type": "application/yaml"}},
        ),
        ("POST", "/api/v1/scenarios", {"content": b"x" * (300 * 1024), "headers": coach}),
        ("POST", "/api/v1/admin/users", {"json": {"username": "newrep", "password": "long-enough-1"}}),
        ("GET", "/api/v1/reports/reps", {"headers": {"Authorization": "Bearer pl_nope"}}),
        ("GET", "/api/v1/knowledge/search", {"params": {"q": "x", "k": 0}}),
        (
            "POST",
            f"/api/v1/sessions/{sid}/labels",
            {
                "content": b"[" * 50000 + b"]" * 50000,
                "headers": {**coach, "content-type": "application/json"},
            },
        ),
    ]
    for method, path, kwargs in requests:
        response = await client.request(method, path, **kwargs)
        assert 400 <= response.status_code < 500, (method, path, response.status_code)
        assert response.status_code in _documented(spec, method, path), (method, path, response.status_code)
        assert set(response.json()) == {"error"} and set(response.json()["error"]) == {"code", "message"}
