"""The trainer desk: the organisation's reps with their trend, and all sessions with filters (rep, scenario,
dates, score). The numbers come from the same functions that answer the JSON API."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from server.api.schemas import MAX_OFFSET
from server.deps import Db, MaybePrincipal
from server.services import listing, realcalls, scenarios
from server.services import sessions as sessions_service
from web import present
from web.pages.common import denied, render

router = APIRouter()
PAGE = 50
MAX_PAGE = MAX_OFFSET // PAGE  # the furthest page the list goes (offset bounded like the API's)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _score(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and 0 <= int(value) <= 100 else None


def parse_filters(params: Any) -> tuple[dict[str, Any], list[str]]:
    """The filter form's values, checked; a value that does not parse is dropped with a note."""
    raw = {
        k: (params.get(k) or "").strip()
        for k in ("rep", "scenario", "status", "since", "until", "min", "max", "page")
    }
    notes = []
    out: dict[str, Any] = {
        "rep": raw["rep"][:120] or None,
        "scenario": raw["scenario"][:120] or None,
        "status": raw["status"] if raw["status"] in ("active", "ended") else None,
        "since": _date(raw["since"]),
        "until": _date(raw["until"]),
        "min_score": _score(raw["min"]),
        "max_score": _score(raw["max"]),
    }
    for key, name in (("since", "开始日期"), ("until", "结束日期")):
        if raw[key] and out[key] is None:
            notes.append(f"{name}格式应为 YYYY-MM-DD,已忽略")
    for key, name in (("min", "最低分"), ("max", "最高分")):
        if raw[key] and out[f"{key}_score"] is None:
            notes.append(f"{name}应为 0–100 的整数,已忽略")
    page = int(raw["page"]) if raw["page"].isdigit() and len(raw["page"]) <= 6 else 1
    return {**out, "page": min(max(page, 1), MAX_PAGE)}, notes


def _page_url(request: Request, page: int) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page" and v]
    return "/desk?" + urlencode([*params, ("page", str(page))])


@router.get("/desk")
def desk(request: Request, principal: MaybePrincipal, db: Db) -> Response:
    if (refused := denied(request, principal, role="staff")) is not None:
        return refused
    assert principal is not None
    filters, notes = parse_filters(request.query_params)
    page = filters.pop("page")
    found = sessions_service.list_visible(
        db,
        org_id=principal.org.id,
        viewer_id=principal.viewer_id,
        filters=listing.SessionFilters(**filters),
        limit=PAGE + 1,
        offset=(page - 1) * PAGE,
    )["items"]
    builtin = scenarios.builtin_cards()
    cards = scenarios.cards_for(db, org=principal.org, include_retired=True)  # old sessions keep their titles
    people = listing.rep_trends(db, org_id=principal.org.id)
    reps = [
        {**r, "spark": present.sparkline(r["trend"])}
        for r in people
        if r["user"]["role"] == "rep" or r["sessions"]
    ]
    return render(
        request,
        "desk.html",
        {
            "reps": reps,
            "sessions": found[:PAGE],
            "more": len(found) > PAGE,
            "page": page,
            "filters": {
                **filters,
                "min": request.query_params.get("min", ""),
                "max": request.query_params.get("max", ""),
            },
            "notes": notes,
            "titles": {cid: c.title for cid, c in cards.items()} | {scenarios.REAL_CALL_ID: realcalls.LABEL},
            "scenario_options": [(cid, c.title, cid in builtin) for cid, c in cards.items()]
            + [(scenarios.REAL_CALL_ID, realcalls.LABEL, False)],
            "rep_options": [(r["user"]["username"], r["user"]["display_name"]) for r in people],
            "prev_url": _page_url(request, page - 1) if page > 1 else None,
            "next_url": _page_url(request, page + 1) if len(found) > PAGE else None,
        },
        principal,
    )
