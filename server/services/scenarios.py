"""Scenario cards for an organisation: the built-in ones (scenarios/) plus those its trainers uploaded.

`public_view` is all a rep may see before and during the call: the situation and the goal, the customer's
public face — never the hidden facts, concerns or commitments.

An uploaded card is at most `MAX_CARD_BYTES`, is read without anchors or aliases (customer.cards.load_yaml:
no "alias bomb"), may hold no NUL character, and a refusal quotes at most a few words of it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from customer.cards import Card, CardError, load_scenarios, load_yaml, parse_card
from server.db.models import Organization, ScenarioCard, User
from server.services.inputs import NUL_MESSAGE, clip, has_nul

MAX_CARD_BYTES = 64 * 1024  # the built-in cards are under 10 KB
UPLOAD = "上传的卡片"


@lru_cache(maxsize=1)
def builtin_cards() -> dict[str, Card]:
    return load_scenarios()


def cards_for(db: Session, *, org: Organization) -> dict[str, Card]:
    cards = dict(builtin_cards())
    for row in db.scalars(
        select(ScenarioCard).where(ScenarioCard.org_id == org.id).order_by(ScenarioCard.created_at)
    ):
        if (card := _stored_card(row)) is not None:
            cards[row.card_id] = card
    return cards


def get_card_for(db: Session, *, org: Organization, card_id: str) -> Card | None:
    if card_id in builtin_cards():
        return builtin_cards()[card_id]
    row = db.scalar(
        select(ScenarioCard).where(ScenarioCard.org_id == org.id, ScenarioCard.card_id == card_id)
    )
    return _stored_card(row) if row is not None else None


def _stored_card(row: ScenarioCard) -> Card | None:
    """An uploaded card as stored; None when it no longer passes (the schema moved on, or it was stored
    before anchors, aliases and NUL characters were refused)."""
    try:
        data = load_yaml(row.yaml_text)
        return None if has_nul(data) else parse_card(data, row.card_id)
    except (CardError, yaml.YAMLError):
        return None


def parse_upload(yaml_text: str) -> Card:
    """Validate an uploaded card; CardError (one line naming the field, clipped) when it is not usable."""
    if len(yaml_text.encode()) > MAX_CARD_BYTES:
        raise CardError(f"{UPLOAD}: 文件过大(上限 {MAX_CARD_BYTES // 1024} KB)")
    if has_nul(yaml_text):
        raise CardError(f"{UPLOAD}: {NUL_MESSAGE}")
    try:
        data = load_yaml(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"(第 {mark.line + 1} 行)" if mark is not None else ""
        raise CardError(
            clip(f"{UPLOAD}: YAML 语法错误{line}: {getattr(exc, 'problem', None) or exc}")
        ) from None
    if has_nul(data):  # written as an escape ("\0", "\x00") in a quoted string
        raise CardError(f"{UPLOAD}: {NUL_MESSAGE}")
    try:
        return parse_card(data, UPLOAD)
    except CardError as exc:
        raise CardError(clip(str(exc))) from None


def save_card(db: Session, *, org: Organization, user: User | None, yaml_text: str) -> Card:
    card = parse_upload(yaml_text)
    if card.id in builtin_cards():
        raise CardError(f"{UPLOAD}: id: {card.id} 与内置场景重名,请换一个 id")
    row = db.scalar(
        select(ScenarioCard).where(ScenarioCard.org_id == org.id, ScenarioCard.card_id == card.id)
    )
    if row is None:
        db.add(
            ScenarioCard(
                org_id=org.id, card_id=card.id, yaml_text=yaml_text, created_by=user.id if user else None
            )
        )
    else:
        row.yaml_text = yaml_text
    db.flush()
    return card


def public_view(card: Card, *, builtin: bool = True) -> dict[str, Any]:
    c = card.customer
    return {
        "id": card.id,
        "title": card.title,
        "mode": card.mode,
        "industry": card.industry,
        "product": card.product,
        "background": card.background,
        "goal": card.goal,
        "builtin": builtin,
        "difficulty": card.difficulty,
        "customer": {
            "name": c.name,
            "role": c.role,
            "organisation": c.organisation,
            "temperament": c.temperament,
            "time_pressure": c.time_pressure,
        },
    }
