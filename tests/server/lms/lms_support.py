"""Test helpers for the LMS delivery tests: sessions to report, and a tiny HTTP receiver on 127.0.0.1.

The receiver stands in for a webhook endpoint or a failing LRS; a real LRS (Ralph) is used in
test_lms_ralph.py. Everything listens on loopback only.
"""

from __future__ import annotations

import socket
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy.orm import Session

from server.db.models import Organization, PracticeSession, ScoreAdjustment, User, new_id
from server.services.scores import effective_from, scorecard_view

ENDED = datetime(2026, 3, 2, 9, 15, 30, 250000, tzinfo=UTC)
STARTED = ENDED - timedelta(minutes=12, seconds=5.5)
SCORECARD: dict[str, Any] = {
    "mode": "appointment",
    "scores": {"overall": 82, "opening": 90, "questions": 75},
    "metrics": {"talk_ratio": 0.41, "question_rate": 0.5, "golden_silence_rate": None},
    "findings": [
        {"code": "no_choice_offered", "turn": 4, "message": "没有给客户二选一的时间", "reference": {}}
    ],
    "turns": [{"index": 0, "speaker": "rep", "text": "王主任您好", "act": "statement"}],
    "outcome": {
        "result": "committed",
        "commitment": "highest",
        "elements": ["time", "people", "action"],
        "reason": None,
        "facts_earned": 5,
        "facts_total": 12,
        "earned": {"expectation": 2, "need": 2, "motive": 1, "process": 0},
    },
}
OLD = object()  # `make_practice(outcome=OLD)`: a scorecard stored before outcomes were recorded


def make_practice(
    *,
    session_id: str = "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    score: int | None = 82,
    external_id: str | None = "lms-42",
    display_name: str = "张伟",
    started: datetime = STARTED,
    ended: datetime | None = ENDED,
    scenario_id: str = "gov-meeting-room",
    org: Organization | None = None,
    outcome: Any = None,
) -> PracticeSession:
    """A transient ended session with its user (not added to any database session). `outcome` replaces the
    scorecard's (a dict), or removes it (`OLD`)."""
    org = org or Organization(id=new_id(), name="Acme", slug=f"acme-{new_id()[:8]}")
    user = User(
        id=new_id(),
        org_id=org.id,
        username=f"zhangwei-{new_id()[:6]}",
        display_name=display_name,
        role="rep",
        external_id=external_id,
    )
    user.organization = org
    scorecard = dict(SCORECARD, scores={**SCORECARD["scores"], "overall": score})
    if outcome is OLD:
        del scorecard["outcome"]
    elif outcome is not None:
        scorecard["outcome"] = outcome
    return PracticeSession(
        id=session_id,
        org_id=org.id,
        user_id=user.id,
        user=user,
        scenario_id=scenario_id,
        mode="appointment",
        status="ended" if ended else "active",
        started_at=started,
        ended_at=ended,
        overall_score=score,
        scorecard=scorecard,
        end_reason="rep_ended",
    )


def add_org(
    db: Session,
    *,
    lrs: str | None = None,
    lrs_auth: str | None = None,
    webhook: str | None = None,
    secret: str | None = None,
) -> Organization:
    org = Organization(
        name="Acme 销售部",
        slug=f"acme-{new_id()[:10]}",
        lrs_endpoint=lrs,
        lrs_auth=lrs_auth,
        webhook_url=webhook,
        webhook_secret=secret,
    )
    db.add(org)
    db.flush()
    return org


def corrected(practice: PracticeSession, row: ScoreAdjustment) -> dict[str, Any]:
    """The session's scorecard with the effective scores, as the server hands it to the LMS."""
    return scorecard_view(
        practice.scorecard, effective_from(practice.mode, practice.scorecard["scores"], [row])
    )


def add_adjustment(
    db: Session, practice: PracticeSession, *, dimension: str = "opening", adjusted: int = 100
) -> tuple[ScoreAdjustment, User]:
    author = User(
        org_id=practice.org_id, username=f"coach-{new_id()[:8]}", display_name="李教练", role="trainer"
    )
    db.add(author)
    db.flush()
    row = ScoreAdjustment(
        session_id=practice.id,
        dimension=dimension,
        original=practice.scorecard["scores"][dimension],
        adjusted=adjusted,
        reason="复核",
        author_id=author.id,
    )
    db.add(row)
    db.flush()
    return row, author


def add_ended_session(db: Session, org: Organization, *, score: int | None = 82) -> PracticeSession:
    """An ended session of a new learner of `org`, in the database (flushed, not committed)."""
    user = User(
        org_id=org.id,
        username=f"rep-{new_id()[:10]}",
        display_name="李娜",
        role="rep",
        external_id=f"ext-{new_id()[:8]}",
    )
    db.add(user)
    db.flush()
    practice = PracticeSession(
        org_id=org.id,
        user_id=user.id,
        scenario_id="gov-meeting-room",
        mode="appointment",
        status="ended",
        started_at=STARTED,
        ended_at=ENDED,
        overall_score=score,
        scorecard=SCORECARD,
    )
    db.add(practice)
    db.flush()
    db.refresh(practice)
    return practice


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread; answers POSTs from a script of (status, headers, body),
    then with `default`. `port=0` picks a free port."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[Recorded] = []
        self.script: deque[tuple[int, dict[str, str], bytes]] = deque()
        self.default: tuple[int, dict[str, str], bytes] = (200, {}, b'["ok"]')
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.requests.append(Recorded(self.path, dict(self.headers.items()), body))
                    status, headers, answer = (
                        receiver.script.popleft() if receiver.script else receiver.default
                    )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, *responses: tuple[int, dict[str, str], bytes]) -> None:
        with self._lock:
            self.script.extend(responses)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class ClosedPort:
    """A loopback port that refuses connections: bound but not listening, so no one else takes it
    until `release()` (then a `Receiver(port)` can come up on the very same port)."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def release(self) -> int:
        self._sock.close()
        return self.port
