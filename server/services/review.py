"""A trainer's review of a session: comments on messages and audited score adjustments.

The scorecard computed when the session ended is never changed; an adjustment is a new row with the
original value, the new one, who and why. The effective scores (services/scores.py) follow the latest
adjustment of each dimension, with the overall recomputed unless a trainer set it directly; they are what
the lists, the desk, the API, the reports and the LMS show. `adjust_score` hands each adjustment to its
caller's `on_adjusted` (e.g. to queue the corrected result for the LMS) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from peilian.errors import Conflict, Family, Invalid
from server.db.models import Comment, PracticeSession, ScoreAdjustment, User
from server.services import scores as scores_service
from server.services.scores import Effective


class ReviewError(Family, ValueError):
    """A comment or score adjustment that cannot be made (Invalid or Conflict)."""

    code = "review_error"


def add_comment(
    db: Session, *, session: PracticeSession, author: User, message_seq: int | None, text: str
) -> Comment:
    if message_seq is not None and message_seq >= len(session.messages):
        raise ReviewError.kind(Invalid)(f"会话中没有第 {message_seq} 条消息", code="invalid_message")
    comment = Comment(session_id=session.id, message_seq=message_seq, author_id=author.id, text=text.strip())
    db.add(comment)
    db.flush()
    return comment


@dataclass(frozen=True)
class Adjusted:
    """One adjustment just made, with the session's effective scores after it."""

    session: PracticeSession
    adjustment: ScoreAdjustment
    author: User
    scores: Effective


def adjust_score(
    db: Session,
    *,
    session: PracticeSession,
    author: User,
    dimension: str,
    score: int,
    reason: str,
    on_adjusted: Callable[[Session, Adjusted], None] | None = None,
) -> ScoreAdjustment:
    scores = (session.scorecard or {}).get("scores") or {}
    if session.status != "ended" or not scores:
        raise ReviewError.kind(Conflict)("对练结束并有评分卡后才能调整分数", code="not_ended")
    if dimension not in scores:
        raise ReviewError.kind(Invalid)(
            f"没有这个维度:{dimension}(可选:{', '.join(scores)})", code="invalid_dimension"
        )
    row = ScoreAdjustment(
        session_id=session.id,
        dimension=dimension,
        original=int(scores[dimension]),
        adjusted=score,
        reason=reason.strip(),
        author_id=author.id,
    )
    db.add(row)
    db.flush()
    effective = scores_service.record(db, session)
    if on_adjusted is not None:
        on_adjusted(db, Adjusted(session, row, author, effective))
    return row


def review_view(db: Session, *, session: PracticeSession) -> dict[str, Any]:
    comments = db.scalars(select(Comment).where(Comment.session_id == session.id).order_by(Comment.id)).all()
    adjustments = db.scalars(
        select(ScoreAdjustment).where(ScoreAdjustment.session_id == session.id).order_by(ScoreAdjustment.id)
    ).all()
    authors = {
        u.id: u.display_name
        for u in db.scalars(
            select(User).where(
                User.id.in_({c.author_id for c in comments} | {a.author_id for a in adjustments})
            )
        )
    }
    scores = scores_service.effective_from(
        session.mode, dict((session.scorecard or {}).get("scores") or {}), adjustments
    )
    return {
        "comments": [
            {
                "id": c.id,
                "message_seq": c.message_seq,
                "text": c.text,
                "author": authors.get(c.author_id),
                "created_at": c.created_at.isoformat(),
            }
            for c in comments
        ],
        "adjustments": [
            {
                "id": a.id,
                "dimension": a.dimension,
                "original": a.original,
                "adjusted": a.adjusted,
                "reason": a.reason,
                "author": authors.get(a.author_id),
                "created_at": a.created_at.isoformat(),
            }
            for a in adjustments
        ],
        "scores": {
            "original": scores.original,
            "effective": scores.effective,
            "adjusted": list(scores.adjusted),
            "overall_recomputed": scores.recomputed,
        },
    }
