"""The start page: for a visitor, what Peilian is and the book search; for a logged-in user, the scenarios
to practise (their public side only) and their own recent sessions with a trend line (effective scores: a
trainer's adjustment shows here too)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import select

from knowledge.text import MAX_QUERY_CHARS, QueryError
from server.db.models import PracticeSession
from server.deps import Db, MaybePrincipal, Principal, State, rate_wait
from server.services import realcalls, scenarios
from server.services.scores import effective_scores_many
from web import present
from web.pages.assignments import rep_sections
from web.pages.common import render

router = APIRouter()
RECENT = 20


def search_book(state: State, q: str, k: int = 5) -> tuple[list[dict[str, Any]], str | None]:
    """The k best passages, each with `segments`: its sentences, those that answer the question marked."""
    from knowledge.highlight import highlight

    if not q.strip():
        return [], None
    try:
        hits = state.book_index.search(q, k)
    except QueryError as exc:
        return [], str(exc)
    return [dict(h.to_dict(), segments=highlight(q, h.text)) for h in hits], None


async def limited_search(
    request: Request, state: State, principal: Principal | None, q: str
) -> tuple[list[dict[str, Any]], str | None, int]:
    """The book search of a page, rate-limited like the API's (a visitor by address): hits, error, status."""
    if q.strip() and (wait := rate_wait(request, state, principal)) is not None:
        return [], f"检索过于频繁,请 {max(1, round(wait))} 秒后再试。", 429
    hits, error = await run_in_threadpool(search_book, state, q)
    return hits, error, 200


def scenario_cards(db: Db, principal: Any) -> list[dict[str, Any]]:
    builtin = scenarios.builtin_cards()
    return [
        scenarios.public_view(c, builtin=c.id in builtin)
        for c in scenarios.cards_for(db, org=principal.org).values()
    ]


@router.get("/")
async def home(
    request: Request,
    principal: MaybePrincipal,
    db: Db,
    state: State,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
) -> Response:
    if principal is None or principal.user is None:
        hits, error, status = await limited_search(request, state, None, q)
        return render(request, "landing.html", {"q": q, "hits": hits, "error": error}, status_code=status)

    def load() -> dict[str, Any]:
        cards = scenario_cards(db, principal)
        rows = db.scalars(
            select(PracticeSession)
            .where(PracticeSession.user_id == principal.user.id)
            .order_by(PracticeSession.started_at.desc())
            .limit(RECENT)
        ).all()
        every = scenarios.cards_for(db, org=principal.org, include_retired=True)  # retired: old sessions
        titles = {cid: c.title for cid, c in every.items()}
        scores = effective_scores_many(db, rows)
        recent = [
            {
                "id": s.id,
                "title": realcalls.list_title(s) or titles.get(s.scenario_id, s.scenario_id),
                "mode": s.mode,
                "status": s.status,
                "started_at": s.started_at,
                "overall": scores[s.id].overall if scores[s.id].effective else s.overall_score,
                "adjusted": bool(scores[s.id].adjusted),
                "end_reason": s.end_reason,
            }
            for s in rows
        ]
        trend = [
            {"date": s.started_at.isoformat(), "overall": scores[s.id].overall}
            for s in reversed(rows)
            if s.status == "ended"
        ]
        return {
            **rep_sections(db, principal.user),  # 我的任务, 我的证书 (web/pages/assignments.py)
            "cards": cards,
            "recent": recent,
            "trend": present.sparkline(trend, width=220, height=48),
            "llm": state.settings.llm_configured,
        }

    return render(request, "home.html", await run_in_threadpool(load), principal)


@router.get("/book")
async def book(
    request: Request,
    principal: MaybePrincipal,
    state: State,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
) -> Response:
    """The Ask-the-book panel without JavaScript: the same search as a page."""
    hits, error, status = await limited_search(request, state, principal, q)
    return render(request, "book.html", {"q": q, "hits": hits, "error": error}, principal, status_code=status)
