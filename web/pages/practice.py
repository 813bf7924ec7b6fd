"""Practice: start a session on a scenario, then the call page (the chat runs in web/static/call.js
against the JSON/SSE API; this page renders the situation, the messages so far and the controls)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from peilian.errors import NotFound
from server.deps import Db, MaybePrincipal, State
from server.services import exams, scenarios
from server.services.views import message_view
from web import present
from web.pages.common import FormCaller, denied, error_page, form_denied, render, visible_session

router = APIRouter()


@router.post("/practice/start")
def start(
    request: Request,
    auth: FormCaller,
    db: Db,
    state: State,
    scenario_id: Annotated[str, Form(max_length=120)] = "",
    voice: Annotated[str, Form(pattern="^(scripted|llm)$")] = "scripted",
    difficulty: Annotated[str, Form(pattern="^(easy|standard|hard)?$")] = "",
) -> Response:
    if (refused := form_denied(request, auth)) is not None:
        return refused
    principal = auth.principal
    assert principal is not None and principal.user is not None
    card = scenarios.get_card_for(db, org=principal.org, card_id=scenario_id)
    if card is None:
        return error_page(request, principal, 404, f"未知场景:{scenario_id}")
    if voice == "llm" and not state.settings.llm_configured:
        voice = "scripted"
    # A fresh seed each time: the scripted customer words things differently from call to call.
    session = state.practice.start(
        db,
        user=principal.user,
        card=card,
        voice=voice,
        seed=secrets.randbelow(2**31),
        via="web",
        difficulty=difficulty or None,
    )
    return RedirectResponse(f"/call/{session.id}", status_code=303)


@router.get("/call/{session_id}")
def call(request: Request, session_id: str, principal: MaybePrincipal, db: Db, state: State) -> Response:
    if (refused := denied(request, principal)) is not None:
        return refused
    assert principal is not None and principal.user is not None
    try:
        session = visible_session(db, principal, session_id)
    except NotFound as exc:
        return error_page(request, principal, 404, str(exc))
    if session.status != "active" or session.user_id != principal.user.id:
        return RedirectResponse(f"/sessions/{session.id}", status_code=303)
    card = scenarios.card_for_session(db, session)
    exam = exams.is_exam(db, session)  # no coach labels, no live meters (services/exams.py)
    budget = state.practice.budget(db, session)
    if budget and exam:  # the customer's patience is a live meter: an exam shows the turn limit alone
        budget = {k: budget[k] for k in ("turn", "max_turns")}
    messages = [message_view(m) for m in session.messages]
    for m in messages:
        m["act_label"] = present.act_label(m.get("act"))
    return render(
        request,
        "call.html",
        {
            "session": session,
            "card": scenarios.public_view(card) if card else None,
            "messages": messages,
            "labels": present.labels_for_js(),
            "exam": exam,
            "budget": budget,
        },
        principal,
    )
