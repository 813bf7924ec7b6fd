"""Shared rate limits and failed-login counts in PostgreSQL (tables from migration 0007).

Each check is one statement in autocommit mode. The bucket is updated by an upsert whose row lock
serialises concurrent requests of one caller, whichever process they reach; times come from the
database's clock. Old rows are swept now and then (a full bucket behaves as a missing one).
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine, text

NOW = "EXTRACT(EPOCH FROM clock_timestamp())::float8"
SWEEP_EVERY_S = 60.0

_TAKE = text(f"""
INSERT INTO shared_rate_buckets AS b (key, tokens, at, allowed)
VALUES (:key, :burst - 1, {NOW}, true)
ON CONFLICT (key) DO UPDATE SET
    tokens = LEAST(:burst, b.tokens + GREATEST(EXCLUDED.at - b.at, 0) * :rate)
             - CASE WHEN LEAST(:burst, b.tokens + GREATEST(EXCLUDED.at - b.at, 0) * :rate) >= 1
                    THEN 1 ELSE 0 END,
    allowed = LEAST(:burst, b.tokens + GREATEST(EXCLUDED.at - b.at, 0) * :rate) >= 1,
    at = EXCLUDED.at
RETURNING tokens, allowed
""")
_SWEEP_BUCKETS = text(f"DELETE FROM shared_rate_buckets WHERE at < {NOW} - :full_after")

_RECENT = text(f"""
WITH n AS (SELECT {NOW} AS t),
recent AS (
    SELECT f.at FROM shared_login_failures f, n
    WHERE f.key = :key AND f.at > n.t - :window ORDER BY f.at DESC LIMIT :limit
)
SELECT (SELECT t FROM n), count(*), min(recent.at) FROM recent
""")
_FAILED = text(f"INSERT INTO shared_login_failures (key, at) VALUES (:key, {NOW})")
_CLEAR = text("DELETE FROM shared_login_failures WHERE key = :key")
_SWEEP_FAILURES = text(f"DELETE FROM shared_login_failures WHERE at <= {NOW} - :window")


class _Sweeper:
    """Runs a cleanup at most every SWEEP_EVERY_S seconds in this process."""

    def __init__(self) -> None:
        self._next = time.monotonic() + SWEEP_EVERY_S
        self._lock = threading.Lock()

    def due(self) -> bool:
        now = time.monotonic()
        with self._lock:
            if now < self._next:
                return False
            self._next = now + SWEEP_EVERY_S
            return True


class DatabaseRateLimiter:
    """`rate_per_minute` requests per minute per key, bursts up to the same number, across processes."""

    shared = True

    def __init__(self, engine: Engine, name: str, rate_per_minute: int, burst: int | None = None) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.name = name
        self.rate = rate_per_minute / 60.0
        self.burst = float(burst or rate_per_minute)
        self._sweeper = _Sweeper()

    def allow(self, key: str) -> float | None:
        with self.engine.connect() as conn:
            if self._sweeper.due():
                conn.execute(_SWEEP_BUCKETS, {"full_after": self.burst / self.rate + 1})
            tokens, allowed = conn.execute(
                _TAKE, {"key": f"{self.name}:{key}"[:200], "burst": self.burst, "rate": self.rate}
            ).one()
        if allowed:
            return None
        return (1.0 - tokens) / self.rate if self.rate > 0 else 60.0


class DatabaseFailureWindow:
    """At most `limit` failures per key within `window_s` seconds, counted in the database."""

    def __init__(self, engine: Engine, name: str, limit: int, window_s: float) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.name, self.limit, self.window_s = name, limit, window_s
        self._sweeper = _Sweeper()

    def _key(self, key: str) -> str:
        return f"{self.name}:{key}"[:200]

    def wait(self, key: str) -> float | None:
        with self.engine.connect() as conn:
            now, count, oldest = conn.execute(
                _RECENT, {"key": self._key(key), "window": self.window_s, "limit": self.limit}
            ).one()
        if count < self.limit:
            return None
        return max(oldest + self.window_s - now, 0.001)

    def failed(self, key: str) -> None:
        with self.engine.connect() as conn:
            if self._sweeper.due():
                conn.execute(_SWEEP_FAILURES, {"window": self.window_s})
            conn.execute(_FAILED, {"key": self._key(key)})

    def clear(self, key: str) -> None:
        with self.engine.connect() as conn:
            conn.execute(_CLEAR, {"key": self._key(key)})
