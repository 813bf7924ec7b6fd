"""`OutboxWorker`: the app's background task that runs `deliver_due` every `interval_s` seconds.

Meant for the FastAPI lifespan::

    worker = OutboxWorker(state.sessionmaker, interval_s=15)
    worker.start()
    try:
        yield
    finally:
        await worker.stop()

Each pass runs in a thread (`asyncio.to_thread`), since delivery uses blocking HTTP and database calls;
the event loop never waits on an LRS. A failing pass (database down, a bug) is logged and the loop goes
on; only `stop()` (or cancelling the task) ends it. Several app processes may each run a worker: items
are claimed atomically (see outbox.py), so none is sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
from sqlalchemy.orm import Session, sessionmaker

from server.lms.outbox import DEFAULT_POLICY, DeliveryReport, RetryPolicy, deliver_due

log = logging.getLogger("peilian.lms.worker")

DEFAULT_INTERVAL_S = 15.0
DEFAULT_HTTP_TIMEOUT_S = 10.0


class OutboxWorker:
    """Delivers due outbox items in the background until stopped.

    `client`: the httpx client to send with; when omitted the worker opens one (timeout
    `http_timeout_s`) and closes it on `stop()`. `limit`/`policy` are handed to `deliver_due`.
    """

    def __init__(
        self,
        db_factory: sessionmaker[Session],
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        client: httpx.Client | None = None,
        limit: int = 50,
        policy: RetryPolicy = DEFAULT_POLICY,
        http_timeout_s: float = DEFAULT_HTTP_TIMEOUT_S,
    ) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self._db_factory = db_factory
        self.interval_s = interval_s
        self.limit = limit
        self.policy = policy
        self._own_client = client is None
        self._http_timeout_s = http_timeout_s
        self._client = client or httpx.Client(timeout=http_timeout_s)
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None
        self._progress: asyncio.Condition | None = None
        self._finished = False
        self.passes = 0  # completed passes, failed ones included
        self.failed_passes = 0
        self.last_report: DeliveryReport | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the loop on the running event loop; the first pass runs at once. No-op when running."""
        if self.running:
            return
        if self._own_client and self._client.is_closed:  # started again after stop()
            self._client = httpx.Client(timeout=self._http_timeout_s)
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._progress = asyncio.Condition()
        self._finished = False
        self._loop = asyncio.get_running_loop()
        self._task = self._loop.create_task(self._run(), name="peilian-outbox-worker")

    def wake(self) -> None:
        """Run a pass now instead of at the next tick (e.g. right after a session ended). From any thread:
        a worker thread (where sync routes and turns run) hands the wake-up to the worker's event loop."""
        if self._wake is None or self._loop is None:
            return
        try:
            on_loop = asyncio.get_running_loop() is self._loop
        except RuntimeError:  # no loop in this thread
            on_loop = False
        if on_loop:
            self._wake.set()
        else:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nothing left to wake
                self._loop.call_soon_threadsafe(self._wake.set)

    async def stop(self, *, timeout_s: float = 30.0) -> None:
        """Let the current pass finish, then end the loop; after `timeout_s` the task is cancelled.

        A pass already in its thread cannot be interrupted; a cancelled one leaves its claimed items to
        come back after the lease. Idempotent. Closes the HTTP client if the worker opened it.
        """
        task = self._task
        if task is not None and not task.done():
            assert self._stopping is not None and self._wake is not None
            self._stopping.set()
            self._wake.set()
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=timeout_s)
            except TimeoutError:
                log.warning("outbox worker did not stop within %.0f s; cancelling it", timeout_s)
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._own_client:
            self._client.close()

    async def wait_for_passes(self, count: int) -> None:
        """Wait until at least `count` passes have completed since the worker was made (for tests, probes)."""
        if self._progress is None:
            raise RuntimeError("worker not started")
        async with self._progress:
            await self._progress.wait_for(lambda: self.passes >= count or self._finished)

    async def run_once(self) -> DeliveryReport | None:
        """One delivery pass in a thread; None when it failed (the error is logged, never raised)."""
        report: DeliveryReport | None = None
        try:
            report = await asyncio.to_thread(
                deliver_due, self._db_factory, client=self._client, limit=self.limit, policy=self.policy
            )
            self.last_report = report
            if report.attempted:
                log.info(
                    "outbox pass: %d delivered, %d to retry, %d given up",
                    len(report.delivered),
                    len(report.retrying),
                    len(report.failed),
                )
        except Exception:
            self.failed_passes += 1
            log.exception("outbox pass failed; retrying in %.0f s", self.interval_s)
        self.passes += 1
        if self._progress is not None:
            async with self._progress:
                self._progress.notify_all()
        return report

    async def _run(self) -> None:
        assert self._stopping is not None and self._wake is not None
        try:
            while not self._stopping.is_set():
                await self.run_once()
                if self._stopping.is_set():
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.interval_s)
                self._wake.clear()
        finally:
            self._finished = True
            if self._progress is not None:  # release anyone waiting for passes that will not come
                async with self._progress:
                    self._progress.notify_all()
