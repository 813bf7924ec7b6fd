"""The card editor for trainers: start from the template or a copy, edit an uploaded card, preview what the
rep will see (and the hidden MEN facts), save, retire and bring back. Every problem of a card is listed at
once with its line (server/services/card_editor.py); nothing is stored while there is one."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from customer.cards import CardError
from server.api.errors import status_of
from server.deps import Db, MaybePrincipal, Principal
from server.services import card_editor, scenarios
from web.pages.common import FormCaller, denied, error_page, form_denied, render

router = APIRouter()


def card_rows(db: Db, principal: Principal) -> list[dict[str, Any]]:
    """Every card of the organisation for the management list, retired ones included and marked."""
    builtin = scenarios.builtin_cards()
    out = []
    for card in scenarios.cards_for(db, org=principal.org, include_retired=True).values():
        row = None if card.id in builtin else scenarios.stored_row(db, org=principal.org, card_id=card.id)
        out.append(
            {
                **scenarios.public_view(card, builtin=card.id in builtin),
                "version": row.version if row is not None else None,
                "retired": bool(row is not None and row.retired_at is not None),
            }
        )
    return out


def _editor(
    request: Request,
    principal: Principal,
    *,
    text: str,
    editing: str | None,
    checked: card_editor.Checked | None = None,
    status_code: int = 200,
    source: str = "",
) -> Response:
    context = {
        "yaml_text": text,
        "editing": editing,
        "source": source,
        "problems": checked.problems if checked else [],
        "preview": card_editor.preview(checked.card) if checked and checked.card else None,
    }
    return render(request, "card_editor.html", context, principal, status_code=status_code)


@router.get("/desk/scenarios/new")
def new_card(request: Request, principal: MaybePrincipal, db: Db, clone: str = "") -> Response:
    if (refused := denied(request, principal, role="staff")) is not None:
        return refused
    assert principal is not None
    if not clone:
        return _editor(request, principal, text=card_editor.template_text(), editing=None, source="模板")
    text = card_editor.clone_text(db, org=principal.org, card_id=clone[:120])
    if text is None:
        return error_page(request, principal, 404, f"未知场景:{clone[:60]}")
    return _editor(request, principal, text=text, editing=None, source=f"复制自 {clone}")


@router.get("/desk/scenarios/{card_id}/edit")
def edit_card(request: Request, card_id: str, principal: MaybePrincipal, db: Db) -> Response:
    if (refused := denied(request, principal, role="staff")) is not None:
        return refused
    assert principal is not None
    if card_id in scenarios.builtin_cards():
        return RedirectResponse(f"/desk/scenarios/new?clone={quote(card_id)}", status_code=303)
    row = scenarios.stored_row(db, org=principal.org, card_id=card_id)
    if row is None:
        return error_page(request, principal, 404, f"未知场景:{card_id[:60]}")
    return _editor(request, principal, text=row.yaml_text, editing=card_id, source=f"第 {row.version} 版")


@router.get("/desk/scenarios/{card_id}/preview")
def preview_card(request: Request, card_id: str, principal: MaybePrincipal, db: Db) -> Response:
    if (refused := denied(request, principal, role="staff")) is not None:
        return refused
    assert principal is not None
    card = scenarios.get_card_for(db, org=principal.org, card_id=card_id, include_retired=True)
    if card is None:
        return error_page(request, principal, 404, f"未知场景:{card_id[:60]}")
    context = {
        "preview": card_editor.preview(card),
        "card_id": card_id,
        "preview_builtin": card_id in scenarios.builtin_cards(),
    }
    return render(request, "card_preview.html", context, principal)


@router.post("/desk/scenarios/editor")
def submit_card(
    request: Request,
    auth: FormCaller,
    db: Db,
    yaml_text: Annotated[str, Form(max_length=scenarios.MAX_CARD_BYTES)] = "",
    editing: Annotated[str, Form(max_length=120)] = "",
    action: Annotated[str, Form(pattern="^(preview|save)$")] = "preview",
) -> Response:
    """预览 checks the text and shows the card; 保存 stores it when it has no problem."""
    if (refused := form_denied(request, auth, role="staff")) is not None:
        return refused
    principal = auth.principal
    assert principal is not None
    yaml_text = yaml_text.replace("\r\n", "\n")  # a textarea posts CRLF line ends
    target = editing or None
    if action == "preview":
        taken = card_editor.taken_ids(db, org=principal.org) if target is None else None
        checked = card_editor.check_text(yaml_text, editing=target, taken=taken)
        status = 200 if checked.card else 422
        return _editor(
            request, principal, text=yaml_text, editing=target, checked=checked, status_code=status
        )
    card, checked = card_editor.save_text(
        db, org=principal.org, user=principal.user, text=yaml_text, editing=target
    )
    if card is None:
        db.rollback()
        return _editor(request, principal, text=yaml_text, editing=target, checked=checked, status_code=422)
    db.commit()
    return RedirectResponse(f"/desk/scenarios?saved={quote(card.id)}", status_code=303)


def _set_retired(request: Request, card_id: str, auth: FormCaller, db: Db, retired: bool) -> Response:
    if (refused := form_denied(request, auth, role="staff")) is not None:
        return refused
    principal = auth.principal
    assert principal is not None
    try:
        scenarios.set_retired(db, org=principal.org, card_id=card_id, retired=retired)
    except CardError as exc:
        db.rollback()
        return error_page(request, principal, status_of(exc), str(exc))
    db.commit()
    flag = "retired" if retired else "restored"
    return RedirectResponse(f"/desk/scenarios?{flag}={quote(card_id)}", status_code=303)


@router.post("/desk/scenarios/{card_id}/retire")
def retire_card(request: Request, card_id: str, auth: FormCaller, db: Db) -> Response:
    return _set_retired(request, card_id, auth, db, True)


@router.post("/desk/scenarios/{card_id}/restore")
def restore_card(request: Request, card_id: str, auth: FormCaller, db: Db) -> Response:
    return _set_retired(request, card_id, auth, db, False)
