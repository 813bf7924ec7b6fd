"""A session after the call: the scorecard page (also printable, and as a JSON download) and the trainer's
review page (the same page with forms to comment on any message, correct a rep message's label and adjust a
score with a reason)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from peilian.errors import NotFound
from server.api.errors import status_of
from server.db.models import PracticeSession
from server.deps import Db, MaybePrincipal, Principal, State
from server.services import exams, labels, realcalls, review, scenarios
from server.services import sessions as sessions_service
from server.services.outcomes import outcome_of
from server.services.scores import effective_scores
from server.services.views import session_view
from web import present
from web.pages.common import FormCaller, denied, error_page, form_denied, render, visible_session

router = APIRouter()


def _context(db: Db, principal: Principal, session: PracticeSession) -> dict[str, Any]:
    card = scenarios.card_for_session(db, session)
    scorecard = session.scorecard
    rv = review.review_view(db, session=session)
    effective, original = rv["scores"]["effective"], rv["scores"]["original"]
    earned = set((session.engine_state or {}).get("earned", []))
    # An exam (services/exams.py): pass or fail by the pass mark; its facts wait for the trainer's release.
    hidden = exams.facts_hidden(db, session, principal.user)
    return {
        "exam": exams.result_of(db, session),
        "facts_hidden": hidden and session.status == "ended",
        "session": session,
        "card": scenarios.public_view(card) if card else None,
        "scorecard": scorecard,
        "scores": effective,
        "original": original,
        "adjusted": set(rv["scores"]["adjusted"]),
        "overall_recomputed": rv["scores"]["overall_recomputed"],
        "outcome": outcome_of(scorecard),
        "outcome_line": present.outcome_line(scorecard) if session.status == "ended" and scorecard else None,
        "radar": present.radar(session.mode, effective, original) if effective else None,
        "metrics": present.metrics_view(scorecard) if scorecard else [],
        "turns": present.transcript_view(
            list(session.messages), scorecard, rv["comments"], labels.current_by_seq(db, session=session)
        ),
        "call_findings": present.call_findings(scorecard),
        "general_comments": [c for c in rv["comments"] if c["message_seq"] is None],
        "adjustments": rv["adjustments"],
        "facts": present.facts_view(card, earned) if session.status == "ended" and not hidden else [],
        "earned_count": len(earned),
        "dimensions": present.dimension_order(session.mode, effective),
        **_real_call(db, principal, session),
    }


def _real_call(db: Db, principal: Principal, session: PracticeSession) -> dict[str, Any]:
    """A real call's title and the scenario "再练一次" starts (the closest one, if it can still be started)."""
    view = realcalls.real_call_view(session)
    if view is None:
        return {"real_call": None}
    closest = view["closest"] and scenarios.get_card_for(db, org=principal.org, card_id=view["closest"])
    return {"real_call": view, "closest": scenarios.public_view(closest) if closest else None}


def _load(
    request: Request, principal: MaybePrincipal, db: Db, session_id: str, role: str = "any"
) -> tuple[Response | None, PracticeSession | None]:
    if (refused := denied(request, principal, role)) is not None:
        return refused, None
    assert principal is not None
    try:
        return None, visible_session(db, principal, session_id)
    except NotFound as exc:
        return error_page(request, principal, 404, str(exc)), None


@router.get("/sessions/{session_id}")
def scorecard_page(request: Request, session_id: str, principal: MaybePrincipal, db: Db) -> Response:
    refused, session = _load(request, principal, db, session_id)
    if refused is not None:
        return refused
    assert session is not None and principal is not None and principal.user is not None
    if session.status == "active" and session.user_id == principal.user.id:
        return RedirectResponse(f"/call/{session.id}", status_code=303)
    return render(
        request, "session.html", {**_context(db, principal, session), "mode": "scorecard"}, principal
    )


@router.get("/sessions/{session_id}/print")
def print_page(request: Request, session_id: str, principal: MaybePrincipal, db: Db) -> Response:
    refused, session = _load(request, principal, db, session_id)
    if refused is not None:
        return refused
    assert session is not None and principal is not None
    return render(request, "session.html", {**_context(db, principal, session), "mode": "print"}, principal)


@router.get("/sessions/{session_id}/scorecard.json")
def scorecard_json(
    request: Request, session_id: str, principal: MaybePrincipal, db: Db, state: State
) -> Response:
    """The API's scorecard (with the facts and the session) plus the trainer's review, as a download."""
    refused, session = _load(request, principal, db, session_id)
    if refused is not None:
        return refused
    assert session is not None and principal is not None
    if session.scorecard is None:
        body: dict[str, Any] = {
            "session": session_view(session, effective_scores(db, session)),
            "scorecard": None,
        }
    else:
        body = sessions_service.scorecard_of(db, org=principal.org, session=session, viewer=principal.user)
    body["review"] = review.review_view(db, session=session)
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="peilian-{session.id}.json"'},
    )


@router.get("/sessions/{session_id}/review")
def review_page(request: Request, session_id: str, principal: MaybePrincipal, db: Db) -> Response:
    refused, session = _load(request, principal, db, session_id, role="staff")
    if refused is not None:
        return refused
    assert session is not None and principal is not None
    return render(request, "session.html", {**_context(db, principal, session), "mode": "review"}, principal)


def _review_post(request: Request, auth: Any, db: Db, session_id: str, apply: Any, anchor: str) -> Response:
    if (refused := form_denied(request, auth, role="staff")) is not None:
        return refused
    principal = auth.principal
    try:
        session = visible_session(db, principal, session_id)
    except NotFound as exc:
        return error_page(request, principal, 404, str(exc))
    try:
        apply(session, principal.user)
    except (review.ReviewError, labels.LabelError) as exc:
        db.rollback()
        ctx = {**_context(db, principal, session), "mode": "review", "form_error": str(exc)}
        return render(request, "session.html", ctx, principal, status_code=status_of(exc))
    db.commit()
    return RedirectResponse(f"/sessions/{session_id}/review{anchor}", status_code=303)


@router.post("/sessions/{session_id}/review/comments")
def post_comment(
    request: Request,
    session_id: str,
    auth: FormCaller,
    db: Db,
    text: Annotated[str, Form(max_length=2000)] = "",
    message_seq: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    seq = int(message_seq) if message_seq.strip().isdigit() else None

    def apply(session: PracticeSession, author: Any) -> None:
        if not text.strip():
            raise review.ReviewError(422, "empty_comment", "点评内容不能为空")
        review.add_comment(db, session=session, author=author, message_seq=seq, text=text)

    return _review_post(request, auth, db, session_id, apply, f"#m{seq}" if seq is not None else "#comments")


@router.post("/sessions/{session_id}/review/adjustments")
def post_adjustment(
    request: Request,
    session_id: str,
    auth: FormCaller,
    db: Db,
    state: State,
    dimension: Annotated[str, Form(max_length=32)] = "",
    score: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    def apply(session: PracticeSession, author: Any) -> None:
        value = int(score) if score.strip().isdigit() else -1
        if not 0 <= value <= 100:
            raise review.ReviewError(422, "invalid_score", "分数应为 0–100 的整数")
        if len(reason.strip()) < 2:
            raise review.ReviewError(422, "reason_required", "请写明调整分数的理由(至少 2 个字)")
        review.adjust_score(
            db,
            session=session,
            author=author,
            dimension=dimension,
            score=value,
            reason=reason,
            on_adjusted=state.report_adjustment,
        )

    return _review_post(request, auth, db, session_id, apply, "#scores")


@router.post("/sessions/{session_id}/review/labels")
def post_label(
    request: Request,
    session_id: str,
    auth: FormCaller,
    db: Db,
    message_seq: Annotated[str, Form(max_length=10)] = "",
    act: Annotated[str, Form(max_length=32)] = "",
    focus: Annotated[str, Form(max_length=32)] = "",
    form: Annotated[str, Form(max_length=32)] = "",
    elements: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies the default
) -> Response:
    """The "标签有误" form: the fields that do not apply to the chosen act are ignored (the page hides
    them; without script they are all shown), an unchecked element is false."""
    seq = int(message_seq) if message_seq.strip().isdigit() else None

    def apply(session: PracticeSession, author: Any) -> None:
        unknown = [e for e in elements if e not in labels.ELEMENTS]
        if unknown:
            raise labels.LabelError(422, "invalid_elements", "未知的行动承诺要素")
        labels.correct_label(
            db,
            session=session,
            trainer=author,
            message_seq=seq,
            act=act,
            focus=focus if act == "exploratory" else None,
            form=form if act == "confirmation" else None,
            elements={k: k in elements for k in labels.ELEMENTS} if act == "commitment" else None,
        )

    return _review_post(request, auth, db, session_id, apply, f"#m{seq}" if seq is not None else "")
