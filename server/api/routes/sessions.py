"""Practice sessions: start one on a scenario, talk (the customer's reply streams as Server-Sent Events when
asked with `Accept: text/event-stream`), stay silent, end it, and read its transcript and scorecard.

Who sees what: a rep only their own sessions, a trainer or admin their organisation's, an API key its
organisation's. A session outside that answers 404, exactly like one that does not exist. Only the rep whose
session it is (or the LMS that started it, by its API key) talks in it and ends it; a trainer or admin who
sees it may read and review it, and gets 403 for the rest.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from server.api.errors import READ, WRITE, ApiError, api_error, error_responses
from server.api.schemas import MAX_OFFSET, IsoDate, LearnerIn, MessageIn, ScorecardOut, SilenceIn, StartIn
from server.db.models import PracticeSession, User
from server.deps import CurrentPrincipal, Db, Principal, State, release_db
from server.services import accounts, exams, listing, scenarios
from server.services import sessions as sessions_service
from server.services.practice import PracticeError, TurnResult
from server.services.scores import effective_scores, scorecard_view
from server.services.views import message_view, session_view, transcript_of

router = APIRouter(prefix="/sessions", tags=["sessions"])


def visible_session(db: Db, principal: Principal, session_id: str) -> PracticeSession:
    return sessions_service.visible_session(
        db, org_id=principal.org.id, viewer_id=principal.viewer_id, session_id=session_id
    )


def _check_speaker(db: Db, principal: Principal, session_id: str) -> None:
    """The caller may talk in (and end) this session: it is visible and theirs, or their API key's organisation
    started it. Called in a worker thread (database work never runs on the event loop); the request's database
    session is closed after it, the turn opens its own."""
    session = visible_session(db, principal, session_id)
    if principal.user is not None and session.user_id != principal.user.id:
        raise ApiError(
            403, "not_your_session", "只有进行对练的销售本人可以发言或结束会话;培训师可以查看与点评"
        )
    release_db(db)


def _learner(db: Db, principal: Principal, learner: LearnerIn | None) -> User:
    if principal.user is not None:
        if learner is not None:
            raise ApiError(422, "invalid_request", "learner 只能由 API 密钥(LMS)指定")
        return principal.user
    if learner is None:
        raise ApiError(422, "invalid_request", "用 API 密钥开始对练时必须提供 learner(学员在 LMS 中的 id)")
    user = accounts.get_or_create_external_user(
        db, org=principal.org, external_id=learner.id, display_name=learner.name or learner.id
    )
    if not user.active:  # an admin disabled this learner: no new sessions (their history stays)
        raise ApiError(403, "user_disabled", "这位学员的账号已被管理员停用")
    return user


@router.post("", summary="开始一次对练", status_code=201, responses=error_responses(*WRITE, 404))
def start_session(body: StartIn, principal: CurrentPrincipal, db: Db, state: State) -> dict[str, Any]:
    card = scenarios.get_card_for(db, org=principal.org, card_id=body.scenario_id)
    if card is None:
        raise ApiError(404, "not_found", f"未知场景:{body.scenario_id}")
    if body.voice == "llm" and not state.settings.llm_configured:
        raise ApiError(422, "llm_not_configured", "服务器未配置 LLM(OPENAI_API_KEY 与 PEILIAN_LLM_MODEL)")
    user = _learner(db, principal, body.learner)
    session = state.practice.start(
        db,
        user=user,
        card=card,
        voice=body.voice,
        seed=body.seed,
        via="api" if principal.api_key else "web",
        difficulty=body.difficulty,
    )
    return session_view(session, effective_scores(db, session), messages=True)


@router.get("", summary="会话列表(按权限过滤;分数为培训师调整后的生效分)", responses=error_responses(*READ))
def list_sessions(
    principal: CurrentPrincipal,
    db: Db,
    rep: Annotated[str | None, Query(description="销售的用户名")] = None,
    scenario: Annotated[str | None, Query(description="场景 id")] = None,
    status: Annotated[str | None, Query(pattern="^(active|ended)$")] = None,
    since: Annotated[IsoDate | None, Query(description="开始日期(含),YYYY-MM-DD")] = None,
    until: Annotated[IsoDate | None, Query(description="结束日期(含),YYYY-MM-DD")] = None,
    min_score: Annotated[int | None, Query(ge=0, le=100)] = None,
    max_score: Annotated[int | None, Query(ge=0, le=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    filters = listing.SessionFilters(
        rep=rep,
        scenario=scenario,
        status=status,
        since=since,
        until=until,
        min_score=min_score,
        max_score=max_score,
    )
    return sessions_service.list_visible(
        db,
        org_id=principal.org.id,
        viewer_id=principal.viewer_id,
        filters=filters,
        limit=limit,
        offset=offset,
    )


@router.get("/{session_id}", summary="一次对练的状态与全部消息", responses=error_responses(*READ, 404))
def get_session(session_id: str, principal: CurrentPrincipal, db: Db) -> dict[str, Any]:
    session = visible_session(db, principal, session_id)
    return session_view(session, effective_scores(db, session), messages=True)


@router.get(
    "/{session_id}/transcript",
    summary="对话记录(CONTRACT §3 格式,含服务器时间)",
    responses=error_responses(*READ, 404),
)
def get_transcript(session_id: str, principal: CurrentPrincipal, db: Db) -> dict[str, Any]:
    return transcript_of(visible_session(db, principal, session_id))


@router.get(
    "/{session_id}/scorecard",
    summary="评分卡(对练结束后;scores 为生效分,original_scores 为原始分)",
    response_model=ScorecardOut,
    responses=error_responses(*READ, 404, 409),
)
def get_scorecard(session_id: str, principal: CurrentPrincipal, db: Db, state: State) -> dict[str, Any]:
    session = visible_session(db, principal, session_id)
    return sessions_service.scorecard_of(db, org=principal.org, session=session, viewer=principal.user)


@router.post(
    "/{session_id}/messages",
    summary="销售发言;客户的回复可用 SSE 流式返回(只有销售本人)",
    responses=error_responses(*WRITE, 404, 409),
)
async def post_message(
    session_id: str, body: MessageIn, request: Request, principal: CurrentPrincipal, db: Db, state: State
) -> Any:
    coach = {"on": True}

    def run(on_chunk: Callable[[str], None], on_stored: Callable[[Any], None]) -> TurnResult:
        _check_speaker(db, principal, session_id)  # in the same worker thread as the turn: one hop
        coach["on"] = _coached(db, session_id)
        return state.practice.rep_message(
            session_id,
            text=body.text,
            typing_started_at=body.typing_started_at,
            sent_at=body.sent_at,
            client_now=body.client_now,
            on_chunk=on_chunk,
            on_stored=on_stored,
        )

    return await _turn(request, run, coach)


@router.post(
    "/{session_id}/silence",
    summary="销售保持沉默 N 秒(黄金静默);客户可能继续说(只有销售本人)",
    responses=error_responses(*WRITE, 404, 409),
)
async def post_silence(
    session_id: str, body: SilenceIn, request: Request, principal: CurrentPrincipal, db: Db, state: State
) -> Any:
    coach = {"on": True}

    def run(on_chunk: Callable[[str], None], on_stored: Callable[[Any], None]) -> TurnResult:
        _check_speaker(db, principal, session_id)
        coach["on"] = _coached(db, session_id)
        return state.practice.silence(
            session_id, seconds=body.seconds, on_chunk=on_chunk, on_checked=on_stored
        )

    return await _turn(request, run, coach)


@router.post(
    "/{session_id}/end",
    summary="结束对练并生成评分卡(只有销售本人)",
    responses=error_responses(*WRITE, 404, 409),
)
async def end_session(session_id: str, principal: CurrentPrincipal, db: Db, state: State) -> dict[str, Any]:
    def run() -> PracticeSession:
        _check_speaker(db, principal, session_id)
        return state.practice.end(session_id)

    try:
        session = await run_in_threadpool(run)
    except PracticeError as exc:
        raise api_error(exc) from None

    def view() -> dict[str, Any]:
        scores = effective_scores(db, session)
        return {
            **session_view(session, scores),
            "scorecard": scorecard_view(session.scorecard, scores) if session.scorecard else None,
        }

    return await run_in_threadpool(view)


def _coached(db: Db, session_id: str) -> bool:
    """Coach labels and live meters are shown, except in an exam (考核: services/exams.py)."""
    session = db.get(PracticeSession, session_id)
    return session is None or not exams.is_exam(db, session)


def _rep_view(message: Any, coach: bool) -> dict[str, Any]:
    view = message_view(message)
    if not coach:
        view["act"] = None  # an exam shows no coach label
    return view


def _result_view(result: TurnResult, coach: bool = True) -> dict[str, Any]:
    state = result.state
    if not coach:  # no live meters in an exam: the turn and what was revealed only
        state = {k: v for k, v in result.state.items() if k in ("turn", "earned", "ended")}
    return {
        "rep": _rep_view(result.rep, coach) if result.rep else None,
        "reply": message_view(result.reply) if result.reply else None,
        "revealed": result.revealed,
        "state": state,
        "ended": result.ended,
    }


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _turn(request: Request, run: Callable[..., TurnResult], coach: dict[str, bool]) -> Any:
    """Run a turn in a worker thread. Errors before the rep's message is stored answer as JSON 4xx; after
    that the reply either comes back whole (JSON) or streams (`Accept: text/event-stream`)."""
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue[str | None] = asyncio.Queue()
    stored: asyncio.Future[Any] = loop.create_future()

    def on_chunk(chunk: str) -> None:
        loop.call_soon_threadsafe(chunks.put_nowait, chunk)

    def on_stored(message: Any) -> None:
        loop.call_soon_threadsafe(lambda: stored.done() or stored.set_result(message))

    task = asyncio.ensure_future(run_in_threadpool(run, on_chunk, on_stored))
    await asyncio.wait({task, stored}, return_when=asyncio.FIRST_COMPLETED)
    if task.done() and task.exception() is not None:
        exc = task.exception()
        if isinstance(exc, PracticeError):
            raise api_error(exc) from None
        raise exc  # type: ignore[misc]
    if "text/event-stream" not in request.headers.get("accept", ""):
        try:
            return _result_view(await task, coach["on"])
        except PracticeError as exc:
            raise api_error(exc) from None

    async def events() -> AsyncIterator[str]:
        rep = await stored
        if rep is not None:
            yield _sse("rep", _rep_view(rep, coach["on"]))
        task.add_done_callback(lambda _: loop.call_soon_threadsafe(chunks.put_nowait, None))
        while (chunk := await chunks.get()) is not None:
            yield _sse("delta", {"text": chunk})
        try:
            yield _sse("reply", _result_view(task.result(), coach["on"]))
        except PracticeError as exc:
            yield _sse("error", {"code": exc.code, "message": str(exc)})
        except Exception:  # noqa: BLE001 - the stream has started: report, do not crash the connection
            yield _sse("error", {"code": "internal_error", "message": "生成回复时出错,请重试"})

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
