"""Progress: a rep's per-dimension charts over time, their weakest skill with the passage of the book to
study, their attempts by scenario (any 2–4 of one scenario side by side), and for trainers the team's
heatmap. All scores are the effective ones (services/progress.py). A rep sees only their own progress; a
trainer or admin any member's of their organisation; anyone else's reads as missing (404)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from server.db.models import User
from server.deps import Db, MaybePrincipal, Principal
from server.services import progress, scenarios
from web import charts, present
from web.pages.common import STAFF, denied, error_page, render

router = APIRouter()


def _titles(db: Db, principal: Principal) -> dict[str, str]:
    return {cid: c.title for cid, c in scenarios.cards_for(db, org=principal.org).items()}


def _by_scenario(attempts: list[progress.Attempt], titles: dict[str, str]) -> list[dict[str, Any]]:
    """The attempts grouped by scenario (the most practised first), newest first within a scenario."""
    groups: dict[str, list[progress.Attempt]] = {}
    for a in attempts:
        groups.setdefault(a.scenario_id, []).append(a)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), titles.get(kv[0], kv[0])))
    return [
        {
            "id": cid,
            "title": titles.get(cid, cid),
            "attempts": [
                {
                    "id": a.session_id,
                    "started_at": a.started_at,
                    "overall": a.scores["overall"],
                    "mode": a.mode,
                }
                for a in reversed(group)
            ],
        }
        for cid, group in ordered
    ]


def _progress_page(request: Request, principal: Principal, db: Db, rep: User) -> Response:
    attempts = progress.rep_attempts(db, org_id=principal.org.id, user_id=rep.id)
    titles = _titles(db, principal)
    context = {
        "rep": rep,
        "own": principal.user is not None and rep.id == principal.user.id,
        "attempts": len(attempts),
        "charts": [charts.line_chart(k, pts) for k, pts in progress.series(attempts).items()],
        "weakest": progress.weakest(attempts),
        "recent": progress.RECENT,
        "scenarios": _by_scenario(attempts, titles),
        "max_compare": progress.MAX_COMPARE,
    }
    return render(request, "progress.html", context, principal)


@router.get("/progress")
def my_progress(request: Request, principal: MaybePrincipal, db: Db) -> Response:
    if (refused := denied(request, principal)) is not None:
        return refused
    assert principal is not None and principal.user is not None
    return _progress_page(request, principal, db, principal.user)


@router.get("/progress/compare")
def compare_page(request: Request, principal: MaybePrincipal, db: Db) -> Response:
    if (refused := denied(request, principal)) is not None:
        return refused
    assert principal is not None and principal.user is not None
    ids = [v[:64] for v in request.query_params.getlist("s")][:16]
    try:
        attempts = progress.compare(db, org_id=principal.org.id, viewer=principal.user, session_ids=ids)
    except progress.ProgressError as exc:
        return error_page(request, principal, exc.status, str(exc))
    people = {u.id: u for u in db.scalars(select(User).where(User.id.in_({a.user_id for a in attempts})))}
    title = _titles(db, principal).get(attempts[0].scenario_id, attempts[0].scenario_id)
    keys = [k for k in ("overall", *progress.DIMENSIONS) if any(k in a.scores for a in attempts)]
    columns = [
        {
            "attempt": a,
            "rep": people[a.user_id],
            "radar": present.radar(a.mode, a.scores, a.original),
            "outcome": present.outcome_line(a.scorecard),
            "metrics": present.metrics_view(a.scorecard),
            "findings": [
                {**f, "dimension_label": present.DIMENSIONS.get(f.get("dimension", ""), "")}
                for f in a.scorecard.get("findings") or []
            ],
        }
        for a in attempts
    ]
    rows = [
        {
            "key": k,
            "label": present.DIMENSIONS.get(k, k),
            "scores": [a.scores.get(k) for a in attempts],
            "best": max((a.scores[k] for a in attempts if k in a.scores), default=None),
        }
        for k in keys
    ]
    context = {"title": title, "columns": columns, "rows": rows, "mode": attempts[0].mode}
    return render(request, "compare.html", context, principal)


@router.get("/progress/{username}")
def rep_progress(request: Request, username: str, principal: MaybePrincipal, db: Db) -> Response:
    if (refused := denied(request, principal)) is not None:
        return refused
    assert principal is not None and principal.user is not None
    rep = db.scalar(select(User).where(User.org_id == principal.org.id, User.username == username[:120]))
    if rep is None or (principal.role not in STAFF and rep.id != principal.user.id):
        return error_page(request, principal, 404, f"用户 {username[:120]} 不存在。")
    return _progress_page(request, principal, db, rep)


@router.get("/desk/team")
def team_page(request: Request, principal: MaybePrincipal, db: Db) -> Response:
    if (refused := denied(request, principal, role="staff")) is not None:
        return refused
    assert principal is not None
    rows = progress.team_heatmap(db, org_id=principal.org.id)
    columns = progress.heat_columns(rows)
    context = {
        "rows": rows,
        "columns": columns,
        "band": charts.band,
        "bands": list(zip(reversed([c for _, c in charts.BANDS]), charts.BAND_LABELS, strict=True)),
    }
    return render(request, "team.html", context, principal)
