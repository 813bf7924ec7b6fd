"""Trainers review sessions: comment on any message, adjust a score with a reason (original kept; the
effective scores follow, and the corrected result is queued for the organisation's LMS)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from server.api.errors import READ, WRITE, ApiError, api_error, error_responses
from server.api.routes.sessions import visible_session
from server.api.schemas import AdjustmentIn, CommentIn
from server.deps import CurrentPrincipal, Db, Staff, State
from server.services import review

router = APIRouter(prefix="/sessions", tags=["review"])


def _author(principal: Staff):  # noqa: ANN202 - a User
    if principal.user is None:
        raise ApiError(403, "forbidden", "点评与调分需要培训师账号登录")
    return principal.user


@router.get(
    "/{session_id}/review", summary="点评与调分记录(原始分与生效分)", responses=error_responses(*READ, 404)
)
def get_review(session_id: str, principal: CurrentPrincipal, db: Db) -> dict[str, Any]:
    return review.review_view(db, session=visible_session(db, principal, session_id))


@router.post(
    "/{session_id}/comments",
    summary="培训师点评一条消息",
    status_code=201,
    responses=error_responses(*WRITE, 404),
)
def post_comment(session_id: str, body: CommentIn, principal: Staff, db: Db) -> dict[str, Any]:
    session = visible_session(db, principal, session_id)
    try:
        review.add_comment(
            db, session=session, author=_author(principal), message_seq=body.message_seq, text=body.text
        )
    except review.ReviewError as exc:
        raise api_error(exc) from None
    db.commit()
    return review.review_view(db, session=session)


@router.post(
    "/{session_id}/adjustments",
    summary="培训师调整某一维度的分数(保留原始分,留痕)",
    status_code=201,
    responses=error_responses(*WRITE, 404, 409),
)
def post_adjustment(
    session_id: str, body: AdjustmentIn, principal: Staff, db: Db, state: State
) -> dict[str, Any]:
    session = visible_session(db, principal, session_id)
    try:
        review.adjust_score(
            db,
            session=session,
            author=_author(principal),
            dimension=body.dimension,
            score=body.score,
            reason=body.reason,
            on_adjusted=state.report_adjustment,
        )
    except review.ReviewError as exc:
        raise api_error(exc) from None
    db.commit()
    return review.review_view(db, session=session)
