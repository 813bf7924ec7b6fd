from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.services.timing import TimingError, check_silence, rep_stamp

START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def test_end_is_the_server_clock_and_t_subtracts_the_typing_time() -> None:
    stamp = rep_stamp(
        started_at=START,
        now=at(30),
        previous_t=10,
        typing_started_at=1000.0,
        sent_at=1006.5,
        client_now=1006.6,
    )
    assert (stamp.t, stamp.end) == (23.5, 30.0)


def test_without_client_times_the_message_starts_when_it_arrives() -> None:
    assert (
        rep_stamp(started_at=START, now=at(12), previous_t=None, typing_started_at=None, sent_at=None).t
        == 12.0
    )


@pytest.mark.parametrize(
    ("typing", "sent", "message"),
    [
        (10.0, 5.0, "晚于"),
        (float("nan"), 5.0, "有限"),
        (-1.0, 5.0, "非负"),
        (1.0, None, "同时"),
        (0.0, 10_000.0, "未来"),
    ],
)
def test_impossible_times_are_refused(typing: float, sent: float | None, message: str) -> None:
    with pytest.raises(TimingError, match=message):
        rep_stamp(
            started_at=START,
            now=at(30),
            previous_t=None,
            typing_started_at=typing,
            sent_at=sent,
            client_now=100.0,
        )


def test_typing_cannot_begin_before_the_previous_message() -> None:
    with pytest.raises(TimingError, match="倒退"):
        rep_stamp(
            started_at=START, now=at(30), previous_t=25, typing_started_at=0.0, sent_at=20.0, client_now=20.0
        )


def test_a_silence_cannot_be_longer_than_the_time_that_passed() -> None:
    assert check_silence(seconds=4.0, started_at=START, now=at(20), last_end=15.5) == 4.0
    with pytest.raises(TimingError, match="超过"):
        check_silence(seconds=10.0, started_at=START, now=at(20), last_end=15.5)
    with pytest.raises(TimingError):
        check_silence(seconds=0, started_at=START, now=at(20), last_end=15.5)
