"""Assignments and exams: a trainer (or an LMS with its API key) assigns a scenario to reps or teams; reps read
their tasks and start attempts; trainers read completion per rep and team and release an exam's hidden facts;
teams are a name on each rep (docs/assignments.md).

Who may do what: trainers, admins and API keys create assignments, read every one of their organisation and
set teams; a rep reads the assignments meant for them (others answer 404) and starts their own attempts; an API
key starts an attempt for a learner it names.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from server.api.assignment_schemas import AssignmentIn, AttemptIn, TeamMemberIn
from server.api.errors import READ, WRITE, ApiError, api_error, error_responses
from server.api.routes.sessions import visible_session
from server.db.models import Assignment, User
from server.deps import CurrentPrincipal, Db, Principal, Staff, State
from server.services import accounts, assignments, exams, scenarios
from server.services.assignments import AssignmentError, Progress
from server.services.scores import effective_scores
from server.services.views import session_view

router = APIRouter(tags=["assignments"])


def _fail(exc: AssignmentError) -> ApiError:
    return api_error(exc)


def _titles(db: Session, principal: Principal) -> dict[str, str]:
    return {c.id: c.title for c in scenarios.cards_for(db, org=principal.org).values()}


def _user_view(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "team": user.team}


def assignment_view(a: Assignment, titles: dict[str, str], authors: dict[str, str]) -> dict[str, Any]:
    return {
        "id": a.id,
        "scenario_id": a.scenario_id,
        "scenario_title": titles.get(a.scenario_id, a.scenario_id),
        "difficulty": a.difficulty,
        "pass_mark": a.pass_mark,
        "deadline": a.deadline.isoformat(),
        "exam": a.exam,
        "max_attempts": a.max_attempts,
        "note": a.note,
        "created_by": authors.get(a.created_by or ""),
        "created_at": a.created_at.isoformat(),
        "targets": {
            "reps": sorted(t.user_id for t in a.targets if t.user_id),
            "teams": sorted(t.team for t in a.targets if t.team),
        },
    }


def progress_view(row: Progress) -> dict[str, Any]:
    return {
        "user": _user_view(row.user),
        "status": row.status,
        "status_label": row.label,
        "attempts": row.attempts,
        "best_score": row.best,
        "sessions": [s.id for s in row.sessions],
    }


def _visible(db: Session, principal: Principal, assignment_id: str) -> Assignment:
    try:
        found = assignments.get(db, org=principal.org, assignment_id=assignment_id)
    except AssignmentError as exc:
        raise _fail(exc) from None
    if not principal.sees_whole_org and principal.user and not assignments.is_target(found, principal.user):
        raise ApiError(404, "not_found", f"任务 {assignment_id[:64]} 不存在")
    return found


@router.post(
    "/assignments", summary="布置任务(练习或考核)", status_code=201, responses=error_responses(*WRITE, 404)
)
def create_assignment(body: AssignmentIn, principal: Staff, db: Db) -> dict[str, Any]:
    if body.learners and principal.api_key is None:
        raise ApiError(422, "invalid_request", "learners 只能由 API 密钥(LMS)指定;请用 reps 填用户名")
    try:
        reps = assignments.find_reps(db, org=principal.org, usernames=body.reps)
        reps += [
            accounts.get_or_create_external_user(
                db, org=principal.org, external_id=lr.id, display_name=lr.name or lr.id
            )
            for lr in body.learners
        ]
        created = assignments.create(
            db,
            org=principal.org,
            author=principal.user,
            scenario_id=body.scenario_id,
            difficulty=body.difficulty,
            pass_mark=body.pass_mark,
            deadline=body.deadline_at(),
            exam=body.exam,
            max_attempts=body.max_attempts,
            reps=reps,
            teams=body.teams,
            note=body.note,
            seed=body.seed,
        )
    except AssignmentError as exc:
        db.rollback()
        raise _fail(exc) from None
    db.commit()
    return assignment_view(created, _titles(db, principal), assignments.author_names(db, [created]))


@router.get(
    "/assignments",
    summary="任务列表:培训师看本组织的(含完成情况),销售看自己的(含状态)",
    responses=error_responses(*READ),
)
def list_assignments(principal: CurrentPrincipal, db: Db) -> dict[str, Any]:
    titles = _titles(db, principal)
    if principal.sees_whole_org:
        rows = assignments.list_for_org(db, org=principal.org)
        authors = assignments.author_names(db, rows)
        done = assignments.summaries(db, rows)
        items = [{**assignment_view(a, titles, authors), "completion": done[a.id]} for a in rows]
        return {"items": items}
    assert principal.user is not None
    rows = assignments.list_for_rep(db, user=principal.user)
    authors = assignments.author_names(db, rows)
    mine = assignments.my_standing(db, rows, principal.user)
    return {
        "items": [
            {**assignment_view(a, titles, authors), "mine": progress_view(p)}
            for a, p in zip(rows, mine, strict=True)
        ]
    }


@router.get(
    "/assignments/{assignment_id}",
    summary="一个任务:每位销售的状态,每个团队的完成率",
    responses=error_responses(*READ, 404),
)
def get_assignment(assignment_id: str, principal: CurrentPrincipal, db: Db) -> dict[str, Any]:
    found = _visible(db, principal, assignment_id)
    view = assignment_view(found, _titles(db, principal), assignments.author_names(db, [found]))
    if not principal.sees_whole_org:
        assert principal.user is not None
        return {**view, "mine": progress_view(assignments.my_standing(db, [found], principal.user)[0])}
    rows = assignments.progress(db, found)
    return {
        **view,
        "progress": [progress_view(r) for r in rows],
        "teams": assignments.team_summary(rows),
        "completion": assignments.summary_of(rows),
    }


@router.post(
    "/assignments/{assignment_id}/sessions",
    summary="开始任务的一次尝试(已过截止时间或考核次数用完则拒绝;进行中的尝试原样返回)",
    status_code=201,
    responses=error_responses(*WRITE, 404, 409),
)
def start_attempt(
    assignment_id: str, body: AttemptIn, principal: CurrentPrincipal, db: Db, state: State
) -> dict[str, Any]:
    found = _visible(db, principal, assignment_id)
    if principal.user is not None:
        if body.learner is not None:
            raise ApiError(422, "invalid_request", "learner 只能由 API 密钥(LMS)指定")
        if principal.user.role != "rep":
            raise ApiError(403, "forbidden", "只有销售本人可以开始任务的练习")
        user = principal.user
    else:
        if body.learner is None:
            raise ApiError(422, "invalid_request", "用 API 密钥开始时必须提供 learner(学员在 LMS 中的 id)")
        user = accounts.get_or_create_external_user(
            db,
            org=principal.org,
            external_id=body.learner.id,
            display_name=body.learner.name or body.learner.id,
        )
    try:
        session, _new = exams.start_attempt(
            db, state.practice, assignment=found, user=user, via="api" if principal.api_key else "web"
        )
    except AssignmentError as exc:
        db.rollback()
        raise _fail(exc) from None
    return session_view(session, effective_scores(db, session), messages=True)


@router.post(
    "/sessions/{session_id}/release-facts",
    summary="公布考核的隐藏信息(培训师);之后销售在评分卡上能看到",
    responses=error_responses(*WRITE, 404, 409),
)
def release_facts(session_id: str, principal: Staff, db: Db) -> dict[str, Any]:
    session = visible_session(db, principal, session_id)
    try:
        exams.release_facts(db, session=session)
    except AssignmentError as exc:
        raise _fail(exc) from None
    db.commit()
    released = session.facts_released_at
    return {"session_id": session.id, "facts_released_at": released.isoformat() if released else None}


@router.get("/teams", summary="团队与成员(销售)", responses=error_responses(*READ, 403))
def list_teams(principal: Staff, db: Db) -> dict[str, Any]:
    teams = assignments.teams_of(db, org=principal.org)
    loose = [u for u in assignments.reps_of(db, org=principal.org) if not u.team]
    return {
        "items": [{"team": t, "members": [_user_view(u) for u in people]} for t, people in teams.items()],
        "unassigned": [_user_view(u) for u in loose],
    }


@router.put("/teams/members", summary="把一位销售放进团队(或移出)", responses=error_responses(*WRITE, 404))
def set_member(body: TeamMemberIn, principal: Staff, db: Db) -> dict[str, Any]:
    found = assignments.find_reps_or_none(db, org=principal.org, username=body.username)
    if found is None:
        raise ApiError(404, "not_found", f"本组织没有这位销售:{body.username[:60]}")
    try:
        assignments.set_team(db, user=found, team=body.team)
    except AssignmentError as exc:
        db.rollback()
        raise _fail(exc) from None
    db.commit()
    return _user_view(found)
