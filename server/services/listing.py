"""Many sessions at once: the filtered session list and each rep's count, average and trend.

Scores here are the effective ones (services/scores.py): a filter by score, an average and a trend point all
read `effective_overall()` (the trainer's adjusted overall where there is one, else the scorecard's), in SQL,
so that filtering happens before paging and no session's scorecard has to be loaded for a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import PracticeSession, User
from server.services.scores import effective_overall


@dataclass(frozen=True)
class SessionFilters:
    rep: str | None = None  # username
    scenario: str | None = None
    status: str | None = None  # active | ended
    since: date | None = None  # started on or after
    until: date | None = None  # started on or before
    min_score: int | None = None  # effective overall
    max_score: int | None = None


def find_sessions(
    db: Session, *, org_id: str, user_id: str | None, filters: SessionFilters, limit: int, offset: int
) -> list[PracticeSession]:
    """The organisation's sessions (only `user_id`'s when given), newest first, filtered, one page."""
    query = select(PracticeSession).where(PracticeSession.org_id == org_id)
    if user_id is not None:
        query = query.where(PracticeSession.user_id == user_id)
    if filters.rep:
        query = query.join(User, User.id == PracticeSession.user_id).where(User.username == filters.rep)
    if filters.scenario:
        query = query.where(PracticeSession.scenario_id == filters.scenario)
    if filters.status:
        query = query.where(PracticeSession.status == filters.status)
    if filters.since:
        query = query.where(PracticeSession.started_at >= datetime.combine(filters.since, time.min))
    if filters.until:
        query = query.where(PracticeSession.started_at <= datetime.combine(filters.until, time.max))
    if filters.min_score is not None:
        query = query.where(effective_overall() >= filters.min_score)
    if filters.max_score is not None:
        query = query.where(effective_overall() <= filters.max_score)
    query = query.order_by(PracticeSession.started_at.desc(), PracticeSession.id).limit(limit).offset(offset)
    return list(db.scalars(query).unique())


def rep_trends(db: Session, *, org_id: str) -> list[dict[str, Any]]:
    """Each user of the organisation: ended sessions, average effective overall and its trend (oldest first);
    a trend point carries the scorer's overall too and whether a trainer adjusted it."""
    users = db.scalars(select(User).where(User.org_id == org_id).order_by(User.display_name)).all()
    rows = db.execute(
        select(
            PracticeSession.user_id,
            PracticeSession.started_at,
            PracticeSession.scenario_id,
            PracticeSession.id,
            PracticeSession.overall_score.label("original"),
            effective_overall().label("overall"),
            PracticeSession.adjusted_overall.is_not(None).label("adjusted"),
        )
        .where(PracticeSession.org_id == org_id, PracticeSession.status == "ended")
        .order_by(PracticeSession.started_at)
    ).all()
    by_user: dict[str, list[Any]] = {}
    for row in rows:
        by_user.setdefault(row.user_id, []).append(row)
    out = []
    for user in users:
        points = [r for r in by_user.get(user.id, []) if r.overall is not None]
        out.append(
            {
                "user": {
                    "id": user.id,
                    "username": user.username,
                    "display_name": user.display_name,
                    "role": user.role,
                },
                "sessions": len(by_user.get(user.id, [])),
                "average": round(sum(p.overall for p in points) / len(points)) if points else None,
                "trend": [
                    {
                        "session_id": p.id,
                        "date": p.started_at.isoformat(),
                        "overall": p.overall,
                        "original": p.original,
                        "adjusted": bool(p.adjusted),
                        "scenario_id": p.scenario_id,
                    }
                    for p in points
                ],
            }
        )
    return out
