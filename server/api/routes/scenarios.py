"""Scenario cards: list and read their public side; trainers upload new ones (validated on the way in)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body

from customer.cards import CardError
from server.api.errors import READ, WRITE, ApiError, error_responses
from server.deps import CurrentPrincipal, Db, Staff
from server.services import card_editor, scenarios

router = APIRouter(prefix="/scenarios", tags=["scenarios"])

CARD_EXAMPLE = "id: my-visit\ntitle: …\nmode: visit\n# 见 docs/scenarios.md"


@router.get("", summary="可用的场景(不含隐藏信息)", responses=error_responses(*READ))
def list_scenarios(principal: CurrentPrincipal, db: Db) -> list[dict[str, Any]]:
    builtin = scenarios.builtin_cards()
    return [
        scenarios.public_view(c, builtin=c.id in builtin)
        for c in scenarios.cards_for(db, org=principal.org).values()
    ]


@router.get("/{card_id}", summary="一个场景的公开信息", responses=error_responses(*READ, 404))
def get_scenario(card_id: str, principal: CurrentPrincipal, db: Db) -> dict[str, Any]:
    card = scenarios.get_card_for(db, org=principal.org, card_id=card_id)
    if card is None:
        raise ApiError(404, "not_found", f"未知场景:{card_id}")
    return scenarios.public_view(card, builtin=card_id in scenarios.builtin_cards())


@router.post(
    "",
    summary="上传场景卡片(YAML 文本,培训师;上限 64 KB,不允许锚点与别名)",
    status_code=201,
    responses=error_responses(*WRITE),
)
def upload_scenario(
    principal: Staff,
    db: Db,
    yaml_text: str = Body(..., media_type="application/yaml", examples=[CARD_EXAMPLE]),
) -> dict[str, Any]:
    try:
        card = scenarios.save_card(db, org=principal.org, user=principal.user, yaml_text=yaml_text)
    except CardError as exc:
        raise ApiError(422, "invalid_card", str(exc)) from None
    db.commit()
    return scenarios.public_view(card, builtin=False)


@router.post(
    "/check",
    summary="检查一张卡片(不保存):列出每一处错误及其行号(培训师)",
    responses=error_responses(*WRITE),
)
def check_scenario(
    principal: Staff,
    db: Db,
    yaml_text: str = Body(..., media_type="application/yaml", examples=[CARD_EXAMPLE]),
) -> dict[str, Any]:
    """`valid`, every problem as {line, field, message} (line null when it has none), and the card's public
    side when it is valid. A new card's id may not clash with one of the organisation's or a built-in one."""
    checked = card_editor.check_text(yaml_text, taken=card_editor.taken_ids(db, org=principal.org))
    return {
        "valid": checked.card is not None,
        "problems": [{"line": p.line, "field": p.field, "message": p.message} for p in checked.problems],
        "card": scenarios.public_view(checked.card, builtin=False) if checked.card else None,
    }
