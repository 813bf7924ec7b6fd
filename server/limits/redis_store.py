"""Shared rate limits and failed-login counts in Redis (`PEILIAN_REDIS_URL`).

Each check is one Lua script, atomic in Redis, on Redis's own clock. Keys expire by themselves. If Redis
does not answer, the check falls back to this process's own counter and says so in the log (once a
minute at most): limits keep working, per process, rather than every request failing.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis

from server.limits import FailureCounter, LimitsConfigError, RateLimits

log = logging.getLogger("peilian.limits")
PREFIX = "peilian:"

_TAKE = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local ok = 0
if tokens >= 1 then tokens = tokens - 1; ok = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return {ok, tostring(tokens)}
"""
_WAIT = """
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then return false end
local oldest = redis.call('ZREVRANGE', KEYS[1], limit - 1, limit - 1, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""
_FAILED = """
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZADD', KEYS[1], now, t[1] .. '.' .. t[2] .. '.' .. redis.call('INCR', KEYS[1] .. ':n'))
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(limit + 1))
redis.call('EXPIRE', KEYS[1], math.ceil(window) + 1)
redis.call('EXPIRE', KEYS[1] .. ':n', math.ceil(window) + 1)
return 1
"""


def connect_redis(url: str) -> redis.Redis:
    """A client on `url`, checked with a PING; LimitsConfigError (one line) when unusable."""
    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise LimitsConfigError(f"无法连接 Redis({_safe(url)}):{type(exc).__name__}: {exc}") from exc
    return client


def _safe(url: str) -> str:
    """The URL without a password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url


class _Fallback:
    """Logs a Redis failure at most once a minute."""

    _last_logged = 0.0

    def unavailable(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - _Fallback._last_logged > 60:
            _Fallback._last_logged = now
            log.warning("Redis unavailable, counting in this process only: %s", exc)


class RedisRateLimiter(_Fallback):
    shared = True

    def __init__(self, client: redis.Redis, name: str, rate_per_minute: int, *, fallback: RateLimits) -> None:
        self.client, self.fallback = client, fallback
        self.prefix = f"{PREFIX}rate:{name}:"
        self.rate = rate_per_minute / 60.0
        self.burst = float(rate_per_minute)
        self._take: Any = client.register_script(_TAKE)

    def allow(self, key: str) -> float | None:
        try:
            ok, tokens = self._take(keys=[self.prefix + key], args=[self.rate, self.burst])
        except redis.RedisError as exc:
            self.unavailable(exc)
            return self.fallback.allow(key)
        if int(ok):
            return None
        return (1.0 - float(tokens)) / self.rate if self.rate > 0 else 60.0


class RedisFailureWindow(_Fallback):
    def __init__(
        self, client: redis.Redis, name: str, limit: int, window_s: float, *, fallback: FailureCounter
    ) -> None:
        self.client, self.fallback = client, fallback
        self.prefix = f"{PREFIX}login:{name}:"
        self.limit, self.window_s = limit, window_s
        self._wait: Any = client.register_script(_WAIT)
        self._failed: Any = client.register_script(_FAILED)

    def wait(self, key: str) -> float | None:
        try:
            left = self._wait(keys=[self.prefix + key], args=[self.limit, self.window_s])
        except redis.RedisError as exc:
            self.unavailable(exc)
            return self.fallback.wait(key)
        return None if left is None else max(float(left), 0.001)

    def failed(self, key: str) -> None:
        try:
            self._failed(keys=[self.prefix + key], args=[self.limit, self.window_s])
        except redis.RedisError as exc:
            self.unavailable(exc)
            self.fallback.failed(key)

    def clear(self, key: str) -> None:
        try:
            self.client.delete(self.prefix + key, self.prefix + key + ":n")
        except redis.RedisError as exc:
            self.unavailable(exc)
        self.fallback.clear(key)
