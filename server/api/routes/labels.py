"""Trainers correct the dialogue act of a rep message; the organisation's current corrections export as
JSON Lines (CONTRACT §1 plus provenance) for the classifier's regression tests. See docs/labels.md."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from server.api.errors import READ, WRITE, ApiError, api_error, error_responses
from server.api.routes.sessions import visible_session
from server.api.schemas import LabelIn
from server.db.models import User
from server.deps import CurrentPrincipal, Db, Principal, Staff
from server.services import labels

router = APIRouter(tags=["labels"])
JSONL = "application/x-ndjson; charset=utf-8"


def _trainer(principal: Principal) -> User:
    if principal.user is None or principal.user.role not in labels.CORRECTORS:
        raise ApiError(403, "forbidden", "更正标签需要培训师或管理员账号登录(API 密钥不行)")
    return principal.user


@router.post(
    "/sessions/{session_id}/labels",
    summary="培训师更正一条销售消息的对话行为标签",
    status_code=201,
    responses=error_responses(*WRITE, 404),
)
def post_label(session_id: str, body: LabelIn, principal: Staff, db: Db) -> dict[str, Any]:
    trainer = _trainer(principal)
    session = visible_session(db, principal, session_id)
    try:
        row = labels.correct_label(
            db,
            session=session,
            trainer=trainer,
            message_seq=body.message_seq,
            act=body.act,
            focus=body.focus,
            form=body.form,
            elements=body.elements,
        )
    except labels.LabelError as exc:
        raise api_error(exc) from None
    db.commit()
    return labels.correction_view(row, trainer)


@router.get(
    "/sessions/{session_id}/labels",
    summary="会话的标签更正(全部历史,current 标出生效的一条)",
    responses=error_responses(*READ, 404),
)
def get_labels(session_id: str, principal: CurrentPrincipal, db: Db) -> list[dict[str, Any]]:
    return labels.session_corrections(db, session=visible_session(db, principal, session_id))


@router.get(
    "/labels/export",
    summary="导出本组织当前生效的标签更正(JSON Lines)",
    response_class=Response,
    responses={200: {"content": {"application/x-ndjson": {}}}, **error_responses(*READ, 403)},
)
def export_labels(principal: Staff, db: Db) -> Response:
    _trainer(principal)
    lines = labels.export_lines(db, org_id=principal.org.id)
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    return Response(
        body,
        media_type=JSONL,
        headers={"Content-Disposition": f'attachment; filename="peilian-labels-{principal.org.slug}.jsonl"'},
    )
