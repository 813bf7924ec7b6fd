"""End to end against a real LRS: Ralph (ralph-malph) with its file-system backend, on 127.0.0.1.

Ralph's LRS pins FastAPI 0.114 / uvicorn 0.30 / bcrypt 4.2, which conflict with the project's, so it runs
from a virtualenv of its own (see ralph-lrs-requirements.txt), found at $PEILIAN_RALPH_PYTHON or
.venv/ralph-lrs/bin/python; without it these tests are skipped, with the command that makes it.
The server is started once for this module on a socket we bind ourselves (`uvicorn --fd`), and ended after.

Ralph's file-system backend writes each target file once (a later write to it fails with HTTP 500), so
every test posts as its own LRS user, whose `target` is a directory of its own.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import httpx
import pytest
from lms_support import add_adjustment, add_ended_session, add_org, corrected
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.db.models import Organization, OutboxItem
from server.lms.outbox import deliver_due, enqueue_adjustment, enqueue_results, requeue
from server.lms.xapi import build_statement, statement_id

ROOT = Path(__file__).resolve().parents[3]
REQUIREMENTS = Path(__file__).with_name("ralph-lrs-requirements.txt")
BASE = "https://peilian.example.com"
PASSWORD = "lrs-secret"
ACCOUNTS = 8  # LRS users, one per test that writes
STARTUP_GUARD_S = 60.0  # bound on Ralph's start; it takes a few seconds


def ralph_python() -> Path | None:
    configured = os.environ.get("PEILIAN_RALPH_PYTHON")
    candidate = Path(configured) if configured else ROOT / ".venv" / "ralph-lrs" / "bin" / "python"
    return candidate if candidate.exists() else None


def basic(user: str, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class Lrs:
    endpoint: str  # the xAPI base, e.g. http://127.0.0.1:PORT/xAPI
    free: list[str]  # LRS users not used yet

    def account(self) -> str:
        """A user of our own: its statements go to a file that no other test writes."""
        return self.free.pop()

    def get(self, user: str, **params: str) -> list[dict]:
        with httpx.Client(timeout=10.0, trust_env=False) as client:
            response = client.get(
                f"{self.endpoint}/statements",
                params=params,
                headers={"Authorization": basic(user), "X-Experience-API-Version": "1.0.3"},
            )
        response.raise_for_status()
        body = response.json()
        return body.get("statements", [body])


@pytest.fixture(scope="module")
def lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lrs]:
    python = ralph_python()
    if python is None:
        pytest.skip(
            "Ralph's LRS venv is missing; make it with: .venv/bin/python -m venv .venv/ralph-lrs && "
            f".venv/ralph-lrs/bin/pip install -r {REQUIREMENTS.relative_to(ROOT)}"
        )
    home = tmp_path_factory.mktemp("ralph")
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    users = [f"peilian-{n}" for n in range(ACCOUNTS)]
    for user in users:
        (home / "data" / user).mkdir(parents=True)
    (home / "auth.json").write_text(
        json.dumps(
            [
                {
                    "username": user,
                    "hash": hashed,
                    "scopes": ["all"],
                    "target": user,
                    "agent": {"mbox": f"mailto:{user}@example.com"},
                }
                for user in users
            ]
        )
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("RALPH_")}
    env.update(
        RALPH_RUNSERVER_BACKEND="fs",
        RALPH_AUTH_FILE=str(home / "auth.json"),
        RALPH_APP_DIR=str(home / "app"),
        RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(home / "data"),
        NO_PROXY="*",
    )
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))  # loopback only; the port is ours before Ralph starts
    listener.listen(16)
    port = listener.getsockname()[1]
    log_path = home / "ralph.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(python),
                "-m",
                "uvicorn",
                "ralph.api:app",
                "--fd",
                str(listener.fileno()),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=home,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
    listener.close()
    try:
        _wait_until_ready(process, f"http://127.0.0.1:{port}/__lbheartbeat__", log_path)
        yield Lrs(endpoint=f"http://127.0.0.1:{port}/xAPI", free=users)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_GUARD_S
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"Ralph exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                if client.get(url).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    pytest.fail(f"Ralph did not answer within {STARTUP_GUARD_S:.0f} s:\n{log_path.read_text()[-3000:]}")


def enqueue(db_factory: sessionmaker[Session], lrs: Lrs, *, auth: str) -> tuple[int, dict]:
    with db_factory() as db:
        org = add_org(db, lrs=lrs.endpoint, lrs_auth=auth)
        practice = add_ended_session(db, org)
        [item] = enqueue_results(db, practice, base_url=BASE)
        statement = build_statement(practice, base_url=BASE)
        db.commit()
        return item.id, statement


def test_ralph_stores_the_statement_as_sent(
    sqlite_db_factory: sessionmaker[Session], lrs: Lrs, http: httpx.Client
) -> None:
    user = lrs.account()
    item_id, statement = enqueue(sqlite_db_factory, lrs, auth=basic(user))
    report = deliver_due(sqlite_db_factory, client=http)
    assert report.delivered == [item_id], report.errors
    [stored] = lrs.get(user, statementId=statement["id"])
    for part in ("id", "actor", "verb", "object", "context"):
        assert stored[part] == statement[part], part
    assert stored["result"]["score"] == statement["result"]["score"]
    assert stored["result"]["duration"] == statement["result"]["duration"]
    scorecard_key = f"{BASE}/xapi/extensions/scorecard"
    assert stored["result"]["extensions"][scorecard_key] == statement["result"]["extensions"][scorecard_key]
    assert stored["authority"]["mbox"] == f"mailto:{user}@example.com"  # Ralph knew our credentials


def test_sending_again_never_duplicates(
    sqlite_db_factory: sessionmaker[Session], lrs: Lrs, http: httpx.Client
) -> None:
    user = lrs.account()
    item_id, statement = enqueue(sqlite_db_factory, lrs, auth=basic(user))
    assert deliver_due(sqlite_db_factory, client=http).delivered == [item_id]
    with sqlite_db_factory() as db:  # as if the first answer had been lost and the item sent once more
        db.execute(OutboxItem.__table__.update().where(OutboxItem.id == item_id).values(delivered_at=None))
        requeue(db, item_ids=[item_id])
        db.commit()
    assert deliver_due(sqlite_db_factory, client=http).delivered == [item_id]
    again = http.post(
        f"{lrs.endpoint}/statements",
        json=statement,
        headers={"Authorization": basic(user), "X-Experience-API-Version": "1.0.3"},
    )
    assert again.status_code == 204  # the very same statement: stored once, no conflict
    assert len(lrs.get(user, registration=statement["context"]["registration"])) == 1


def test_wrong_credentials_are_retried_with_the_fixed_ones(
    sqlite_db_factory: sessionmaker[Session], lrs: Lrs, http: httpx.Client
) -> None:
    user = lrs.account()
    wrong = basic(user, "nope")
    item_id, statement = enqueue(sqlite_db_factory, lrs, auth=wrong)
    report = deliver_due(sqlite_db_factory, client=http)
    assert report.retrying == [item_id] and report.errors[item_id].startswith("HTTP 401")
    with sqlite_db_factory() as db:  # the admin fixes the organisation's LRS settings
        org = db.scalar(select(Organization).where(Organization.lrs_auth == wrong))
        org.lrs_auth = basic(user)
        requeue(db, item_ids=[item_id])  # or simply wait for the back-off
        db.commit()
    assert deliver_due(sqlite_db_factory, client=http).delivered == [item_id]
    assert len(lrs.get(user, statementId=statement["id"])) == 1


def test_an_invalid_statement_is_rejected_and_kept(
    sqlite_db_factory: sessionmaker[Session], lrs: Lrs, http: httpx.Client
) -> None:
    item_id, statement = enqueue(sqlite_db_factory, lrs, auth=basic(lrs.account()))
    # Ralph's LRS checks only id, actor, verb and object (its "lax" model; the strict check of the whole
    # statement is in test_lms_xapi.py), so break the actor: an Agent without an identifier.
    broken = {**statement, "actor": {"objectType": "Agent", "name": "张伟"}}
    with sqlite_db_factory() as db:
        db.get(OutboxItem, item_id).payload = broken
        db.commit()
    report = deliver_due(sqlite_db_factory, client=http)
    assert report.failed == [item_id] and report.errors[item_id].startswith(("HTTP 400", "HTTP 422"))
    with sqlite_db_factory() as db:
        item = db.get(OutboxItem, item_id)
        assert item.delivered_at is None and item.last_error.startswith("rejected, not retried")


def test_a_correction_is_stored_beside_the_first_result(
    sqlite_db_factory: sessionmaker[Session], lrs: Lrs, http: httpx.Client
) -> None:
    """After a trainer's adjustment the LRS holds both statements of the attempt: the correction refers to
    the first (context.statement) and carries the effective score and the adjustment."""
    user = lrs.account()
    with sqlite_db_factory() as db:
        org = add_org(db, lrs=lrs.endpoint, lrs_auth=basic(user))
        practice = add_ended_session(db, org)
        row, author = add_adjustment(db, practice, dimension="overall", adjusted=64)
        [item] = enqueue_adjustment(
            db, practice, row, author=author, scorecard=corrected(practice, row), base_url=BASE
        )
        correction, first = item.payload, statement_id(practice.id)
        db.commit()
    report = deliver_due(sqlite_db_factory, client=http)
    assert report.delivered == [item.id], report.errors
    [stored] = lrs.get(user, statementId=correction["id"])
    assert stored["context"]["statement"] == {"objectType": "StatementRef", "id": first}
    assert stored["result"]["score"]["raw"] == 64 and stored["timestamp"].startswith(
        correction["timestamp"][:19]
    )
    assert stored["result"]["extensions"][f"{BASE}/xapi/extensions/adjustment"]["adjusted"] == 64
