"""The trainer desk's numbers: each rep's sessions, average and trend of the overall score."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from server.db.models import PracticeSession, User
from server.deps import Db, Staff

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/reps", summary="组织内每位销售的对练次数、平均分与分数走势")
def reps(principal: Staff, db: Db) -> list[dict[str, Any]]:
    users = db.scalars(select(User).where(User.org_id == principal.org.id).order_by(User.display_name)).all()
    rows = db.execute(
        select(PracticeSession.user_id, PracticeSession.started_at, PracticeSession.overall_score,
               PracticeSession.scenario_id, PracticeSession.id)
        .where(PracticeSession.org_id == principal.org.id, PracticeSession.status == "ended")
        .order_by(PracticeSession.started_at)
    ).all()
    by_user: dict[str, list[Any]] = {}
    for row in rows:
        by_user.setdefault(row.user_id, []).append(row)
    out = []
    for user in users:
        points = [r for r in by_user.get(user.id, []) if r.overall_score is not None]
        out.append({
            "user": {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role},
            "sessions": len(by_user.get(user.id, [])),
            "average": round(sum(p.overall_score for p in points) / len(points)) if points else None,
            "trend": [{"session_id": p.id, "date": p.started_at.isoformat(), "overall": p.overall_score,
                       "scenario_id": p.scenario_id} for p in points],
        })
    return out
