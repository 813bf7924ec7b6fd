"""Reading practice sessions as a caller may see them — shared by the API routes and the web pages.

Who sees what: a rep (`viewer_id` set) only their own sessions; a trainer, an admin or an API key
(`viewer_id` None) their organisation's. A session outside that is `NotFound`, exactly like one that does
not exist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from peilian.errors import Conflict, NotFound
from server.db.models import Organization, PracticeSession, User
from server.services import exams, listing, scenarios
from server.services.practice import PracticeError
from server.services.scores import effective_scores, effective_scores_many, scorecard_view
from server.services.views import session_view


def visible_session(db: Session, *, org_id: str, viewer_id: str | None, session_id: str) -> PracticeSession:
    """The session, when the viewer may see it; else `PracticeError` of kind NotFound."""
    # An id that cannot exist is not looked up: PostgreSQL refuses NUL bytes in text with an error.
    session = None if "\x00" in session_id or len(session_id) > 64 else db.get(PracticeSession, session_id)
    if (
        session is None
        or session.org_id != org_id
        or (viewer_id is not None and session.user_id != viewer_id)
    ):
        raise PracticeError.kind(NotFound)(f"会话 {session_id} 不存在", code="not_found")
    return session


def scorecard_of(
    db: Session, *, org: Organization, session: PracticeSession, viewer: User | None = None
) -> dict[str, Any]:
    """The scorecard with the effective scores, the session and the card's facts (earned or not); an
    exam's hidden facts stay with the trainer until released (services/exams.py): then `facts` is empty."""
    if session.status != "ended" or session.scorecard is None:
        raise PracticeError.kind(Conflict)("对练尚未结束或没有销售发言,还没有评分卡", code="not_ended")
    card = scenarios.card_for_session(db, session)  # the card as played (its version), not today's
    earned = set((session.engine_state or {}).get("earned", []))
    hidden = exams.facts_hidden(db, session, viewer)
    facts = (
        [{"id": f.id, "kind": f.kind, "text": f.text, "earned": f.id in earned} for f in card.facts()]
        if card and not hidden
        else []
    )
    scores = effective_scores(db, session)
    result = exams.result_of(db, session)
    return {
        **scorecard_view(session.scorecard, scores),
        "session": session_view(session, scores),
        "facts": facts,
        "facts_hidden": hidden,
        "assignment": result.view() if result else None,
    }


def list_visible(
    db: Session,
    *,
    org_id: str,
    viewer_id: str | None,
    filters: listing.SessionFilters,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """One page of the sessions the viewer may see, newest first, with their effective scores."""
    rows = listing.find_sessions(
        db, org_id=org_id, user_id=viewer_id, filters=filters, limit=limit, offset=offset
    )
    scores = effective_scores_many(db, rows)
    return {"items": [session_view(s, scores[s.id]) for s in rows], "limit": limit, "offset": offset}
