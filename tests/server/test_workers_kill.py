"""kill -9 with two server processes on one PostgreSQL database, mid-conversation: after restarting the
killed one, nothing is lost (every acknowledged message is stored, and answered), nothing is duplicated
(no message stored twice, sequence numbers without gaps), and every LMS item is delivered exactly once.
Skipped without PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.engine import make_engine
from server.db.models import OutboxItem
from tests.server.factories import make_org
from tests.server.lms.lms_support import Receiver
from tests.server.test_workers import QUESTIONS, check_turns, start_session, wait_delivered, with_webhook
from tests.server.workers_support import Server, fresh_database, server_env

SESSIONS = 12
ROUNDS = 8


def test_kill_9_of_one_of_two_processes_loses_duplicates_and_double_delivers_nothing(tmp_path: Path) -> None:
    receiver = Receiver()
    with fresh_database() as url:
        env = server_env(tmp_path, url, PEILIAN_RATE_LIMIT_PER_MINUTE="100000", PEILIAN_OUTBOX_INTERVAL="0.2")
        a, b = Server(env, tmp_path).start(), Server(env, tmp_path).start()
        engine = make_engine(url)
        try:
            org = make_org(engine, "kill", {})
            org_id = with_webhook(engine, "kill", receiver)
            headers = {"X-API-Key": org.key}
            ids = [start_session((a, b)[i % 2], org.key, f"kill-{i}") for i in range(SESSIONS)]
            acknowledged: dict[str, list[str]] = {sid: [] for sid in ids}
            uncertain: dict[str, list[str]] = {sid: [] for sid in ids}
            a_down = threading.Event()

            def talk(i: int) -> None:
                sid = ids[i]
                with httpx.Client(timeout=30, headers=headers, trust_env=False) as client:
                    for k in range(ROUNDS):
                        server = (a, b)[(i + k) % 2]
                        text = f"{QUESTIONS[k % len(QUESTIONS)]}(第{k}轮)"
                        try:
                            response = client.post(
                                f"{server.url}/api/v1/sessions/{sid}/messages", json={"text": text}
                            )
                        except httpx.TransportError:  # the killed server: stored or not, we cannot know
                            uncertain[sid].append(text)
                            continue
                        if response.status_code == 200:
                            acknowledged[sid].append(text)
                        else:
                            assert response.status_code in (409, 502, 503), response.text  # ended, or down
                        if k == ROUNDS // 2 and i == 0:
                            a.kill()  # kill -9, in the middle of everyone's conversation
                            a_down.set()

            with ThreadPoolExecutor(SESSIONS) as pool:
                list(pool.map(talk, range(SESSIONS)))
            assert a_down.is_set()
            a.start()  # the restarted process answers what the killed one left unanswered
            for i, sid in enumerate(ids):
                server = (a, b)[i % 2]
                with httpx.Client(timeout=30, headers=headers, trust_env=False) as client:
                    ended = client.post(f"{server.url}/api/v1/sessions/{sid}/end")
                    assert ended.status_code == 200, ended.text
                    messages = client.get(f"{server.url}/api/v1/sessions/{sid}").json()["messages"]
                check_turns(messages)
                reps = Counter(m["text"] for m in messages if m["speaker"] == "rep")
                assert all(n == 1 for n in reps.values()), reps  # nothing duplicated
                assert set(acknowledged[sid]) <= set(reps)  # nothing acknowledged is lost
                assert set(reps) <= set(acknowledged[sid]) | set(uncertain[sid])
                assert messages[-1]["speaker"] == "customer"  # a message left unanswered was answered
            assert any(uncertain.values())  # requests did reach the killed process
            items = wait_delivered(engine, org_id, SESSIONS)
            time.sleep(1.0)
            received = Counter(json.loads(r.body)["id"] for r in receiver.requests)
            assert len(received) == SESSIONS and set(received.values()) == {1}, received
            with Session(engine) as db:
                assert (
                    len(list(db.scalars(select(OutboxItem).where(OutboxItem.org_id == org_id)))) == SESSIONS
                )
            assert {i.session_id for i in items} == set(ids)
        finally:
            engine.dispose()
            a.stop()
            b.stop()
            receiver.close()


def worker_pids(server: Server) -> list[int]:
    assert server.process is not None
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    # The workers are multiprocessing children; multiprocessing's resource tracker is not one.
    return [
        int(c)
        for c in children
        if "spawn_main" in (cmd := Path(f"/proc/{c}/cmdline").read_bytes().decode(errors="replace"))
        and "resource_tracker" not in cmd
    ]


def test_kill_9_of_one_worker_of_serve_workers_2_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """`peilian serve --workers 2`: a worker killed mid-conversation is replaced by uvicorn's supervisor;
    the other worker goes on serving the same sessions meanwhile."""
    with fresh_database() as url:
        env = server_env(tmp_path, url, PEILIAN_RATE_LIMIT_PER_MINUTE="100000")
        server = Server(env, tmp_path, workers=2).start()
        engine = make_engine(url)
        try:
            org = make_org(engine, "killworker", {})
            ids = [start_session(server, org.key, f"kw-{i}") for i in range(8)]
            acknowledged: dict[str, list[str]] = {sid: [] for sid in ids}
            uncertain: dict[str, list[str]] = {sid: [] for sid in ids}
            victims = worker_pids(server)
            assert len(victims) >= 2

            def talk(i: int) -> None:
                with httpx.Client(timeout=30, headers={"X-API-Key": org.key}, trust_env=False) as client:
                    for k in range(ROUNDS):
                        text = f"{QUESTIONS[k % len(QUESTIONS)]}(第{k}轮)"
                        if k == ROUNDS // 2 and i == 0:
                            os.kill(victims[0], signal.SIGKILL)
                        try:
                            response = client.post(
                                f"{server.url}/api/v1/sessions/{ids[i]}/messages", json={"text": text}
                            )
                        except httpx.TransportError:
                            uncertain[ids[i]].append(text)
                            continue
                        if response.status_code == 200:
                            acknowledged[ids[i]].append(text)

            with ThreadPoolExecutor(len(ids)) as pool:
                list(pool.map(talk, range(len(ids))))
            with httpx.Client(timeout=30, headers={"X-API-Key": org.key}, trust_env=False) as client:
                for sid in ids:
                    assert client.post(f"{server.url}/api/v1/sessions/{sid}/end").status_code == 200
                    messages = client.get(f"{server.url}/api/v1/sessions/{sid}").json()["messages"]
                    check_turns(messages)
                    reps = Counter(m["text"] for m in messages if m["speaker"] == "rep")
                    assert all(n == 1 for n in reps.values()), reps
                    assert set(acknowledged[sid]) <= set(reps)
                    assert set(reps) <= set(acknowledged[sid]) | set(uncertain[sid])
                    assert messages[-1]["speaker"] == "customer"
            deadline = time.monotonic() + 30
            while len(now := worker_pids(server)) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert victims[0] not in now and len(now) == 2  # the killed worker was replaced
        finally:
            engine.dispose()
            server.stop()
