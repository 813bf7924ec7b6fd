"""Attempts at an assignment, and what an exam (考核) changes (docs/assignments.md).

`start_attempt` starts a session from an assignment, or refuses with a Chinese message and stores nothing:
past the deadline, over an exam's attempts, not assigned to this rep. A rep's attempt still under way is
resumed rather than a new one started. An exam's attempts all use the assignment's fixed seed.

An exam's session: no coach labels and no live meters on the call page; its hidden facts are kept from the
rep until a trainer releases them (`release_facts`); it passes or fails by the pass mark on the effective
overall (a trainer's adjustment counts); a passed exam is a certificate on the rep's page; and the LMS gets an
xAPI `passed` / `failed` statement (server/lms/exam.py) when it ends and again after each adjustment.
"""

from __future__ import annotations

import secrets
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import Assignment, PracticeSession, User, utcnow
from server.services import scenarios
from server.services.assignments import (
    AssignmentError,
    attempts,
    attempts_left,
    cn_deadline,
    effective_of,
    is_target,
    passes,
)
from server.services.practice import Practice

STAFF = ("trainer", "admin")
# One start at a time per (assignment, rep) in this process, so that two clicks cannot both pass the count of
# attempts (the server is one process, as for the practice service's per-session locks).
_start_locks: weakref.WeakValueDictionary[tuple[str, str], threading.Lock] = weakref.WeakValueDictionary()
_guard = threading.Lock()


def _start_lock(key: tuple[str, str]) -> threading.Lock:
    with _guard:
        lock = _start_locks.get(key)
        if lock is None:
            lock = threading.Lock()
            _start_locks[key] = lock
        return lock


def start_attempt(
    db: Session,
    practice: Practice,
    *,
    assignment: Assignment,
    user: User,
    via: str,
    now: datetime | None = None,
) -> tuple[PracticeSession, bool]:
    """A session of `user` on `assignment`: (the session, whether it is new). Refusals raise AssignmentError
    before anything is written."""
    if not is_target(assignment, user):
        raise AssignmentError(403, "not_assigned", "这个任务没有分配给你")
    with _start_lock((assignment.id, user.id)):
        return _start(db, practice, assignment=assignment, user=user, via=via, now=now or utcnow())


def _start(
    db: Session, practice: Practice, *, assignment: Assignment, user: User, via: str, now: datetime
) -> tuple[PracticeSession, bool]:
    mine = attempts(db, [assignment.id], [user.id]).get((assignment.id, user.id), [])
    active = next((s for s in mine if s.status == "active"), None)
    if active is not None:
        return active, False  # resume the attempt under way: it is not a new one
    if assignment.deadline <= now:
        raise AssignmentError(
            409,
            "assignment_expired",
            f"这个任务已于 {cn_deadline(assignment.deadline)} 截止,不能再开始新的练习。请联系培训师。",
        )
    if assignment.exam and any(passes(assignment, s) for s in mine):
        raise AssignmentError(409, "already_passed", "你已经通过了这次考核,不需要再考。")
    if attempts_left(assignment, len(mine)) == 0:
        what = "考核" if assignment.exam else "任务"
        raise AssignmentError(
            409,
            "attempts_exhausted",
            f"这次{what}最多可以做 {assignment.max_attempts} 次,你已经用完了,不能再开始。请联系培训师。",
        )
    org = user.organization
    card = scenarios.get_card_for(db, org=org, card_id=assignment.scenario_id)
    if card is None:
        raise AssignmentError(409, "scenario_gone", f"场景 {assignment.scenario_id} 已不存在,无法开始")
    session = practice.start(
        db,
        user=user,
        card=card,
        voice="scripted",
        # An exam: everyone hears the same customer; practice: a fresh wording each time.
        seed=assignment.seed if assignment.exam else secrets.randbelow(2**31),
        via=via,
        difficulty=assignment.difficulty,
        assignment_id=assignment.id,
    )
    return session, True


def assignment_of(db: Session, session: PracticeSession) -> Assignment | None:
    return db.get(Assignment, session.assignment_id) if session.assignment_id else None


def is_exam(db: Session, session: PracticeSession) -> bool:
    found = assignment_of(db, session)
    return bool(found and found.exam)


def facts_hidden(db: Session, session: PracticeSession, viewer: User | None) -> bool:
    """Whether this viewer may not see the session's hidden facts yet: an exam's, to its rep (or an LMS key,
    which acts for the rep), until a trainer releases them."""
    if viewer is not None and viewer.role in STAFF:
        return False
    return session.facts_released_at is None and is_exam(db, session)


def release_facts(db: Session, *, session: PracticeSession, now: datetime | None = None) -> PracticeSession:
    """Show an exam's hidden facts to its rep from now on (idempotent: a second release keeps the first time)."""
    if not is_exam(db, session):
        raise AssignmentError(409, "not_an_exam", "这次对练不是考核,隐藏信息本来就会在结束后公布")
    if session.status != "ended":
        raise AssignmentError(409, "not_ended", "考核结束后才能公布隐藏信息")
    if session.facts_released_at is None:
        session.facts_released_at = now or utcnow()
        db.flush()
    return session


@dataclass(frozen=True)
class ExamResult:
    """How a session stands against its assignment."""

    assignment: Assignment
    score: int | None
    passed: bool | None  # None while the session is under way
    attempt: int  # this session is the n-th attempt of its rep
    attempts: int  # attempts of the rep so far

    def view(self) -> dict[str, Any]:
        a = self.assignment
        return {
            "assignment_id": a.id,
            "exam": a.exam,
            "pass_mark": a.pass_mark,
            "score": self.score,
            "passed": self.passed,
            "attempt": self.attempt,
            "attempts": self.attempts,
            "max_attempts": a.max_attempts,
            "deadline": a.deadline.isoformat(),
        }


def result_of(db: Session, session: PracticeSession) -> ExamResult | None:
    """The session's result on its assignment (None when it was not started from one)."""
    assignment = assignment_of(db, session)
    if assignment is None:
        return None
    mine = attempts(db, [assignment.id], [session.user_id]).get((assignment.id, session.user_id), [])
    ids = [s.id for s in mine]
    ended = session.status == "ended"
    return ExamResult(
        assignment=assignment,
        score=effective_of(session) if ended else None,
        passed=passes(assignment, session) if ended else None,
        attempt=ids.index(session.id) + 1 if session.id in ids else len(ids),
        attempts=len(ids),
    )


def certificates(db: Session, *, user: User) -> list[dict[str, Any]]:
    """The rep's passed exams, one per scenario (the best score; the earlier date on a tie): scenario, score,
    date, pass mark and the trainer who set the exam."""
    rows = db.execute(
        select(PracticeSession, Assignment)
        .join(Assignment, Assignment.id == PracticeSession.assignment_id)
        .where(
            PracticeSession.user_id == user.id,
            PracticeSession.status == "ended",
            Assignment.exam.is_(True),
        )
        .order_by(PracticeSession.ended_at)
    ).all()
    best: dict[str, tuple[PracticeSession, Assignment]] = {}
    for session, assignment in rows:
        if not passes(assignment, session):
            continue
        held = best.get(assignment.scenario_id)
        if held is None or (effective_of(session) or 0) > (effective_of(held[0]) or 0):
            best[assignment.scenario_id] = (session, assignment)
    authors = {
        u.id: u.display_name
        for u in db.scalars(select(User).where(User.id.in_({a.created_by for _, a in best.values()})))
    }
    cards = scenarios.cards_for(db, org=user.organization)
    return [
        {
            "scenario_id": scenario_id,
            "scenario_title": cards[scenario_id].title if scenario_id in cards else scenario_id,
            "score": effective_of(session),
            "pass_mark": assignment.pass_mark,
            "passed_at": session.ended_at,
            "trainer": authors.get(assignment.created_by or "", "—"),
            "session_id": session.id,
            "assignment_id": assignment.id,
        }
        for scenario_id, (session, assignment) in sorted(best.items())
    ]


def report(
    db: Session,
    session: PracticeSession,
    *,
    base_url: str,
    scenario_title: str | None = None,
    adjustment: Any = None,
) -> bool:
    """Queue the exam's `passed` / `failed` xAPI statement (on its end, or after `adjustment`) in the caller's
    transaction; False when the session is no exam or the organisation has no LRS."""
    from server.lms.exam import build_exam_statement, enqueue_exam_result

    assignment = assignment_of(db, session)
    if assignment is None or not assignment.exam or session.status != "ended":
        return False
    statement = build_exam_statement(
        session,
        passed=passes(assignment, session),
        score=effective_of(session),
        pass_mark=assignment.pass_mark,
        assignment_id=assignment.id,
        base_url=base_url,
        scenario_title=scenario_title,
        adjustment=adjustment,
    )
    return bool(enqueue_exam_result(db, session, statement))
