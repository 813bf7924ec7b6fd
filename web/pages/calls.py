"""Real calls: a rep or trainer pastes or uploads a call's transcript (JSON or 销售：/客户： lines), chooses
约访 or 拜访, and lands on its scorecard (the session pages, marked 「真实通话」). An unreadable transcript
comes back on the form with the line; nothing is stored (server/services/realcalls.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from server.deps import Db, MaybePrincipal, Principal
from server.services import realcalls
from web.pages.common import FormCaller, denied, form_denied, render

router = APIRouter()


def _page(request: Request, principal: Principal, status_code: int = 200, **extra: Any) -> Response:
    context = {"text": "", "mode": "visit", "title": "", "error": None, **extra}
    return render(request, "call_upload.html", context, principal, status_code=status_code)


@router.get("/calls/new")
def new_call(request: Request, principal: MaybePrincipal) -> Response:
    if (refused := denied(request, principal)) is not None:
        return refused
    assert principal is not None
    return _page(request, principal)


@router.post("/calls")
def upload_call(
    request: Request,
    auth: FormCaller,
    db: Db,
    text: Annotated[str, Form(max_length=realcalls.MAX_CALL_BYTES)] = "",
    mode: Annotated[str, Form(max_length=16)] = "",
    title: Annotated[str, Form(max_length=realcalls.MAX_TITLE_CHARS)] = "",
    call_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if (refused := form_denied(request, auth)) is not None:
        return refused
    principal = auth.principal
    assert principal is not None and principal.user is not None
    form = {"text": text, "mode": mode, "title": title}
    if call_file is not None and call_file.filename:
        try:  # a sync route runs in a worker thread: reading the spooled file here blocks nobody
            text = call_file.file.read(realcalls.MAX_CALL_BYTES + 1).decode("utf-8-sig")
        except UnicodeDecodeError:
            return _page(request, principal, 422, **form, error="上传的文件不是 UTF-8 编码的文本")
    try:
        session = realcalls.score_call(
            db, user=principal.user, text=text.replace("\r\n", "\n"), mode=mode, title=title
        )
    except realcalls.RealCallError as exc:
        db.rollback()
        return _page(request, principal, 422, **{**form, "text": text}, error=str(exc))
    db.commit()
    return RedirectResponse(f"/sessions/{session.id}", status_code=303)
