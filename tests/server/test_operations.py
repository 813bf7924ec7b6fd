from __future__ import annotations

import json
import logging

import httpx
import pytest

from peilian.settings import Settings
from server.app import create_app
from server.middleware import JsonFormatter, RateLimiter
from tests.server.factories import make_org


async def test_oversized_bodies_are_refused_with_413(client: httpx.AsyncClient) -> None:
    big = "x" * (300 * 1024)
    response = await client.post("/api/v1/auth/login", json={"username": big, "password": "p"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


async def test_chunked_bodies_are_counted_too(client: httpx.AsyncClient) -> None:
    async def chunks():
        for _ in range(300):
            yield b"x" * 1024

    response = await client.post(
        "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert response.headers["x-request-id"] == "abc123"
    assert len((await client.get("/healthz")).headers["x-request-id"]) == 16


async def test_api_keys_are_rate_limited(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 3}))
    async with app.router.lifespan_context(app):
        org = make_org(app.state.peilian.engine, "ratelimited", {})
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            codes = [
                (await c.get("/api/v1/auth/me", headers={"X-API-Key": org.key})).status_code for _ in range(5)
            ]
            limited = await c.get("/api/v1/auth/me", headers={"X-API-Key": org.key})
    assert codes[:3] == [400, 400, 400] and codes[3:] == [429, 429]
    assert limited.json()["error"]["code"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1


def test_token_bucket_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(60, burst=2, clock=lambda: now[0])
    assert limiter.allow("k") is None and limiter.allow("k") is None
    assert limiter.allow("k") == pytest.approx(1.0)
    now[0] += 1.0
    assert limiter.allow("k") is None
    assert limiter.allow("other") is None


def test_logs_are_json_lines_with_extra_fields() -> None:
    record = logging.LogRecord("peilian.access", logging.INFO, __file__, 1, "request", (), None)
    record.status = 200
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "request" and line["status"] == 200 and line["level"] == "info"


def test_serve_reports_a_bad_database_in_one_line(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEILIAN_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    result = run_cli("serve")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "无法使用数据库" in result.stderr
