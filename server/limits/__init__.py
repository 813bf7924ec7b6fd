"""Rate limits and login throttling, counted where every server process sees the same numbers.

One interface, three places to count:

- `memory`: this process's own dictionaries (server.middleware.RateLimiter, services.login.FailureWindow);
  right for one server process, the default.
- `database`: two small PostgreSQL tables (`shared_rate_buckets`, `shared_login_failures`), one statement a
  check; used by default with several workers on PostgreSQL (`PEILIAN_WORKERS` > 1) and no Redis.
- `redis`: Redis (`PEILIAN_REDIS_URL`), one Lua script a check; used whenever the URL is set.

`PEILIAN_LIMITS_BACKEND` (auto | memory | database | redis) overrides the choice, e.g. `database` for one
worker on each of several hosts. Every shared counter uses the store's clock, so hosts need not agree on
the time. If Redis stops answering, each process counts on its own (and logs it) until it answers again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal, Protocol

from sqlalchemy import Engine

from peilian.settings import Settings

Backend = Literal["memory", "database", "redis"]


class LimitsConfigError(ValueError):
    """The configured backend cannot be used; the message is one line."""


class RateLimits(Protocol):
    """Token buckets per caller key. `shared`: a check talks to another server (call it off the event loop)."""

    shared: bool

    def allow(self, key: str) -> float | None:
        """None when the request may go ahead, else the seconds to wait before retrying."""
        ...


class FailureCounter(Protocol):
    """At most `limit` failures per key within a window (see services.login.FailureWindow)."""

    def wait(self, key: str) -> float | None: ...

    def failed(self, key: str) -> None: ...

    def clear(self, key: str) -> None: ...


def choose_backend(settings: Settings, engine: Engine) -> Backend:
    """Where to count, from the settings: see the module docstring."""
    chosen = settings.limits_backend
    if chosen == "auto":
        if settings.redis_url:
            return "redis"
        if engine.dialect.name == "postgresql" and settings.workers > 1:
            return "database"
        return "memory"
    if chosen == "database" and engine.dialect.name != "postgresql":
        raise LimitsConfigError("PEILIAN_LIMITS_BACKEND=database 需要 PostgreSQL 数据库(SQLite 只用于单进程)")
    if chosen == "redis" and not settings.redis_url:
        raise LimitsConfigError("PEILIAN_LIMITS_BACKEND=redis 需要同时设置 PEILIAN_REDIS_URL")
    return chosen


class Limits:
    """Makes the rate limiters and failure counters of one backend; `name` keeps their keys apart."""

    def __init__(self, backend: Backend, *, engine: Engine, redis_url: str | None = None) -> None:
        self.backend = backend
        self.engine = engine
        self._redis = None
        if backend == "redis":
            from server.limits.redis_store import connect_redis

            assert redis_url is not None
            self._redis = connect_redis(redis_url)

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine) -> Limits:
        return cls(choose_backend(settings, engine), engine=engine, redis_url=settings.redis_url)

    def rate_limiter(
        self, name: str, rate_per_minute: int, clock: Callable[[], float] = time.monotonic
    ) -> RateLimits:
        if self.backend == "database":
            from server.limits.database import DatabaseRateLimiter

            return DatabaseRateLimiter(self.engine, name, rate_per_minute)
        from server.middleware import RateLimiter

        local = RateLimiter(rate_per_minute, clock=clock)
        if self.backend == "redis":
            from server.limits.redis_store import RedisRateLimiter

            return RedisRateLimiter(self._redis, name, rate_per_minute, fallback=local)
        return local

    def failure_window(
        self, name: str, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> FailureCounter:
        if self.backend == "database":
            from server.limits.database import DatabaseFailureWindow

            return DatabaseFailureWindow(self.engine, name, limit, window_s)
        from server.services.login import FailureWindow

        local = FailureWindow(limit, window_s, clock)
        if self.backend == "redis":
            from server.limits.redis_store import RedisFailureWindow

            return RedisFailureWindow(self._redis, name, limit, window_s, fallback=local)
        return local

    def close(self) -> None:
        if self._redis is not None:
            self._redis.close()
