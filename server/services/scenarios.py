"""Scenario cards for an organisation: the built-in ones (scenarios/) plus those its trainers uploaded.

`public_view` is all a rep may see before and during the call: the situation and the goal, the customer's
public face — never the hidden facts, concerns or commitments.

An uploaded card is at most `MAX_CARD_BYTES`, is read without anchors or aliases (customer.cards.load_yaml:
no "alias bomb"), may hold no NUL character, and a refusal quotes at most a few words of it.

Versions: a session records the card it was played on (`remember_version`: the hash of the card's canonical
text, the text kept in `card_versions`), so it resumes and re-renders on that card after an edit; a retired
card leaves the picker (`cards_for`) and can no longer be started, but its old sessions keep working.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from customer.cards import Card, CardError, load_scenarios, load_yaml, parse_card, yaml_problem
from peilian.errors import Conflict, NotFound
from server.db.models import CardVersion, Organization, PracticeSession, ScenarioCard, User, utcnow
from server.services.inputs import NUL_MESSAGE, clip, has_nul

MAX_CARD_BYTES = 64 * 1024  # the built-in cards are under 10 KB
UPLOAD = "上传的卡片"
REAL_CALL_ID = "real-call"  # the scenario id of a real call's session (services/realcalls.py); no card has it
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@lru_cache(maxsize=1)
def builtin_cards() -> dict[str, Card]:
    return load_scenarios()


def cards_for(db: Session, *, org: Organization, include_retired: bool = False) -> dict[str, Card]:
    """The built-in cards and the organisation's own; retired ones only with `include_retired`."""
    cards = dict(builtin_cards())
    query = select(ScenarioCard).where(ScenarioCard.org_id == org.id).order_by(ScenarioCard.created_at)
    if not include_retired:
        query = query.where(ScenarioCard.retired_at.is_(None))
    for row in db.scalars(query):
        if (card := _stored_card(row)) is not None:
            cards[row.card_id] = card
    return cards


def get_card_for(
    db: Session, *, org: Organization, card_id: str, include_retired: bool = False
) -> Card | None:
    """The card to start a session on (a retired one only with `include_retired`)."""
    if card_id in builtin_cards():
        return builtin_cards()[card_id]
    row = stored_row(db, org=org, card_id=card_id)
    if row is None or (row.retired_at is not None and not include_retired):
        return None
    return _stored_card(row)


def stored_row(db: Session, *, org: Organization, card_id: str) -> ScenarioCard | None:
    return db.scalar(
        select(ScenarioCard).where(ScenarioCard.org_id == org.id, ScenarioCard.card_id == card_id)
    )


# -- versions ---------------------------------------------------------------------------------------------
def canonical_text(card: Card) -> str:
    """The card as plain YAML of its validated fields (defaults filled in): what a version hash covers."""
    return yaml.dump(
        card.model_dump(mode="json"), Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=1000
    )


def remember_version(db: Session, card: Card) -> str:
    """The hash of this card's version, its text stored once in `card_versions` (safe under a race)."""
    text = canonical_text(card)
    digest = hashlib.sha256(text.encode()).hexdigest()
    if db.get(CardVersion, digest) is None:
        try:
            with db.begin_nested():
                db.add(CardVersion(content_hash=digest, card_id=card.id, yaml_text=text))
        except IntegrityError:  # another request stored the same version first
            pass
    return digest


@lru_cache(maxsize=256)
def _version_card(digest: str, text: str) -> Card | None:
    try:
        return parse_card(load_yaml(text), digest[:12])
    except (CardError, yaml.YAMLError):
        return None  # the schema moved on since this version was stored


def card_of_version(db: Session, digest: str) -> Card | None:
    row = db.get(CardVersion, digest)
    return _version_card(digest, row.yaml_text) if row is not None else None


def card_for_session(db: Session, session: PracticeSession) -> Card | None:
    """The card a session was played on: its recorded version, else (older sessions) the card as it is now."""
    if session.card_hash and (card := card_of_version(db, session.card_hash)) is not None:
        return card
    org = db.get(Organization, session.org_id)
    if org is None or session.real_call:
        return None
    return get_card_for(db, org=org, card_id=session.scenario_id, include_retired=True)


class UnknownCardError(NotFound, CardError):
    """No card of the organisation has this id (NotFound first: its status is 404)."""


class BuiltinCardError(Conflict, CardError):
    """A built-in card cannot be changed, only cloned."""


def set_retired(db: Session, *, org: Organization, card_id: str, retired: bool) -> ScenarioCard:
    """Retire (or bring back) one of the organisation's cards; built-in cards cannot be retired."""
    row = stored_row(db, org=org, card_id=card_id)
    if row is None:
        if card_id in builtin_cards():
            raise BuiltinCardError("内置场景不能停用")
        raise UnknownCardError(f"未知场景:{card_id[:60]}")
    row.retired_at = utcnow() if retired else None
    db.flush()
    return row


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
        number, problem = yaml_problem(exc)
        line = f"(第 {number} 行)" if number is not None else ""
        raise CardError(clip(f"{UPLOAD}: YAML 语法错误{line}: {problem}"), [("YAML", problem)]) from None
    if has_nul(data):  # written as an escape ("\0", "\x00") in a quoted string
        raise CardError(f"{UPLOAD}: {NUL_MESSAGE}")
    try:
        return parse_card(data, UPLOAD)
    except CardError as exc:
        raise CardError(clip(str(exc)), exc.problems) from None


def save_card(
    db: Session, *, org: Organization, user: User | None, yaml_text: str, card: Card | None = None
) -> Card:
    """Store an uploaded card (a new one, or a new version of the organisation's card with that id);
    `card` when the caller validated the text already."""
    card = card or parse_upload(yaml_text)
    if card.id in builtin_cards() or card.id == REAL_CALL_ID:
        raise CardError(f"{UPLOAD}: id: {card.id} 与内置场景重名,请换一个 id")
    row = stored_row(db, org=org, card_id=card.id)
    if row is None:
        db.add(
            ScenarioCard(
                org_id=org.id, card_id=card.id, yaml_text=yaml_text, created_by=user.id if user else None
            )
        )
    elif row.yaml_text != yaml_text:
        row.yaml_text = yaml_text
        row.version = (row.version or 1) + 1
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
