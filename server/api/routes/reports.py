"""The trainer desk's numbers: each rep's sessions, average and trend of the effective overall score; a rep's
progress per dimension and the team heatmap (services/progress.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from server.api.errors import READ, ApiError, error_responses
from server.db.models import User
from server.deps import CurrentPrincipal, Db, Staff
from server.services import listing, progress

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get(
    "/reps",
    summary="组织内每位销售的对练次数、平均分与分数走势(培训师调整后的生效分)",
    responses=error_responses(*READ, 403),
)
def reps(principal: Staff, db: Db) -> list[dict[str, Any]]:
    return listing.rep_trends(db, org_id=principal.org.id)


def _weakest_out(found: progress.Weakest | None) -> dict[str, Any] | None:
    return None if found is None else asdict(found)


@router.get(
    "/reps/{username}/progress",
    summary="一位销售的进步:各维度分数走势与最需要加强的一项(附书中段落);销售只能看自己的",
    responses=error_responses(*READ, 404),
)
def rep_progress(username: str, principal: CurrentPrincipal, db: Db) -> dict[str, Any]:
    rep = db.scalar(select(User).where(User.org_id == principal.org.id, User.username == username))
    if rep is None or (
        not principal.sees_whole_org and principal.user is not None and rep.id != principal.user.id
    ):
        raise ApiError(404, "not_found", f"用户 {username} 不存在")
    attempts = progress.rep_attempts(db, org_id=principal.org.id, user_id=rep.id)
    return {
        "user": {"username": rep.username, "display_name": rep.display_name, "role": rep.role},
        "attempts": len(attempts),
        "series": {
            key: [
                {
                    "session_id": p.session_id,
                    "date": p.started_at.isoformat(),
                    "scenario_id": p.scenario_id,
                    "score": p.score,
                    "adjusted": p.adjusted,
                }
                for p in points
            ]
            for key, points in progress.series(attempts).items()
        },
        "weakest": _weakest_out(progress.weakest(attempts)),
    }


@router.get(
    "/heatmap",
    summary="团队热力图:每位销售在各维度的平均生效分与次数",
    responses=error_responses(*READ, 403),
)
def heatmap(principal: Staff, db: Db) -> dict[str, Any]:
    rows = progress.team_heatmap(db, org_id=principal.org.id)
    return {
        "dimensions": progress.heat_columns(rows),
        "rows": [
            {
                "user": {"username": r.user.username, "display_name": r.user.display_name},
                "attempts": r.attempts,
                "weakest": r.weakest,
                "cells": {k: asdict(c) for k, c in r.cells.items()},
            }
            for r in rows
        ],
    }
