"""The limits seam (server/limits): where the counts live, and that two processes' counters — two
instances here, on one PostgreSQL database or one Redis — see the same numbers."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from peilian.settings import Settings
from server.app import create_app
from server.db.engine import make_engine
from server.limits import Limits, LimitsConfigError, choose_backend
from server.limits.database import DatabaseFailureWindow, DatabaseRateLimiter
from server.middleware import RateLimiter
from server.services.login import FailureWindow, LoginThrottle, ThrottleLimits
from tests.server.factories import PASSWORD, make_org

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(autouse=True)
def _no_limits_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PEILIAN_REDIS_URL", "PEILIAN_WORKERS", "PEILIAN_LIMITS_BACKEND"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    from server.db.migrate import connect

    engine = connect(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at 127.0.0.1:6379 ({type(exc).__name__})")
    return REDIS_URL


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    yield engine
    engine.dispose()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- choosing the backend ------------------------------------------------------------------------------
def test_the_backend_follows_the_settings(tmp_path: Path) -> None:
    sqlite = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    pg = make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/none")  # never connected
    one = Settings(data_dir=tmp_path)
    assert choose_backend(one, sqlite) == "memory"
    assert choose_backend(one, pg) == "memory"  # a single worker counts in its own memory
    assert choose_backend(Settings(data_dir=tmp_path, workers=2), pg) == "database"
    with_redis = Settings(data_dir=tmp_path, workers=2, redis_url=REDIS_URL)
    assert choose_backend(with_redis, pg) == "redis"
    assert choose_backend(Settings(data_dir=tmp_path, redis_url=REDIS_URL), sqlite) == "redis"
    assert choose_backend(Settings(data_dir=tmp_path, limits_backend="database"), pg) == "database"
    with pytest.raises(LimitsConfigError, match="PostgreSQL"):
        choose_backend(Settings(data_dir=tmp_path, limits_backend="database"), sqlite)
    with pytest.raises(LimitsConfigError, match="PEILIAN_REDIS_URL"):
        choose_backend(Settings(data_dir=tmp_path, limits_backend="redis"), sqlite)
    sqlite.dispose()
    pg.dispose()


def test_in_memory_limits_are_the_single_process_ones(tmp_path: Path) -> None:
    limits = Limits("memory", engine=make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    assert isinstance(limits.rate_limiter("api", 60), RateLimiter)
    assert isinstance(limits.failure_window("user", 5, 60.0), FailureWindow)
    assert not limits.rate_limiter("api", 60).shared


# -- PostgreSQL ----------------------------------------------------------------------------------------
def test_two_database_rate_limiters_share_one_bucket(pg_engine: Engine) -> None:
    first, second = (DatabaseRateLimiter(pg_engine, "api", 30) for _ in range(2))
    key = f"user:{uuid.uuid4().hex}"
    answers = [(first if i % 2 else second).allow(key) for i in range(30)]
    assert answers == [None] * 30  # the burst: 30, for both together
    wait = first.allow(key)
    assert wait is not None and 0 < wait <= 2.0  # 30 a minute: one token every 2 s
    assert second.allow(key) is not None
    assert first.allow(f"user:{uuid.uuid4().hex}") is None  # another caller has its own bucket
    assert DatabaseRateLimiter(pg_engine, "anon", 30).allow(key) is None  # another limiter too


def test_two_database_failure_windows_count_together(pg_engine: Engine) -> None:
    first, second = (DatabaseFailureWindow(pg_engine, "user", 3, 60.0) for _ in range(2))
    key = f"lin.tao-{uuid.uuid4().hex[:6]}"
    for i in range(3):
        assert first.wait(key) is None and second.wait(key) is None
        (first if i % 2 else second).failed(key)
    for window in (first, second):
        wait = window.wait(key)
        assert wait is not None and 59 < wait <= 60
    first.clear(key)  # a successful login on one process clears the count for all
    assert second.wait(key) is None


def test_login_throttles_of_two_processes_refuse_together(pg_engine: Engine) -> None:
    limits = Limits("database", engine=pg_engine)
    throttles = [
        LoginThrottle(ThrottleLimits(2, 100, 60.0), counters=limits.failure_window) for _ in range(2)
    ]
    name = f"wang-{uuid.uuid4().hex[:6]}"
    throttles[0].failed(name, "10.0.0.1")
    throttles[1].failed(name, "10.0.0.2")
    assert throttles[0].wait(name, "10.0.0.3") is not None
    assert throttles[1].wait(name, "10.0.0.3") is not None
    throttles[1].succeeded(name)
    assert throttles[0].wait(name, "10.0.0.3") is None


# -- Redis ---------------------------------------------------------------------------------------------
def test_two_redis_rate_limiters_share_one_bucket(redis_url: str, sqlite_engine: Engine) -> None:
    limits = Limits("redis", engine=sqlite_engine, redis_url=redis_url)
    name = f"api-{uuid.uuid4().hex[:8]}"
    first, second = limits.rate_limiter(name, 20), limits.rate_limiter(name, 20)
    assert first.shared
    assert [(first if i % 2 else second).allow("user:u1") for i in range(20)] == [None] * 20
    wait = second.allow("user:u1")
    assert wait is not None and 0 < wait <= 3.0
    assert first.allow("user:u2") is None
    limits.close()


def test_two_redis_failure_windows_count_together(redis_url: str, sqlite_engine: Engine) -> None:
    limits = Limits("redis", engine=sqlite_engine, redis_url=redis_url)
    name = f"user-{uuid.uuid4().hex[:8]}"
    first, second = limits.failure_window(name, 3, 60.0), limits.failure_window(name, 3, 60.0)
    for i in range(3):
        assert first.wait("lin.tao") is None
        (first if i % 2 else second).failed("lin.tao")
    wait = second.wait("lin.tao")
    assert wait is not None and 59 < wait <= 60
    second.clear("lin.tao")
    assert first.wait("lin.tao") is None
    limits.close()


def test_an_unreachable_redis_is_a_one_line_error(sqlite_engine: Engine) -> None:
    url = f"redis://:secret-pw@127.0.0.1:{closed_port()}/0"
    with pytest.raises(LimitsConfigError) as caught:
        Limits("redis", engine=sqlite_engine, redis_url=url)
    message = str(caught.value)
    assert "\n" not in message and "Redis" in message and "secret-pw" not in message


def test_when_redis_stops_answering_each_process_counts_on_its_own(caplog: pytest.LogCaptureFixture) -> None:
    import redis

    from server.limits.redis_store import RedisFailureWindow, RedisRateLimiter

    dead = redis.Redis(host="127.0.0.1", port=closed_port(), socket_connect_timeout=0.5)
    limiter = RedisRateLimiter(dead, "api", 2, fallback=RateLimiter(2))
    window = RedisFailureWindow(dead, "user", 1, 60.0, fallback=FailureWindow(1, 60.0, lambda: 0.0))
    with caplog.at_level(logging.WARNING, logger="peilian.limits"):
        assert [limiter.allow("k"), limiter.allow("k")] == [None, None]
        assert limiter.allow("k") is not None  # the in-process bucket still limits
        window.failed("lin.tao")
        assert window.wait("lin.tao") is not None
    assert "Redis unavailable" in caplog.text


# -- the app: shared counts through the API, on both databases -----------------------------------------
async def test_the_database_backend_shares_login_failures_between_two_apps(
    database_url: str, session_data_dir: Path
) -> None:
    settings = Settings(data_dir=session_data_dir, database_url=database_url, limits_backend="database")
    if database_url.startswith("sqlite"):
        with pytest.raises(LimitsConfigError, match="PostgreSQL"):
            async with create_app(settings).router.lifespan_context(create_app(settings)):
                pass
        return
    first, second = create_app(settings), create_app(settings)
    async with first.router.lifespan_context(first), second.router.lifespan_context(second):
        make_org(first.state.peilian.engine, "shared", {"zhao.min": "rep"})
        clients = [
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
            for app in (first, second)
        ]
        body = {"username": "zhao.min", "password": "wrong"}
        for i in range(5):
            assert (await clients[i % 2].post("/api/v1/auth/login", json=body)).status_code == 401
        right = {"username": "zhao.min", "password": PASSWORD}
        for client in clients:
            refused = await client.post("/api/v1/auth/login", json=right)
            assert refused.status_code == 429
            assert refused.json()["error"]["code"] == "too_many_attempts"
            await client.aclose()
