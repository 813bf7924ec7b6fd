"""A rep's status on an assignment (services/assignments.standing), from their attempts' effective scores,
the deadline and an exam's attempts — no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.db.models import Assignment, PracticeSession, User
from server.services.assignments import attempts_left, standing, team_summary

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
REP = User(id="u1", username="rep1", display_name="小陈", role="rep", team="一组")


def assignment(*, exam: bool = False, max_attempts: int | None = None, past: bool = False) -> Assignment:
    deadline = NOW - timedelta(hours=1) if past else NOW + timedelta(days=1)
    return Assignment(id="a", pass_mark=70, deadline=deadline, exam=exam, max_attempts=max_attempts)


def attempt(score: int | None, *, adjusted: int | None = None, active: bool = False) -> PracticeSession:
    return PracticeSession(
        status="active" if active else "ended", overall_score=score, adjusted_overall=adjusted
    )


def status(a: Assignment, *sessions: PracticeSession) -> tuple[str, int | None]:
    row = standing(a, REP, list(sessions), NOW)
    return row.status, row.best


def test_statuses() -> None:
    assert status(assignment()) == ("not_started", None)
    assert status(assignment(past=True)) == ("expired", None)
    assert status(assignment(), attempt(None, active=True)) == ("in_progress", None)
    assert status(assignment(), attempt(60)) == ("in_progress", 60)  # another try is allowed
    assert status(assignment(), attempt(60), attempt(75)) == ("passed", 75)
    assert status(assignment(past=True), attempt(60)) == ("failed", 60)
    assert status(assignment(past=True), attempt(60, active=True)) == ("in_progress", None)  # still going


def test_the_effective_score_decides() -> None:
    assert status(assignment(), attempt(60, adjusted=80)) == ("passed", 80)
    assert status(assignment(), attempt(80, adjusted=65)) == ("in_progress", 65)
    assert status(assignment(), attempt(70)) == ("passed", 70)  # the pass mark itself passes
    assert status(assignment(), attempt(None)) == ("in_progress", None)  # no rep message: no score


def test_an_exam_fails_when_its_attempts_are_used_up() -> None:
    exam = assignment(exam=True, max_attempts=2)
    assert status(exam, attempt(50)) == ("in_progress", 50)
    assert status(exam, attempt(50), attempt(60)) == ("failed", 60)
    assert status(exam, attempt(50), attempt(90)) == ("passed", 90)
    assert (
        attempts_left(exam, 1) == 1 and attempts_left(exam, 3) == 0 and attempts_left(assignment(), 9) is None
    )


def test_completion_per_team() -> None:
    other = User(id="u2", username="rep2", display_name="小李", role="rep", team=None)
    rows = [standing(assignment(), REP, [attempt(90)], NOW), standing(assignment(), other, [], NOW)]
    summary = {t["team"]: t for t in team_summary(rows)}
    assert summary["一组"]["counts"]["passed"] == 1 and summary["一组"]["completion"] == 1.0
    assert summary["未分组"]["counts"]["not_started"] == 1 and summary["未分组"]["completion"] == 0.0
