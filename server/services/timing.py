"""Message times on the server's clock, so that a scorecard cannot be gamed by inventing pauses.

The server stamps when a message arrives (`end`, seconds from the session start). From the client it takes
only a *duration* — how long the rep typed (sent_at − typing_started_at, both from the client's clock, so
clock skew cancels out) — and sets `t = end − duration`. A pause computed from these times can therefore
never exceed the real time that passed between the customer's message and the rep's arrival. Claims that
cannot be true (typing ended before it started, times in the future, typing that began before the
previous message) are refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from peilian.errors import Invalid

MAX_CLOCK_SKEW = 5.0  # seconds a client's `sent_at` may lie ahead of ours
SILENCE_TOLERANCE = 0.75  # seconds of network delay allowed when a client reports a silence


class TimingError(Invalid):
    """Times that cannot be true; the message is one line for the user."""


@dataclass(frozen=True)
class Stamp:
    t: float
    end: float


def elapsed(started_at: datetime, now: datetime) -> float:
    return max(0.0, (now - started_at).total_seconds())


def _finite(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value) or value < 0:
        raise TimingError(f"{name} 必须是非负的有限数字")
    return float(value)


def rep_stamp(
    *,
    started_at: datetime,
    now: datetime,
    previous_t: float | None,
    typing_started_at: float | None,
    sent_at: float | None,
    client_now: float | None = None,
) -> Stamp:
    """The times of a rep's message. `typing_started_at`/`sent_at` are client epoch seconds (optional)."""
    typing_started_at = _finite("typing_started_at", typing_started_at)
    sent_at = _finite("sent_at", sent_at)
    end = elapsed(started_at, now)
    duration = 0.0
    if typing_started_at is not None and sent_at is not None:
        if typing_started_at > sent_at:
            raise TimingError("typing_started_at 晚于 sent_at:开始输入不可能晚于发送")
        reference = client_now if client_now is not None else now.timestamp()
        if sent_at > reference + MAX_CLOCK_SKEW:
            raise TimingError("sent_at 在未来:请检查客户端时钟")
        duration = sent_at - typing_started_at
    elif (typing_started_at is None) != (sent_at is None):
        raise TimingError("typing_started_at 与 sent_at 需同时提供")
    t = end - duration
    if previous_t is not None and t < previous_t - 1e-6:
        raise TimingError("时间倒退:开始输入的时间早于上一条消息")
    return Stamp(t=round(max(t, 0.0), 3), end=round(end, 3))


def check_silence(*, seconds: float, started_at: datetime, now: datetime, last_end: float | None) -> float:
    """A reported silence, checked against the time that really passed since the last message ended."""
    value = _finite("seconds", seconds)
    assert value is not None
    if value == 0:
        raise TimingError("seconds 必须大于 0")
    since = elapsed(started_at, now) - (last_end or 0.0)
    if value > since + SILENCE_TOLERANCE:
        raise TimingError(f"静默 {value:.1f} 秒超过了实际经过的 {since:.1f} 秒")
    return value
