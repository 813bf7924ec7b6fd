"""A trainer's correction of the dialogue act of a rep message (CONTRACT §1), and their export.

A correction stores the label the trainer gives, the message's text as it was and the classifier's label at
the time, with who and when. Correcting the same message again adds a row; the newest row is the current
label of that message, the older ones stay as history. The export gives each message's current correction
as one JSON line in the format of CONTRACT §1 plus its provenance (`source`, `corrected_at`), which is what
tests/evaluators/data/corrections/*.jsonl replays against the classifier.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peilian.errors import Family, Forbidden, Invalid
from server.db.models import LabelCorrection, PracticeSession, User

ACTS = ("exploratory", "control", "confirmation", "extension", "commitment", "pitch", "statement")
FOCUS = ("process", "expectation", "need", "motive")
FORMS = ("plain", "paraphrase", "summary")
ELEMENTS = ("time", "people", "action", "benefit")
CORRECTORS = ("trainer", "admin")


class LabelError(Family, ValueError):
    """Bad input (Invalid) or a refused correction (Forbidden): a stable code and a message for people."""

    code = "label_error"


_Invalid = LabelError.kind(Invalid)


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in allowed:
        shown = value if isinstance(value, str) and value.isprintable() and len(value) <= 32 else "…"
        raise _Invalid(f"{name} 只能是 {' / '.join(allowed)} 之一(收到:{shown})", code=f"invalid_{name}")
    return value


def validate_label(
    act: object, focus: object = None, form: object = None, elements: object = None
) -> dict[str, Any]:
    """The label as CONTRACT §1 has it (fields that do not apply are None), or LabelError (422).

    `focus` is only and always given for exploratory, `form` for confirmation, `elements` (the four booleans
    time/people/action/benefit) for commitment."""
    if act is None or act == "":
        raise _Invalid(f"请选择对话行为 act({' / '.join(ACTS)})", code="invalid_act")
    act = _choice("act", act, ACTS)
    focus = _choice("focus", focus, FOCUS)
    form = _choice("form", form, FORMS)
    if (act == "exploratory") != (focus is not None):
        raise _Invalid(
            "探索类提问(exploratory)必须给出 focus;其他行为不能有 focus"
            if focus is None
            else "只有探索类提问(exploratory)才有 focus",
            code="invalid_focus",
        )
    if (act == "confirmation") != (form is not None):
        raise _Invalid(
            "确认类提问(confirmation)必须给出 form;其他行为不能有 form"
            if form is None
            else "只有确认类提问(confirmation)才有 form",
            code="invalid_form",
        )
    if elements is not None and act != "commitment":
        raise _Invalid("只有索取行动承诺(commitment)才有 elements", code="invalid_elements")
    checked: dict[str, bool] | None = None
    if act == "commitment":
        if (
            not isinstance(elements, dict)
            or set(elements) != set(ELEMENTS)
            or not all(isinstance(v, bool) for v in elements.values())
        ):
            raise _Invalid(
                "索取行动承诺(commitment)必须给出 elements:time / people / action / benefit 四个 true/false",
                code="invalid_elements",
            )
        checked = {k: elements[k] for k in ELEMENTS}
    return {"act": act, "focus": focus, "form": form, "elements": checked}


def classifier_label(meta: dict[str, Any] | None) -> dict[str, Any]:
    meta = meta or {}
    return {k: meta.get(k) for k in ("act", "focus", "form", "elements")}


def correct_label(
    db: Session,
    *,
    session: PracticeSession,
    trainer: User,
    message_seq: int | None,
    act: object,
    focus: object = None,
    form: object = None,
    elements: object = None,
) -> LabelCorrection:
    """Store a correction of message `message_seq` of `session` (which the caller may already see)."""
    if trainer.role not in CORRECTORS or trainer.org_id != session.org_id:
        raise LabelError.kind(Forbidden)("只有本组织的培训师或管理员可以更正标签", code="forbidden")
    if message_seq is None or isinstance(message_seq, bool) or not isinstance(message_seq, int):
        raise _Invalid("请给出要更正的消息序号 message_seq", code="invalid_message")
    message = next((m for m in session.messages if m.seq == message_seq), None)
    if message is None:
        raise _Invalid(f"会话中没有第 {message_seq} 条消息", code="invalid_message")
    if message.speaker != "rep":
        raise _Invalid("只能更正销售发言的标签,客户的话没有对话行为", code="not_rep_message")
    label = validate_label(act, focus, form, elements)
    row = LabelCorrection(
        session_id=session.id,
        message_seq=message_seq,
        text=message.text,
        original=classifier_label(message.meta),
        trainer_id=trainer.id,
        org_id=session.org_id,
        **label,
    )
    db.add(row)
    db.flush()
    return row


def _trainers(db: Session, rows: list[LabelCorrection]) -> dict[str, User]:
    ids = {r.trainer_id for r in rows}
    return {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def correction_view(row: LabelCorrection, trainer: User | None, *, current: bool = True) -> dict[str, Any]:
    return {
        "id": row.id,
        "session_id": row.session_id,
        "message_seq": row.message_seq,
        "text": row.text,
        "label": {"act": row.act, "focus": row.focus, "form": row.form, "elements": row.elements},
        "original": row.original,
        "trainer": {"username": trainer.username, "display_name": trainer.display_name} if trainer else None,
        "created_at": row.created_at.isoformat(),
        "current": current,
    }


def session_corrections(db: Session, *, session: PracticeSession) -> list[dict[str, Any]]:
    """Every correction of the session, oldest first; `current` marks the one in force for each message."""
    rows = list(
        db.scalars(
            select(LabelCorrection)
            .where(LabelCorrection.session_id == session.id)
            .order_by(LabelCorrection.id)
        )
    )
    latest = {r.message_seq: r.id for r in rows}
    trainers = _trainers(db, rows)
    return [
        correction_view(r, trainers.get(r.trainer_id), current=latest[r.message_seq] == r.id) for r in rows
    ]


def current_by_seq(db: Session, *, session: PracticeSession) -> dict[int, dict[str, Any]]:
    """Each corrected message's current correction, with `count` (how many times it was corrected)."""
    every = session_corrections(db, session=session)
    counts = Counter(c["message_seq"] for c in every)
    return {c["message_seq"]: {**c, "count": counts[c["message_seq"]]} for c in every if c["current"]}


def export_line(row: LabelCorrection, trainer: User | None) -> dict[str, Any]:
    """One exported example: CONTRACT §1's label of the text, and who corrected it when."""
    return {
        "id": f"{row.session_id}-{row.message_seq}",
        "text": row.text,
        "act": row.act,
        "focus": row.focus,
        "form": row.form,
        "elements": row.elements,
        "source": f"trainer:{trainer.username if trainer else 'unknown'}",
        "corrected_at": row.created_at.isoformat(),
    }


def export_lines(db: Session, *, org_id: str | None = None) -> list[dict[str, Any]]:
    """The current correction of every corrected message (of one organisation, or of all), oldest first."""
    newest = select(func.max(LabelCorrection.id)).group_by(
        LabelCorrection.session_id, LabelCorrection.message_seq
    )
    if org_id is not None:
        newest = newest.where(LabelCorrection.org_id == org_id)
    rows = list(
        db.scalars(select(LabelCorrection).where(LabelCorrection.id.in_(newest)).order_by(LabelCorrection.id))
    )
    trainers = _trainers(db, rows)
    return [export_line(r, trainers.get(r.trainer_id)) for r in rows]
