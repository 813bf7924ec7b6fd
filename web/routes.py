"""Pages. Every user-facing string is Chinese; Jinja2 autoescaping keeps user text inert."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from knowledge.text import MAX_QUERY_CHARS, QueryError
from server.deps import State
from web import TEMPLATES_DIR

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, state: State, q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "") -> HTMLResponse:
    hits, error = [], None
    if q.strip():
        try:
            hits = [h.to_dict() for h in await run_in_threadpool(lambda: state.book_index.search(q, 5))]
        except QueryError as exc:
            error = str(exc)
    return templates.TemplateResponse(request, "home.html", {"q": q, "hits": hits, "error": error})
