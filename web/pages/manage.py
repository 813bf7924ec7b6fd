"""Scenario management: trainers upload a card and see why it was refused. (Administration is in
web/pages/admin.py.)"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from customer.cards import CardError
from server.deps import Db, MaybePrincipal, Principal
from server.services import card_editor, scenarios
from web.pages.cards import card_rows
from web.pages.common import FormCaller, denied, form_denied, render

router = APIRouter()


def _scenarios_page(
    request: Request, principal: Principal, db: Db, status_code: int = 200, **extra: Any
) -> Response:
    context = {
        "cards": card_rows(db, principal),  # retired ones too, marked (web/pages/cards.py)
        "yaml_text": "",
        "error": None,
        "problems": [],
        "saved": request.query_params.get("saved"),
        "retired": request.query_params.get("retired"),
        "restored": request.query_params.get("restored"),
        **extra,
    }
    return render(request, "scenarios.html", context, principal, status_code=status_code)


@router.get("/desk/scenarios")
def scenarios_page(request: Request, principal: MaybePrincipal, db: Db) -> Response:
    if (refused := denied(request, principal, role="staff")) is not None:
        return refused
    assert principal is not None
    return _scenarios_page(request, principal, db)


@router.post("/desk/scenarios")
def upload_scenario(
    request: Request,
    auth: FormCaller,
    db: Db,
    yaml_text: Annotated[str, Form(max_length=scenarios.MAX_CARD_BYTES)] = "",
    card_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if (refused := form_denied(request, auth, role="staff")) is not None:
        return refused
    principal = auth.principal
    assert principal is not None
    if card_file is not None and card_file.filename:
        try:  # a sync route runs in a worker thread: reading the spooled file here blocks nobody
            yaml_text = card_file.file.read(scenarios.MAX_CARD_BYTES + 1).decode("utf-8-sig")
        except UnicodeDecodeError:
            return _scenarios_page(request, principal, db, 422, error="上传的文件不是 UTF-8 编码的文本")
    if not yaml_text.strip():
        return _scenarios_page(
            request, principal, db, 422, error="请粘贴卡片的 YAML 文本,或选择一个 .yaml 文件"
        )
    try:
        card = scenarios.save_card(db, org=principal.org, user=principal.user, yaml_text=yaml_text)
    except CardError as exc:
        db.rollback()
        problems = card_editor.check_text(yaml_text).problems  # every problem, with its line
        return _scenarios_page(
            request, principal, db, 422, yaml_text=yaml_text, error=str(exc), problems=problems
        )
    db.commit()
    return RedirectResponse(f"/desk/scenarios?saved={quote(card.id)}", status_code=303)
