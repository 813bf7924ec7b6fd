"""The outbox: enqueue in the caller's transaction, deliver with retries and back-off, never twice.

Each test runs on SQLite and on PostgreSQL (see conftest.py). Receivers are on 127.0.0.1 only; time is
moved by passing `now`, never by waiting.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from lms_support import ClosedPort, Receiver, add_ended_session, add_org
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.db.models import OutboxItem
from server.lms.outbox import (
    DEFAULT_POLICY,
    RetryPolicy,
    claim,
    deliver_due,
    enqueue_results,
    given_up,
    requeue,
)
from server.lms.transport import classify, one_line, statements_url
from server.lms.webhook import SIGNATURE_HEADER, verify
from server.lms.xapi import build_statement

BASE = "https://peilian.example.com"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SECRET = "whsec_outbox"
AUTH = "Basic cGVpbGlhbjpzZWNyZXQ="

Factory = sessionmaker[Session]


def enqueue(db_factory: Factory, *, sessions: int = 1, **org: str | None) -> list[int]:
    """An org with the given targets and `sessions` ended sessions, enqueued at T0; returns item ids."""
    with db_factory() as db:
        organization = add_org(db, **org)
        ids = []
        for _ in range(sessions):
            practice = add_ended_session(db, organization)
            ids += [item.id for item in enqueue_results(db, practice, base_url=BASE, now=T0)]
        db.commit()
    return ids


def outbox(db_factory: Factory) -> list[OutboxItem]:
    with db_factory() as db:
        return list(db.scalars(select(OutboxItem).order_by(OutboxItem.id)))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def same_moment(a: datetime | None, b: datetime) -> bool:
    assert a is not None
    return (a if a.tzinfo else a.replace(tzinfo=UTC)) == b


def test_enqueue_for_both_targets_adds_two_items_and_sends_nothing(
    db_factory: Factory, receiver: Receiver
) -> None:
    enqueue(db_factory, lrs=receiver.url, lrs_auth=AUTH, webhook=receiver.url, secret=SECRET)
    xapi, hook = outbox(db_factory)
    assert (xapi.kind, xapi.target) == ("xapi", receiver.url)
    assert (hook.kind, hook.target) == ("webhook", receiver.url)
    assert xapi.payload["verb"]["id"].endswith("/completed") and hook.payload["event"] == "session.completed"
    assert xapi.session_id == hook.session_id and xapi.attempts == hook.attempts == 0
    assert xapi.delivered_at is None and same_moment(xapi.next_attempt_at, T0)
    assert "secret" not in json.dumps(hook.payload) and AUTH not in json.dumps(xapi.payload)
    assert receiver.requests == []


@pytest.mark.parametrize("target", ["lrs", "webhook"])
def test_enqueue_for_one_target(db_factory: Factory, target: str) -> None:
    enqueue(db_factory, **{target: "http://127.0.0.1:9/x"})
    assert [item.kind for item in outbox(db_factory)] == ["xapi" if target == "lrs" else "webhook"]


def test_enqueue_without_targets_adds_nothing(db_factory: Factory) -> None:
    assert enqueue(db_factory) == []
    assert outbox(db_factory) == []


def test_enqueue_belongs_to_the_callers_transaction_and_is_idempotent(db_factory: Factory) -> None:
    with db_factory() as db:
        org = add_org(db, lrs="http://127.0.0.1:9/x")
        practice = add_ended_session(db, org)
        assert len(enqueue_results(db, practice, base_url=BASE)) == 1
        db.rollback()  # the session's end failed: its result must go too
    assert outbox(db_factory) == []
    with db_factory() as db:
        org = add_org(db, lrs="http://127.0.0.1:9/x", webhook="http://127.0.0.1:9/y")
        practice = add_ended_session(db, org)
        assert len(enqueue_results(db, practice, base_url=BASE)) == 2
        assert enqueue_results(db, practice, base_url=BASE) == []  # e.g. a retried "end session" request
        statement = build_statement(practice, base_url=BASE)
        db.commit()
    assert len(outbox(db_factory)) == 2 and outbox(db_factory)[0].payload == statement


def test_xapi_delivery(db_factory: Factory, receiver: Receiver, http: httpx.Client) -> None:
    [item_id] = enqueue(db_factory, lrs=receiver.url + "/xapi/", lrs_auth=AUTH)
    report = deliver_due(db_factory, client=http, now=T0)
    assert report.delivered == [item_id] and report.attempted == 1
    [request] = receiver.requests
    assert request.path == "/xapi/statements"
    assert request.headers["X-Experience-API-Version"] == "1.0.3"
    assert request.headers["Authorization"] == AUTH
    assert request.headers["Content-Type"] == "application/json"
    [item] = outbox(db_factory)
    assert json.loads(request.body) == item.payload
    assert same_moment(item.delivered_at, T0) and item.attempts == 1 and item.last_error is None
    assert deliver_due(db_factory, client=http, now=at(3600)).attempted == 0  # never sent again


def test_webhook_delivery_is_signed(db_factory: Factory, receiver: Receiver, http: httpx.Client) -> None:
    [item_id] = enqueue(db_factory, webhook=receiver.url + "/hooks/peilian", secret=SECRET)
    assert deliver_due(db_factory, client=http, now=T0).delivered == [item_id]
    [request] = receiver.requests
    assert request.path == "/hooks/peilian"
    assert verify(SECRET, request.body, request.headers[SIGNATURE_HEADER])
    assert not verify("wrong", request.body, request.headers[SIGNATURE_HEADER])
    assert request.headers["X-Peilian-Event"] == "session.completed"
    assert request.headers["X-Peilian-Delivery"] == str(item_id)
    assert json.loads(request.body) == outbox(db_factory)[0].payload


def test_lrs_down_keeps_the_item_and_delivers_it_when_back(db_factory: Factory, http: httpx.Client) -> None:
    down = ClosedPort()
    [item_id] = enqueue(db_factory, lrs=down.url, lrs_auth=AUTH)
    report = deliver_due(db_factory, client=http, now=T0)
    assert report.retrying == [item_id] and "ConnectError" in report.errors[item_id]
    [item] = outbox(db_factory)
    assert item.delivered_at is None and item.attempts == 1
    assert "\n" not in item.last_error and "ConnectError" in item.last_error
    assert same_moment(item.next_attempt_at, at(30))
    assert deliver_due(db_factory, client=http, now=at(29)).attempted == 0  # not due yet

    back = Receiver(port=down.release())
    try:
        assert deliver_due(db_factory, client=http, now=at(30)).delivered == [item_id]
        assert len(back.requests) == 1
    finally:
        back.close()
    [item] = outbox(db_factory)
    assert item.delivered_at is not None and item.attempts == 2 and item.last_error is None


def test_server_errors_back_off_exponentially(
    db_factory: Factory, receiver: Receiver, http: httpx.Client
) -> None:
    receiver.default = (503, {}, b"maintenance")
    [item_id] = enqueue(db_factory, lrs=receiver.url)
    moment = T0
    for attempt, delay in enumerate([30, 60, 120, 240], start=1):
        report = deliver_due(db_factory, client=http, now=moment)
        assert report.retrying == [item_id]
        [item] = outbox(db_factory)
        assert item.attempts == attempt and item.last_error == "HTTP 503: maintenance"
        assert same_moment(item.next_attempt_at, moment + timedelta(seconds=delay))
        moment += timedelta(seconds=delay)
    assert len(receiver.requests) == 4
    assert DEFAULT_POLICY.delay(30) == timedelta(hours=1)  # capped


def test_a_rejected_payload_is_kept_but_not_retried(
    db_factory: Factory, receiver: Receiver, http: httpx.Client
) -> None:
    receiver.answer((400, {}, b'{"detail": "Invalid statement"}'))
    [item_id] = enqueue(db_factory, lrs=receiver.url)
    assert deliver_due(db_factory, client=http, now=T0).failed == [item_id]
    assert deliver_due(db_factory, client=http, now=at(86400)).attempted == 0
    with db_factory() as db:
        [item] = given_up(db)
        assert item.id == item_id and item.delivered_at is None
        assert item.last_error.startswith("rejected, not retried: HTTP 400")
        assert requeue(db, item_ids=[item_id], now=at(86400)) == 1
        db.commit()
    assert deliver_due(db_factory, client=http, now=at(86400)).delivered == [item_id]
    assert len(receiver.requests) == 2


@pytest.mark.parametrize(
    ("status", "kind", "outcome"),
    [
        (409, "xapi", "delivered"),
        (409, "webhook", "failed"),
        (204, "xapi", "delivered"),
        (401, "xapi", "retrying"),
        (403, "webhook", "retrying"),
        (404, "xapi", "failed"),
        (422, "webhook", "failed"),
        (500, "webhook", "retrying"),
        (302, "xapi", "failed"),
    ],
)
def test_status_handling(
    db_factory: Factory, receiver: Receiver, http: httpx.Client, status: int, kind: str, outcome: str
) -> None:
    receiver.answer((status, {}, b""))
    targets = {"lrs": receiver.url} if kind == "xapi" else {"webhook": receiver.url, "secret": SECRET}
    [item_id] = enqueue(db_factory, **targets)
    assert getattr(deliver_due(db_factory, client=http, now=T0), outcome) == [item_id]


def test_retry_after_is_honoured(db_factory: Factory, receiver: Receiver, http: httpx.Client) -> None:
    receiver.answer((429, {"Retry-After": "600"}, b"slow down"))
    enqueue(db_factory, lrs=receiver.url)
    deliver_due(db_factory, client=http, now=T0)
    assert same_moment(outbox(db_factory)[0].next_attempt_at, at(600))


def test_gives_up_after_max_attempts_and_never_deletes(db_factory: Factory, http: httpx.Client) -> None:
    policy = RetryPolicy(base_delay_s=1, max_attempts=3)
    down = ClosedPort()
    [item_id] = enqueue(db_factory, lrs=down.url)
    results = [deliver_due(db_factory, client=http, now=at(3600 * n), policy=policy) for n in range(5)]
    assert [r.retrying for r in results] == [[item_id], [item_id], [], [], []]
    assert results[2].failed == [item_id] and results[3].attempted == 0
    [item] = outbox(db_factory)
    assert item.attempts == 3 and item.delivered_at is None
    assert item.last_error.startswith("gave up after 3 attempts: ConnectError")
    down.release()


def test_a_webhook_without_secret_waits_for_one(
    db_factory: Factory, receiver: Receiver, http: httpx.Client
) -> None:
    [item_id] = enqueue(db_factory, webhook=receiver.url)
    report = deliver_due(db_factory, client=http, now=T0)
    assert report.retrying == [item_id] and "no webhook_secret" in report.errors[item_id]
    assert receiver.requests == []  # never sent unsigned


def test_two_concurrent_passes_send_each_item_once(db_factory: Factory, receiver: Receiver) -> None:
    ids = enqueue(db_factory, sessions=12, webhook=receiver.url, secret=SECRET)
    start = threading.Barrier(2)
    reports = []

    def worker() -> None:
        with httpx.Client(timeout=5.0, trust_env=False) as client:
            start.wait(timeout=10)
            reports.append(deliver_due(db_factory, client=client, now=T0))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    delivered = sorted(reports[0].delivered + reports[1].delivered)
    assert delivered == sorted(ids)  # every item by exactly one of the two
    sent = sorted(int(request.headers["X-Peilian-Delivery"]) for request in receiver.requests)
    assert sent == sorted(ids)
    assert all(item.attempts == 1 and item.delivered_at is not None for item in outbox(db_factory))


def test_a_stale_claim_loses(db_factory: Factory) -> None:
    """Two workers saw the same due item (attempts=0); only the first conditional UPDATE wins."""
    [item_id] = enqueue(db_factory, lrs="http://127.0.0.1:9/x")
    with db_factory() as first, db_factory() as second:
        assert claim(first, item_id=item_id, seen_attempts=0, now=T0, policy=DEFAULT_POLICY)
        first.commit()
        assert not claim(second, item_id=item_id, seen_attempts=0, now=T0, policy=DEFAULT_POLICY)
        second.commit()


def test_a_crashed_workers_item_comes_back_after_the_lease(
    db_factory: Factory, receiver: Receiver, http: httpx.Client
) -> None:
    [item_id] = enqueue(db_factory, lrs=receiver.url)
    with db_factory() as db:  # claimed, then the worker died before sending
        assert claim(db, item_id=item_id, seen_attempts=0, now=T0, policy=DEFAULT_POLICY)
        db.commit()
    assert deliver_due(db_factory, client=http, now=at(60)).attempted == 0
    report = deliver_due(db_factory, client=http, now=at(DEFAULT_POLICY.lease_s))
    assert report.delivered == [item_id] and outbox(db_factory)[0].attempts == 2


def test_answers_are_classified_without_a_network() -> None:
    later = (datetime.now(UTC) + timedelta(hours=2)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    throttled = classify(httpx.Response(429, headers={"Retry-After": later}), kind="webhook")
    assert throttled.retry and 3600 < throttled.retry_after_s <= 7200
    assert classify(httpx.Response(503), kind="xapi").error == "HTTP 503: Service Unavailable"
    assert classify(httpx.Response(409), kind="xapi").delivered
    assert not classify(httpx.Response(409), kind="webhook").retry
    assert statements_url("https://lrs.example.com/xapi/") == "https://lrs.example.com/xapi/statements"
    assert (
        statements_url("https://lrs.example.com/xapi/statements") == "https://lrs.example.com/xapi/statements"
    )
    assert one_line("Traceback\n  line 1\n" + "x" * 500).startswith("Traceback line 1 x")
    assert len(one_line("x" * 500)) == 300
