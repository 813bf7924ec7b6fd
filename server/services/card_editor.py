"""The card editor behind the trainers' pages: a commented template, clone and edit texts, and a check that
lists every problem of a card at once, each with its line number (YAML syntax errors too, in Chinese).

    checked = check_text(text, editing=None)     # Checked(card or None, problems)
    card = save_text(db, org=org, user=user, text=text, editing="my-card")   # CardError when not valid

The upload's safety rules hold here as well (services/scenarios.py): the size cap, no anchors or aliases,
no NUL; a problem quotes at most a few characters of the card. A line is found from the field path on the
YAML node tree (`yaml.compose`, run only once the text has loaded without aliases): the key's line, or for a
missing field the line of the mapping that lacks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from customer.cards import SCENARIOS_DIR, Card, card_problems, load_yaml, yaml_problem
from server.db.models import Organization, User
from server.services import scenarios
from server.services.inputs import NUL_MESSAGE, clip, has_nul

TEMPLATE_PATH = Path(__file__).resolve().parent / "templates" / "card_template.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_ID_LINE = re.compile(r"^id:[ \t]*\S+", re.MULTILINE)


@dataclass(frozen=True)
class Problem:
    line: int | None
    field: str
    message: str

    def text(self) -> str:
        where = f"第 {self.line} 行 · " if self.line is not None else ""
        return f"{where}{self.field}: {self.message}" if self.field else f"{where}{self.message}"


@dataclass(frozen=True)
class Checked:
    card: Card | None
    problems: list[Problem]

    def summary(self) -> str:
        """One line for a CardError: the first problem and how many more."""
        if not self.problems:
            return ""
        more = f"(另有 {len(self.problems) - 1} 处错误)" if len(self.problems) > 1 else ""
        return clip(f"{scenarios.UPLOAD}: {self.problems[0].text()}{more}")


def template_text() -> str:
    return TEMPLATE_PATH.read_text(encoding="utf-8")


def _parts(path: str) -> list[str | int]:
    return [int(m.group(1)) if m.group(1) is not None else m.group(2) for m in _PART.finditer(path)]


def line_of(root: yaml.Node | None, path: str) -> int | None:
    """The line (from 1) of the field at `path` ("hidden.needs[0].id"), or of its nearest existing parent."""
    if root is None:
        return 1
    node, line = root, root.start_mark.line + 1
    for part in _parts(path):
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            found = next((kv for kv in node.value if getattr(kv[0], "value", None) == part), None)
            if found is None:
                return line
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def check_text(text: str, *, editing: str | None = None, taken: set[str] | None = None) -> Checked:
    """Every problem of a card's YAML text. `editing`: the id of the card being edited (the id may not
    change); `taken`: ids a new card may not use (the organisation's and the built-in ones)."""
    if len(text.encode()) > scenarios.MAX_CARD_BYTES:
        return Checked(None, [Problem(None, "", f"文件过大(上限 {scenarios.MAX_CARD_BYTES // 1024} KB)")])
    if has_nul(text):
        line = text[: text.index("\x00")].count("\n") + 1
        return Checked(None, [Problem(line, "", NUL_MESSAGE)])
    if not text.strip():
        return Checked(None, [Problem(None, "", "卡片是空的:请从模板开始,或粘贴 YAML 文本")])
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        number, problem = yaml_problem(exc)
        return Checked(None, [Problem(number, "YAML 语法错误", problem)])
    if has_nul(data):
        return Checked(None, [Problem(None, "", NUL_MESSAGE)])
    root = yaml.compose(text, Loader=_LOADER)  # no alias left: load_yaml refused them
    found = [Problem(line_of(root, where), where, clip(what)) for where, what in card_problems(data)]
    card = None if found else Card.model_validate(data)
    if card is not None:
        id_line = line_of(root, "id")
        if editing is not None and card.id != editing:
            found.append(Problem(id_line, "id", f"编辑时不能修改 id(原为 {editing});要新建请用「复制」"))
        elif editing is None and (card.id in (taken or set()) or card.id == scenarios.REAL_CALL_ID):
            found.append(Problem(id_line, "id", f"已有 id 为 {card.id} 的场景,请换一个 id"))
    found.sort(key=lambda p: (p.line is None, p.line or 0))
    return Checked(None if found else card, found)


def taken_ids(db: Session, *, org: Organization) -> set[str]:
    return set(scenarios.cards_for(db, org=org, include_retired=True)) | set(scenarios.builtin_cards())


def save_text(
    db: Session, *, org: Organization, user: User | None, text: str, editing: str | None
) -> tuple[Card | None, Checked]:
    """Store a new card (`editing` None) or a new version of one; nothing is stored when there are problems."""
    if editing is not None and scenarios.stored_row(db, org=org, card_id=editing) is None:
        problem = (
            "内置场景不能直接修改,请先复制" if editing in scenarios.builtin_cards() else "找不到这张卡片"
        )
        return None, Checked(None, [Problem(None, "", problem)])
    checked = check_text(text, editing=editing, taken=taken_ids(db, org=org) if editing is None else None)
    if checked.card is None:
        return None, checked
    card = scenarios.save_card(db, org=org, user=user, yaml_text=text, card=checked.card)
    return card, checked


def source_text(db: Session, *, org: Organization, card_id: str) -> str | None:
    """The YAML a card was written in: the built-in file, or the text the trainer saved."""
    if card_id in scenarios.builtin_cards():
        return (SCENARIOS_DIR / f"{card_id}.yaml").read_text(encoding="utf-8")
    row = scenarios.stored_row(db, org=org, card_id=card_id)
    return row.yaml_text if row is not None else None


def clone_text(db: Session, *, org: Organization, card_id: str) -> str | None:
    """A copy of a card's text under a free id (`<id>-copy`, `<id>-copy-2`…), comments kept."""
    text = source_text(db, org=org, card_id=card_id)
    if text is None:
        return None
    taken = taken_ids(db, org=org)
    new_id, n = f"{card_id}-copy", 2
    while new_id in taken:
        new_id, n = f"{card_id}-copy-{n}", n + 1
    return _ID_LINE.sub(f"id: {new_id}", text, count=1)


def preview(card: Card) -> dict[str, Any]:
    """The public side the rep will see, and for the trainer the hidden MEN facts, concerns, commitments."""
    groups = (("期望", card.hidden.expectations), ("需求", card.hidden.needs), ("动机", card.hidden.motives))
    return {
        "public": scenarios.public_view(card, builtin=False),
        "greeting": list(card.customer.greeting),
        "groups": [
            {"label": label, "facts": [_fact(f) for f in facts]}
            for label, facts in (*groups, ("流程", card.hidden.process))
            if facts
        ],
        "concerns": [{"id": c.id, "level": c.level, "text": c.text} for c in card.concerns],
        "commitments": {"highest": card.commitments.highest.action, "lowest": card.commitments.lowest.action},
        "max_turns": card.max_turns,
    }


def _fact(fact: Any) -> dict[str, Any]:
    return {
        "id": fact.id,
        "kind": fact.kind,
        "text": fact.text,
        "say": fact.say[0] if fact.say else "",
        "keywords": list(fact.reveal.keywords),
        "requires": list(fact.reveal.requires),
    }
