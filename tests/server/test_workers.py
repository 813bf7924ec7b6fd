"""Several server processes on one PostgreSQL database (`peilian serve` in subprocesses, each on its own
port, as behind a proxy): turns of one session serialised across them, the login throttle and the rate
limit counted together, each LMS outbox item delivered exactly once. Skipped without PostgreSQL."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from server.db.engine import make_engine
from server.db.models import Organization, OutboxItem
from tests.server.factories import PASSWORD, make_org
from tests.server.lms.lms_support import Receiver
from tests.server.workers_support import Server, fresh_database, server_env, servers

RATE_PER_MINUTE = 120
QUESTIONS = [
    "王主任您好,我是华声会议系统的客户经理李明。",
    "您今年会务上最担心的是什么?",
    "还有呢?",
    "这件事对您的工作有什么影响?",
    "我确认一下,您最在意的是开会时设备稳定,对吗?",
    "刘科长那边怎么看这件事?",
]


@dataclass
class Pair:
    servers: list[Server]
    engine: Engine


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    tmp = tmp_path_factory.mktemp("workers")
    with fresh_database() as url:
        env = server_env(
            tmp, url, PEILIAN_RATE_LIMIT_PER_MINUTE=str(RATE_PER_MINUTE), PEILIAN_OUTBOX_INTERVAL="0.2"
        )
        with servers(env, tmp) as started:
            engine = make_engine(url)
            try:
                yield Pair(started, engine)
            finally:
                engine.dispose()


def start_session(server: Server, key: str, learner: str) -> str:
    response = httpx.post(
        f"{server.url}/api/v1/sessions",
        json={"scenario_id": "gov-meeting-room", "seed": 1, "learner": {"id": learner}},
        headers={"X-API-Key": key},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def say(server: Server, key: str, session_id: str, text: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/v1/sessions/{session_id}/messages",
        json={"text": text},
        headers={"X-API-Key": key},
        timeout=30,
    )


def stored_messages(server: Server, key: str, session_id: str) -> list[dict]:
    response = httpx.get(f"{server.url}/api/v1/sessions/{session_id}", headers={"X-API-Key": key}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def check_turns(messages: list[dict]) -> None:
    """Sequence numbers 0..n-1, and every customer reply right after the rep message it answers."""
    assert [m["seq"] for m in messages] == list(range(len(messages)))
    assert messages[0]["speaker"] == "customer"
    for before, after in zip(messages, messages[1:], strict=False):
        assert not (before["speaker"] == "rep" and after["speaker"] == "rep"), (before, after)


def test_concurrent_messages_to_one_session_are_serialised_across_processes(pair: Pair) -> None:
    org = make_org(pair.engine, "turns", {})
    session_id = start_session(pair.servers[0], org.key, "turns-1")
    texts = [f"{QUESTIONS[i % len(QUESTIONS)]}(第{i}问)" for i in range(16)]

    def send(i: int) -> httpx.Response:
        return say(pair.servers[i % 2], org.key, session_id, texts[i])

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(send, range(len(texts))))
    assert {a.status_code for a in answers} <= {200, 409}, [a.text for a in answers if a.status_code >= 500]
    messages = stored_messages(pair.servers[1], org.key, session_id)
    check_turns(messages)
    by_seq = {m["seq"]: m for m in messages}
    accepted = [a.json() for a in answers if a.status_code == 200]
    assert len(accepted) >= 2
    for turn in accepted:  # each answer's reply is the message stored right after its rep message
        rep = turn["rep"]
        assert by_seq[rep["seq"]]["text"] == rep["text"]
        if turn["reply"]:
            assert turn["reply"]["seq"] == rep["seq"] + 1
            assert by_seq[rep["seq"] + 1]["text"] == turn["reply"]["text"]
    stored_reps = Counter(m["text"] for m in messages if m["speaker"] == "rep")
    assert all(count == 1 for count in stored_reps.values())
    assert set(stored_reps) == {turn["rep"]["text"] for turn in accepted}


def test_login_failures_are_counted_across_processes(pair: Pair) -> None:
    make_org(pair.engine, "throttle", {"lin.tao": "rep"})

    def log_in(server: Server, password: str) -> httpx.Response:
        return httpx.post(
            f"{server.url}/api/v1/auth/login", json={"username": "lin.tao", "password": password}, timeout=30
        )

    for i in range(5):  # the per-username limit (PEILIAN_LOGIN_MAX_FAILURES), split over both servers
        assert log_in(pair.servers[i % 2], "wrong-password").status_code == 401
    for server in pair.servers:  # each server alone has seen fewer than five failures, yet both refuse
        refused = log_in(server, PASSWORD)
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"]["code"] == "too_many_attempts"
        assert int(refused.headers["Retry-After"]) > 0


def test_the_rate_limit_is_shared_across_processes(pair: Pair) -> None:
    org = make_org(pair.engine, "rated", {})
    statuses: dict[int, Counter[int]] = {0: Counter(), 1: Counter()}

    def call(i: int) -> tuple[int, int]:
        server = pair.servers[i % 2]
        response = httpx.get(f"{server.url}/api/v1/sessions", headers={"X-API-Key": org.key}, timeout=30)
        return i % 2, response.status_code

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        for which, status in pool.map(call, range(RATE_PER_MINUTE + 60)):
            statuses[which][status] += 1
    elapsed = time.monotonic() - started
    allowed = statuses[0][200] + statuses[1][200]
    # One bucket of 120 for both processes (plus what it refilled meanwhile, 2 a second), not 120 each.
    assert allowed <= RATE_PER_MINUTE + 2 * elapsed + 2, (statuses, elapsed)
    assert allowed >= RATE_PER_MINUTE
    assert statuses[0][429] > 0 and statuses[1][429] > 0, statuses
    assert set(statuses[0]) | set(statuses[1]) <= {200, 429}


def wait_delivered(engine: Engine, org_id: str, expected: int, timeout_s: float = 60.0) -> list[OutboxItem]:
    deadline = time.monotonic() + timeout_s
    while True:
        with Session(engine) as db:
            items = list(db.scalars(select(OutboxItem).where(OutboxItem.org_id == org_id)))
        if len(items) >= expected and all(i.delivered_at is not None for i in items):
            return items
        if time.monotonic() > deadline:
            pytest.fail(f"{sum(i.delivered_at is not None for i in items)}/{expected} outbox items delivered")
        time.sleep(0.2)


def with_webhook(engine: Engine, slug: str, receiver: Receiver) -> str:
    with Session(engine) as db:
        org = db.scalars(select(Organization).where(Organization.slug == slug)).one()
        org.webhook_url, org.webhook_secret = f"{receiver.url}/hook", "s3cret-for-tests"
        db.commit()
        return org.id


def test_each_outbox_item_is_delivered_exactly_once_by_two_processes(pair: Pair) -> None:
    org = make_org(pair.engine, "outbox", {})
    receiver = Receiver()
    try:
        org_id = with_webhook(pair.engine, "outbox", receiver)
        count = 20

        def play(i: int) -> str:
            session_id = start_session(pair.servers[i % 2], org.key, f"outbox-{i}")
            assert say(pair.servers[(i + 1) % 2], org.key, session_id, QUESTIONS[1]).status_code == 200
            ended = httpx.post(
                f"{pair.servers[i % 2].url}/api/v1/sessions/{session_id}/end",
                headers={"X-API-Key": org.key},
                timeout=30,
            )
            assert ended.status_code == 200, ended.text
            return session_id

        with ThreadPoolExecutor(8) as pool:
            session_ids = set(pool.map(play, range(count)))
        items = wait_delivered(pair.engine, org_id, count)
        time.sleep(1.0)  # a second delivery, if there were one, would have come by now (passes every 0.2 s)
        assert {i.session_id for i in items} == session_ids
        received = Counter(json.loads(r.body)["id"] for r in receiver.requests)
        assert len(received) == count
        assert set(received.values()) == {1}, received
        assert all(i.attempts == 1 for i in items)
    finally:
        receiver.close()


def test_serve_with_two_workers_serialises_turns(tmp_path: Path) -> None:
    """`peilian serve --workers 2` itself: one port, two processes, one session's turns in order."""
    with fresh_database() as url:
        server = Server(server_env(tmp_path, url), tmp_path, workers=2).start()
        try:
            engine = make_engine(url)
            org = make_org(engine, "served", {})
            engine.dispose()
            session_id = start_session(server, org.key, "served-1")
            with ThreadPoolExecutor(8) as pool:
                answers = list(
                    pool.map(lambda i: say(server, org.key, session_id, f"{QUESTIONS[i % 6]}#{i}"), range(8))
                )
            assert {a.status_code for a in answers} <= {200, 409}
            check_turns(stored_messages(server, org.key, session_id))
        finally:
            server.stop()


def test_streaming_replies_work_with_the_shared_turn_lock(pair: Pair) -> None:
    org = make_org(pair.engine, "stream", {})
    session_id = start_session(pair.servers[0], org.key, "stream-1")

    def stream(server: Server, text: str) -> list[str]:
        with httpx.stream(
            "POST",
            f"{server.url}/api/v1/sessions/{session_id}/messages",
            json={"text": text},
            headers={"X-API-Key": org.key, "Accept": "text/event-stream"},
            timeout=30,
        ) as response:
            assert response.status_code == 200
            return [line[7:] for line in response.iter_lines() if line.startswith("event: ")]

    with ThreadPoolExecutor(4) as pool:
        events = list(pool.map(lambda i: stream(pair.servers[i % 2], f"{QUESTIONS[i + 1]}#{i}"), range(4)))
    for kinds in events:
        assert kinds[0] == "rep" and "delta" in kinds and kinds[-1] == "reply", kinds
    check_turns(stored_messages(pair.servers[1], org.key, session_id))
