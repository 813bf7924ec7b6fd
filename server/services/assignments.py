"""Assignments: a trainer assigns a scenario (difficulty, pass mark, deadline) to reps and/or teams; reps see
their tasks with a status; the trainer sees completion per rep and per team (docs/assignments.md).

A rep's status on an assignment follows from the sessions started from it (`practice_sessions.assignment_id`)
and their *effective* overall (a trainer's adjustment counts, services/scores.py):

- 已通过 `passed`: an ended attempt scored at least the pass mark;
- 未通过 `failed`: attempts were made, none passed, and no more may be made (the deadline passed, or an exam's
  attempts are used up);
- 进行中 `in_progress`: attempts were made (or one is under way) and another one is still allowed;
- 已过期 `expired`: no attempt, and the deadline has passed;
- 未开始 `not_started`: no attempt yet.

Teams are a name on the user (`users.team`); a team target means its members at any time. An exam (考核) is an
assignment with `exam` set: see services/exams.py for what else that changes.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from peilian.errors import Family
from server.db.models import Assignment, AssignmentTarget, Organization, PracticeSession, User, utcnow
from server.services import scenarios

DIFFICULTIES = {"easy": "容易", "standard": "标准", "hard": "困难"}
STATUSES = {
    "not_started": "未开始",
    "in_progress": "进行中",
    "passed": "已通过",
    "failed": "未通过",
    "expired": "已过期",
}
MAX_ATTEMPTS = 20
MAX_TEAM_CHARS = 60


class AssignmentError(Family, ValueError):
    """A request about assignments that cannot be carried out (Invalid, Forbidden, NotFound or Conflict:
    raised in the family's `(status, code, message)` form, which builds the matching kind)."""

    code = "assignment_error"


def cn_deadline(moment: datetime) -> str:
    """A deadline the Chinese way in the server's local time: 2026年12月31日 18:00."""
    local = moment.astimezone()
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def effective_of(session: PracticeSession) -> int | None:
    """The session's effective overall: the trainer's (kept on the row by services/scores.record), else the
    scorer's; None without a scorecard."""
    return session.adjusted_overall if session.adjusted_overall is not None else session.overall_score


# -- teams ------------------------------------------------------------------------------------------------
def clean_team(name: str | None) -> str | None:
    team = " ".join((name or "").split())
    if len(team) > MAX_TEAM_CHARS:
        raise AssignmentError(422, "invalid_team", f"团队名称最多 {MAX_TEAM_CHARS} 个字")
    return team or None


def set_team(db: Session, *, user: User, team: str | None) -> User:
    if user.role != "rep":
        raise AssignmentError(422, "not_a_rep", f"{user.display_name} 不是销售,不能加入团队")
    user.team = clean_team(team)
    db.flush()
    return user


def reps_of(db: Session, *, org: Organization) -> list[User]:
    return list(
        db.scalars(
            select(User)
            .where(User.org_id == org.id, User.role == "rep", User.active.is_(True))
            .order_by(User.team, User.display_name, User.username)
        )
    )


def teams_of(db: Session, *, org: Organization) -> dict[str, list[User]]:
    """The organisation's teams with their reps (a team exists while it has a member)."""
    out: dict[str, list[User]] = {}
    for user in reps_of(db, org=org):
        if user.team:
            out.setdefault(user.team, []).append(user)
    return dict(sorted(out.items()))


def find_reps(db: Session, *, org: Organization, usernames: Iterable[str]) -> list[User]:
    """The reps of `org` with these usernames; AssignmentError (422) names the first one that is not."""
    wanted = list(dict.fromkeys(u.strip() for u in usernames if u.strip()))
    if not wanted:
        return []
    found = {
        u.username: u
        for u in db.scalars(
            select(User).where(User.org_id == org.id, User.username.in_(wanted), User.role == "rep")
        )
    }
    for name in wanted:
        if name not in found:
            raise AssignmentError(422, "unknown_rep", f"本组织没有这位销售:{name[:60]}")
    return [found[name] for name in wanted]


def find_reps_or_none(db: Session, *, org: Organization, username: str) -> User | None:
    return db.scalar(
        select(User).where(User.org_id == org.id, User.username == username.strip(), User.role == "rep")
    )


# -- creating -----------------------------------------------------------------------------------------------
def create(
    db: Session,
    *,
    org: Organization,
    author: User | None,
    scenario_id: str,
    difficulty: str,
    pass_mark: int,
    deadline: datetime,
    exam: bool,
    max_attempts: int | None,
    reps: Sequence[User],
    teams: Sequence[str],
    note: str = "",
    seed: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    """Create an assignment (flushed, not committed); AssignmentError for anything invalid, adding nothing."""
    now = now or utcnow()
    if scenarios.get_card_for(db, org=org, card_id=scenario_id) is None:
        raise AssignmentError(404, "unknown_scenario", f"未知场景:{scenario_id[:120]}")
    if difficulty not in DIFFICULTIES:
        raise AssignmentError(422, "invalid_difficulty", "难度只能是 easy(容易)/ standard(标准)/ hard(困难)")
    if not 0 <= pass_mark <= 100:
        raise AssignmentError(422, "invalid_pass_mark", "及格线应为 0–100 的整数")
    if deadline.tzinfo is None:
        raise AssignmentError(422, "invalid_deadline", "截止时间需要带时区")
    if deadline <= now:
        raise AssignmentError(422, "invalid_deadline", "截止时间必须晚于现在")
    if max_attempts is not None and not 1 <= max_attempts <= MAX_ATTEMPTS:
        raise AssignmentError(422, "invalid_attempts", f"允许的次数应为 1–{MAX_ATTEMPTS}")
    if exam and max_attempts is None:
        max_attempts = 1  # an exam without a number: one attempt
    known = teams_of(db, org=org)
    names = list(dict.fromkeys(t for t in (clean_team(t) for t in teams) if t))
    for name in names:
        if name not in known:
            raise AssignmentError(422, "unknown_team", f"本组织没有这个团队:{name}")
    if not reps and not names:
        raise AssignmentError(422, "no_targets", "请至少选择一位销售或一个团队")
    if any(u.org_id != org.id or u.role != "rep" for u in reps):
        raise AssignmentError(422, "unknown_rep", "只能把任务分配给本组织的销售")
    assignment = Assignment(
        org_id=org.id,
        scenario_id=scenario_id,
        difficulty=difficulty,
        pass_mark=pass_mark,
        deadline=deadline,
        exam=exam,
        max_attempts=max_attempts,
        seed=(seed if seed is not None else secrets.randbelow(2**31)) if exam else 0,
        note=note.strip(),
        created_by=author.id if author else None,
        created_at=now,
    )
    unique_reps = list({u.id: u for u in reps}.values())
    assignment.targets = [AssignmentTarget(user_id=u.id) for u in unique_reps] + [
        AssignmentTarget(team=t) for t in names
    ]
    db.add(assignment)
    db.flush()
    return assignment


# -- reading ------------------------------------------------------------------------------------------------
def get(db: Session, *, org: Organization, assignment_id: str) -> Assignment:
    found = None if len(assignment_id) > 64 else db.get(Assignment, assignment_id)
    if found is None or found.org_id != org.id:
        raise AssignmentError(404, "not_found", f"任务 {assignment_id[:64]} 不存在")
    return found


def list_for_org(db: Session, *, org: Organization, limit: int = 200) -> list[Assignment]:
    return list(
        db.scalars(
            select(Assignment)
            .where(Assignment.org_id == org.id)
            .order_by(Assignment.created_at.desc())
            .limit(limit)
        )
    )


def list_for_rep(db: Session, *, user: User) -> list[Assignment]:
    """The assignments for this rep (directly, or through their team), the nearest deadline first."""
    match = AssignmentTarget.user_id == user.id
    if user.team:
        match = or_(match, AssignmentTarget.team == user.team)
    ids = select(AssignmentTarget.assignment_id).where(match)
    return list(
        db.scalars(
            select(Assignment)
            .where(Assignment.org_id == user.org_id, Assignment.id.in_(ids))
            .order_by(Assignment.deadline, Assignment.created_at)
        )
    )


def is_target(assignment: Assignment, user: User) -> bool:
    return user.org_id == assignment.org_id and any(
        t.user_id == user.id or (t.team is not None and t.team == user.team) for t in assignment.targets
    )


def members(db: Session, assignment: Assignment) -> list[User]:
    """Every rep the assignment is for: those named, and the current members of its teams."""
    ids = [t.user_id for t in assignment.targets if t.user_id]
    teams = [t.team for t in assignment.targets if t.team]
    conditions = []
    if ids:
        conditions.append(User.id.in_(ids))
    if teams:
        conditions.append(User.team.in_(teams))
    if not conditions:
        return []
    return list(
        db.scalars(
            select(User)
            .where(User.org_id == assignment.org_id, User.role == "rep", or_(*conditions))
            .order_by(User.team, User.display_name, User.username)
        )
    )


def attempts(
    db: Session, assignment_ids: Sequence[str], user_ids: Sequence[str] | None = None
) -> dict[tuple[str, str], list[PracticeSession]]:
    """The sessions started from these assignments (by assignment and user), oldest first."""
    if not assignment_ids:
        return {}
    query = select(PracticeSession).where(PracticeSession.assignment_id.in_(list(assignment_ids)))
    if user_ids is not None:
        query = query.where(PracticeSession.user_id.in_(list(user_ids)))
    out: dict[tuple[str, str], list[PracticeSession]] = {}
    for s in db.scalars(query.order_by(PracticeSession.started_at)):
        out.setdefault((s.assignment_id or "", s.user_id), []).append(s)
    return out


@dataclass
class Progress:
    """One rep's standing on one assignment."""

    user: User
    status: str
    attempts: int
    best: int | None
    sessions: list[PracticeSession] = field(default_factory=list)

    @property
    def label(self) -> str:
        return STATUSES[self.status]

    @property
    def active(self) -> PracticeSession | None:
        return next((s for s in self.sessions if s.status == "active"), None)


def passes(assignment: Assignment, session: PracticeSession) -> bool:
    score = effective_of(session)
    return session.status == "ended" and score is not None and score >= assignment.pass_mark


def attempts_left(assignment: Assignment, used: int) -> int | None:
    return None if assignment.max_attempts is None else max(0, assignment.max_attempts - used)


def standing(
    assignment: Assignment, user: User, sessions: Sequence[PracticeSession], now: datetime | None = None
) -> Progress:
    now = now or utcnow()
    scored = [x for x in (effective_of(s) for s in sessions if s.status == "ended") if x is not None]
    best = max(scored) if scored else None
    past = assignment.deadline <= now
    if any(passes(assignment, s) for s in sessions):
        status = "passed"
    elif sessions:
        done = all(s.status == "ended" for s in sessions)
        used_up = attempts_left(assignment, len(sessions)) == 0
        status = "failed" if done and (past or used_up) else "in_progress"
    else:
        status = "expired" if past else "not_started"
    return Progress(user, status, len(sessions), best, list(sessions))


def progress(db: Session, assignment: Assignment, now: datetime | None = None) -> list[Progress]:
    people = members(db, assignment)
    found = attempts(db, [assignment.id], [u.id for u in people])
    return [standing(assignment, u, found.get((assignment.id, u.id), []), now) for u in people]


def team_summary(rows: Sequence[Progress]) -> list[dict[str, Any]]:
    """Completion per team (reps without a team under 未分组): counts by status and the share passed."""
    groups: dict[str, list[Progress]] = {}
    for row in rows:
        groups.setdefault(row.user.team or "未分组", []).append(row)
    return [summary_of(rows, team=team) for team, rows in sorted(groups.items())]


def summary_of(rows: Sequence[Progress], **extra: Any) -> dict[str, Any]:
    counts = {key: sum(1 for r in rows if r.status == key) for key in STATUSES}
    total = len(rows)
    return {
        **extra,
        "reps": total,
        "counts": counts,
        "completion": round(counts["passed"] / total, 3) if total else 0.0,
    }


def summaries(
    db: Session, assignments: Sequence[Assignment], now: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Each assignment's completion (counts by status), by id: one query for all their sessions."""
    found = attempts(db, [a.id for a in assignments])
    out = {}
    for a in assignments:
        rows = [standing(a, u, found.get((a.id, u.id), []), now) for u in members(db, a)]
        out[a.id] = summary_of(rows)
    return out


def my_standing(
    db: Session, assignments: Sequence[Assignment], user: User, now: datetime | None = None
) -> list[Progress]:
    found = attempts(db, [a.id for a in assignments], [user.id])
    return [standing(a, user, found.get((a.id, user.id), []), now) for a in assignments]


def author_names(db: Session, assignments: Sequence[Assignment]) -> dict[str, str]:
    ids = {a.created_by for a in assignments if a.created_by}
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.scalars(select(User).where(User.id.in_(ids)))}
