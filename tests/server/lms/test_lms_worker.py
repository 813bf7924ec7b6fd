"""`OutboxWorker`: the background loop for the app lifespan. Waits are bounded guards, never assertions."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from lms_support import Receiver, add_ended_session, add_org
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.db.models import OutboxItem
from server.lms.outbox import enqueue_results
from server.lms.worker import OutboxWorker

GUARD_S = 20.0  # only so that a broken worker fails the test instead of hanging it


def enqueue_one(db_factory: sessionmaker[Session], receiver: Receiver) -> int:
    with db_factory() as db:
        org = add_org(db, webhook=receiver.url, secret="whsec")
        [item] = enqueue_results(db, add_ended_session(db, org), base_url="https://peilian.example.com")
        db.commit()
        return item.id


def delivered(db_factory: sessionmaker[Session]) -> list[int]:
    with db_factory() as db:
        return list(db.scalars(select(OutboxItem.id).where(OutboxItem.delivered_at.is_not(None))))


async def test_worker_delivers_in_the_background_and_stops(
    sqlite_db_factory: sessionmaker[Session], receiver: Receiver, http: httpx.Client
) -> None:
    item_id = enqueue_one(sqlite_db_factory, receiver)
    worker = OutboxWorker(sqlite_db_factory, interval_s=3600, client=http)
    worker.start()
    worker.start()  # idempotent
    assert worker.running
    await asyncio.wait_for(worker.wait_for_passes(1), GUARD_S)  # the first pass runs at once
    assert delivered(sqlite_db_factory) == [item_id]
    assert worker.last_report is not None and worker.last_report.delivered == [item_id]

    second = enqueue_one(sqlite_db_factory, receiver)
    worker.wake()  # e.g. right after a session ended, instead of waiting an hour
    await asyncio.wait_for(worker.wait_for_passes(2), GUARD_S)
    assert delivered(sqlite_db_factory) == [item_id, second]

    await worker.stop()
    assert not worker.running
    await worker.stop()  # idempotent
    assert len(receiver.requests) == 2
    assert not http.is_closed  # a client handed in belongs to the caller


async def test_a_failing_pass_is_logged_and_the_loop_goes_on(
    sqlite_db_factory: sessionmaker[Session],
    receiver: Receiver,
    http: httpx.Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    item_id = enqueue_one(sqlite_db_factory, receiver)
    calls = 0

    def flaky_factory() -> Session:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database unreachable")
        return sqlite_db_factory()

    worker = OutboxWorker(flaky_factory, interval_s=3600, client=http)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="peilian.lms.worker"):
        worker.start()
        await asyncio.wait_for(worker.wait_for_passes(1), GUARD_S)
        assert worker.running and worker.failed_passes == 1
        assert "outbox pass failed" in caplog.text and "database unreachable" in caplog.text
        worker.wake()
        await asyncio.wait_for(worker.wait_for_passes(2), GUARD_S)
    assert delivered(sqlite_db_factory) == [item_id]
    await worker.stop()


async def test_stop_waits_for_the_running_pass(
    sqlite_db_factory: sessionmaker[Session], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stop() right after start(): the pass in flight completes (its item is delivered, not half-done)."""
    monkeypatch.setenv("NO_PROXY", "*")  # the worker's own client honours the environment; stay on loopback
    item_id = enqueue_one(sqlite_db_factory, receiver)
    worker = OutboxWorker(sqlite_db_factory, interval_s=3600)  # opens its own client
    worker.start()
    await asyncio.sleep(0)  # let the loop begin its first pass
    await worker.stop()
    assert not worker.running and worker.passes == 1
    assert delivered(sqlite_db_factory) == [item_id]
    assert worker._client.is_closed  # its own client is closed on stop


def test_interval_must_be_positive(sqlite_db_factory: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError):
        OutboxWorker(sqlite_db_factory, interval_s=0)


async def test_wake_works_from_a_worker_thread(
    sqlite_db_factory: sessionmaker[Session], receiver: Receiver, http: httpx.Client
) -> None:
    """Sync routes (a trainer's adjustment) and practice turns run in threads: their wake-up reaches the loop."""
    first = enqueue_one(sqlite_db_factory, receiver)
    worker = OutboxWorker(sqlite_db_factory, interval_s=3600, client=http)
    worker.wake()  # before start: nothing to wake, no error
    worker.start()
    await asyncio.wait_for(worker.wait_for_passes(1), GUARD_S)
    second = enqueue_one(sqlite_db_factory, receiver)
    await asyncio.to_thread(worker.wake)
    await asyncio.wait_for(worker.wait_for_passes(2), GUARD_S)  # an hour early: the wake-up arrived
    assert delivered(sqlite_db_factory) == [first, second]
    await worker.stop()
