"""Real calls: score the transcript of a call with a real customer and store it as a session marked
`real_call` (server/services/realcalls.py). The transcript is the plain text of CONTRACT §3 (销售：/客户：
lines, optional [mm:ss-mm:ss] times) or a JSON transcript (docs/scoring.md) as a string or an object."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import Field

from server.api.errors import WRITE, ApiError, error_responses
from server.api.routes.sessions import _learner, get_scorecard
from server.api.schemas import LearnerIn, ScorecardOut, Strict
from server.deps import CurrentPrincipal, Db, State
from server.services import realcalls

router = APIRouter(prefix="/calls", tags=["calls"])


class CallIn(Strict):
    mode: Literal["appointment", "visit"] = Field(description="appointment 约访电话 / visit 拜访")
    transcript: str | dict[str, Any] = Field(
        description="纯文本(销售：/客户： 每行一句,可带 [mm:ss-mm:ss])或 JSON 对话记录",
        examples=["[00:00-00:04] 销售：王主任您好，我是华声的李明。\n[00:05-00:06] 客户：什么事？"],
    )
    title: str = Field(default="", max_length=realcalls.MAX_TITLE_CHARS, examples=["12 月 1 日 约访王主任"])
    learner: LearnerIn | None = Field(default=None, description="只用于 API 密钥:这通电话属于哪位学员")


@router.post(
    "",
    summary="为一通真实通话评分并保存(标记为真实通话)",
    status_code=201,
    response_model=ScorecardOut,
    responses=error_responses(*WRITE),
)
def upload_call(body: CallIn, principal: CurrentPrincipal, db: Db, state: State) -> dict[str, Any]:
    user = _learner(db, principal, body.learner)
    text = (
        body.transcript
        if isinstance(body.transcript, str)
        else json.dumps(body.transcript, ensure_ascii=False)
    )
    try:
        session = realcalls.score_call(
            db, user=user, text=text, mode=body.mode, title=body.title, via="web" if principal.user else "api"
        )
    except realcalls.RealCallError as exc:
        db.rollback()
        raise ApiError(422, "invalid_transcript", str(exc)) from None
    db.commit()
    return {**get_scorecard(session.id, principal, db, state), "real_call": realcalls.real_call_view(session)}
