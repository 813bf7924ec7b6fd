"""The trainer desk's numbers: each rep's sessions, average and trend of the effective overall score."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from server.api.errors import READ, error_responses
from server.deps import Db, Staff
from server.services import listing

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get(
    "/reps",
    summary="组织内每位销售的对练次数、平均分与分数走势(培训师调整后的生效分)",
    responses=error_responses(*READ, 403),
)
def reps(principal: Staff, db: Db) -> list[dict[str, Any]]:
    return listing.rep_trends(db, org_id=principal.org.id)
