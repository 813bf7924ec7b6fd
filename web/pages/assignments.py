"""Assignment pages: the trainer's list (with the form to assign a scenario and to put reps in teams), one
assignment's completion per rep and per team; the rep starts an attempt from 我的任务 on the home page; the
trainer releases an exam's hidden facts from the review page. The work is done by services/assignments.py
and services/exams.py; a refusal is shown as a Chinese message on the page, and nothing is stored."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from peilian.errors import NotFound
from server.api.errors import status_of
from server.db.models import User, utcnow
from server.deps import Db, MaybePrincipal, Principal, State
from server.services import assignments, exams, scenarios
from server.services.assignments import DIFFICULTIES, AssignmentError
from web.pages.common import FormCaller, denied, error_page, form_denied, render, visible_session

router = APIRouter()


def rep_sections(db: Session, user: User) -> dict[str, Any]:
    """我的任务 and 我的证书 of the home page."""
    now = utcnow()
    rows = assignments.list_for_rep(db, user=user)
    titles = {c.id: c.title for c in scenarios.cards_for(db, org=user.organization).values()}
    tasks = [
        {
            "a": a,
            "title": titles.get(a.scenario_id, a.scenario_id),
            "p": p,
            "left": assignments.attempts_left(a, p.attempts),
            # Practice may go on after a pass (until the deadline); an exam is done once passed.
            "can_start": p.active is not None
            or p.status in ("not_started", "in_progress")
            or (p.status == "passed" and not a.exam and a.deadline > now),
        }
        for a, p in zip(rows, assignments.my_standing(db, rows, user), strict=True)
    ]
    return {"tasks": tasks, "certificates": exams.certificates(db, user=user), "DIFFICULTIES": DIFFICULTIES}


def _list_context(db: Session, principal: Principal) -> dict[str, Any]:
    rows = assignments.list_for_org(db, org=principal.org)
    cards = scenarios.cards_for(db, org=principal.org)
    return {
        "assignments": rows,
        "titles": {c.id: c.title for c in cards.values()},
        "authors": assignments.author_names(db, rows),
        "completion": assignments.summaries(db, rows),
        "cards": list(cards.values()),
        "reps": assignments.reps_of(db, org=principal.org),
        "teams": assignments.teams_of(db, org=principal.org),
        "DIFFICULTIES": DIFFICULTIES,
    }


@router.get("/assignments")
def list_page(request: Request, principal: MaybePrincipal, db: Db) -> Response:
    if (refused := denied(request, principal, "staff")) is not None:
        return refused
    assert principal is not None
    return render(request, "assignments.html", _list_context(db, principal), principal)


def _deadline(value: str) -> datetime:
    """A datetime-local field (YYYY-MM-DDTHH:MM) in the server's local time."""
    try:
        return datetime.fromisoformat(value.strip()).astimezone()
    except ValueError:
        raise AssignmentError(422, "invalid_deadline", "请填写截止时间(日期和时间)") from None


def _int(value: str, what: str, default: int | None = None) -> int | None:
    if not value.strip():
        return default
    if not value.strip().isdigit():
        raise AssignmentError(422, "invalid_number", f"{what}应为整数")
    return int(value)


@router.post("/assignments")
def create(
    request: Request,
    auth: FormCaller,
    db: Db,
    scenario_id: Annotated[str, Form(max_length=120)] = "",
    difficulty: Annotated[str, Form(max_length=16)] = "standard",
    pass_mark: Annotated[str, Form(max_length=10)] = "60",
    deadline: Annotated[str, Form(max_length=40)] = "",
    exam: Annotated[str, Form(max_length=5)] = "",
    max_attempts: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
    reps: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies the default
    teams: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    if (refused := form_denied(request, auth, "staff")) is not None:
        return refused
    principal = auth.principal
    assert principal is not None
    try:
        created = assignments.create(
            db,
            org=principal.org,
            author=principal.user,
            scenario_id=scenario_id,
            difficulty=difficulty,
            pass_mark=_int(pass_mark, "及格线", 60) or 0,
            deadline=_deadline(deadline),
            exam=exam == "1",
            max_attempts=_int(max_attempts, "允许的次数"),
            reps=assignments.find_reps(db, org=principal.org, usernames=reps[:500]),
            teams=teams[:50],
            note=note,
        )
    except AssignmentError as exc:
        db.rollback()
        ctx = {**_list_context(db, principal), "form_error": str(exc)}
        return render(request, "assignments.html", ctx, principal, status_code=status_of(exc))
    db.commit()
    return RedirectResponse(f"/assignments/{created.id}", status_code=303)


@router.post("/assignments/teams")
def set_team(
    request: Request,
    auth: FormCaller,
    db: Db,
    username: Annotated[str, Form(max_length=120)] = "",
    team: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    if (refused := form_denied(request, auth, "staff")) is not None:
        return refused
    principal = auth.principal
    assert principal is not None
    try:
        user = assignments.find_reps_or_none(db, org=principal.org, username=username)
        if user is None:
            raise AssignmentError(404, "not_found", "请选择一位本组织的销售")
        assignments.set_team(db, user=user, team=team)
    except AssignmentError as exc:
        db.rollback()
        ctx = {**_list_context(db, principal), "team_error": str(exc)}
        return render(request, "assignments.html", ctx, principal, status_code=status_of(exc))
    db.commit()
    return RedirectResponse("/assignments#teams", status_code=303)


@router.get("/assignments/{assignment_id}")
def detail_page(request: Request, assignment_id: str, principal: MaybePrincipal, db: Db) -> Response:
    if (refused := denied(request, principal, "staff")) is not None:
        return refused
    assert principal is not None
    try:
        found = assignments.get(db, org=principal.org, assignment_id=assignment_id)
    except AssignmentError as exc:
        return error_page(request, principal, status_of(exc), str(exc))
    card = scenarios.get_card_for(db, org=principal.org, card_id=found.scenario_id)
    rows = assignments.progress(db, found)
    return render(
        request,
        "assignment.html",
        {
            "a": found,
            "title": card.title if card else found.scenario_id,
            "author": assignments.author_names(db, [found]).get(found.created_by or "", "—"),
            "rows": rows,
            "teams": assignments.team_summary(rows),
            "total": assignments.summary_of(rows),
            "DIFFICULTIES": DIFFICULTIES,
            "STATUSES": assignments.STATUSES,
        },
        principal,
    )


@router.post("/assignments/{assignment_id}/start")
def start(request: Request, assignment_id: str, auth: FormCaller, db: Db, state: State) -> Response:
    if (refused := form_denied(request, auth)) is not None:
        return refused
    principal = auth.principal
    assert principal is not None and principal.user is not None
    try:
        found = assignments.get(db, org=principal.org, assignment_id=assignment_id)
        session, _new = exams.start_attempt(
            db, state.practice, assignment=found, user=principal.user, via="web"
        )
    except AssignmentError as exc:
        db.rollback()
        return error_page(request, principal, status_of(exc), str(exc))
    return RedirectResponse(f"/call/{session.id}", status_code=303)


@router.post("/sessions/{session_id}/review/release")
def release(request: Request, session_id: str, auth: FormCaller, db: Db) -> Response:
    if (refused := form_denied(request, auth, "staff")) is not None:
        return refused
    principal = auth.principal
    assert principal is not None
    try:
        session = visible_session(db, principal, session_id)
        exams.release_facts(db, session=session)
    except NotFound as exc:
        return error_page(request, principal, 404, str(exc))
    except AssignmentError as exc:
        db.rollback()
        return error_page(request, principal, status_of(exc), str(exc))
    db.commit()
    return RedirectResponse(f"/sessions/{session_id}/review#exam", status_code=303)
