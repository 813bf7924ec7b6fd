"""Logging in with a username and a password, for the API and the login page alike.

Failed attempts are counted per username and per client address over a sliding window; past the limit an
attempt is refused at once (no password is checked) until the oldest failure leaves the window. Counting is
in-process by default (one server process); with several, the counters come from server/limits (PostgreSQL
or Redis), so every process sees every failure. The password check does the same work whether or not the
username exists (services/accounts.authenticate), so the answer's timing does not tell.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from peilian.errors import Conflict, Family, TooMany, Unauthorized
from server.db.models import User
from server.services import accounts


class LoginRefused(Family, ValueError):
    """A login that did not happen (Unauthorized, Conflict or TooMany); `retry_after` the seconds to wait."""

    code = "login_failed"


class FailureWindow:
    """At most `limit` failures per key within `window_s` seconds (thread-safe, bounded memory)."""

    MAX_KEYS = 50_000

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float]) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def wait(self, key: str) -> float | None:
        """None when another attempt may go ahead, else the seconds until one may."""
        now = self.clock()
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self.limit:
                return None
            return max(times[0] + self.window_s - now, 0.001)

    def failed(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= self.MAX_KEYS:
                self._sweep(now)
            times = self._recent(key, now)
            times.append(now)
            while len(times) > self.limit:
                times.popleft()
            self._failures[key] = times

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _sweep(self, now: float) -> None:
        for key in [k for k, t in self._failures.items() if not t or t[-1] <= now - self.window_s]:
            del self._failures[key]
        while len(self._failures) >= self.MAX_KEYS:  # still full: forget the oldest keys
            del self._failures[next(iter(self._failures))]


@dataclass(frozen=True)
class ThrottleLimits:
    per_username: int = 5
    per_address: int = 20
    window_s: float = 300.0


class Counter(Protocol):
    """What the throttle needs of a failure counter: FailureWindow here, or a shared one (server/limits)."""

    def wait(self, key: str) -> float | None: ...

    def failed(self, key: str) -> None: ...

    def clear(self, key: str) -> None: ...


# (name, limit, window in seconds) → a counter; the default counts in this process.
CounterFactory = Callable[[str, int, float], Counter]


class LoginThrottle:
    """Failed logins per username and per client address."""

    def __init__(
        self,
        limits: ThrottleLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        counters: CounterFactory | None = None,
    ) -> None:
        limits = limits or ThrottleLimits()
        make = counters or (lambda _name, limit, window_s: FailureWindow(limit, window_s, clock))
        self.by_username = make("user", limits.per_username, limits.window_s)
        self.by_address = make("addr", limits.per_address, limits.window_s)

    def wait(self, username: str, address: str) -> float | None:
        waits = [w for w in (self.by_username.wait(username), self.by_address.wait(address)) if w is not None]
        return max(waits) if waits else None

    def failed(self, username: str, address: str) -> None:
        self.by_username.failed(username)
        self.by_address.failed(address)

    def succeeded(self, username: str) -> None:
        self.by_username.clear(username)


def log_in(
    db: Session,
    *,
    throttle: LoginThrottle,
    username: str,
    password: str,
    address: str,
    org_slug: str | None = None,
) -> tuple[User, accounts.NewLogin]:
    """The user and their new login (flushed, not committed), or `LoginRefused` (401, 409 or 429)."""
    username = username.strip()
    wait = throttle.wait(username, address)
    if wait is not None:
        seconds = math.ceil(wait)
        raise LoginRefused.kind(TooMany)(
            f"登录失败次数过多,请 {seconds} 秒后再试", code="too_many_attempts", retry_after=seconds
        )
    try:
        user = accounts.authenticate(db, username=username, password=password, org_slug=org_slug or None)
    except accounts.AmbiguousLogin:
        raise LoginRefused.kind(Conflict)(
            "这个用户名在多个组织中都有,请同时填写组织标识", code="org_required"
        ) from None
    if user is None:
        throttle.failed(username, address)
        raise LoginRefused.kind(Unauthorized)("用户名或密码不正确", code="login_failed")
    throttle.succeeded(username)
    return user, accounts.start_login(db, user=user)
