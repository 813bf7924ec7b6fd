"""Real calls: a rep or trainer brings the transcript of a call with a real customer (JSON, docs/scoring.md,
or the plain text of CONTRACT §3 — `销售：`/`客户：` lines, optional `[mm:ss-mm:ss]` times) and gets its
scorecard. It is stored as an ended session marked `real_call` (scenario id `REAL_CALL_ID`), so it shows in
the rep's list and on the trainer's desk and review like a practice call; an unreadable transcript is
refused with the line and nothing is stored.

"再练一次" on its scorecard starts the closest scenario (`closest_card`): a card of the same mode whose
situation — title, industry, product, background, the customer's role and organisation — shares the most
words with the call. A card's words are jieba's words of that text (two characters or more, minus the
words every card has: 客户, 经理, 公司…); the similarity is the share of them that occur in the call, and the
scorecard names the shared words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from customer.cards import Card
from evaluators.classify import classify
from evaluators.plaintext import read_transcript
from evaluators.scorecard import score_transcript
from evaluators.transcript import MODES, Transcript, TranscriptError, parse_transcript
from server.db.models import Message, PracticeSession, User, utcnow
from server.services import scenarios
from server.services.inputs import NUL_MESSAGE, clip, has_nul

MAX_CALL_BYTES = 200 * 1024  # an hour's call is ~30 KB of text; under the request body cap (256 KB)
MAX_TITLE_CHARS = 120
LABEL = "真实通话"
_STOP = frozenset(
    [
        "客户",
        "经理",
        "客户经理",
        "公司",
        "电话",
        "联系",
        "第一次",
        "这是",
        "听说",
        "你们",
        "我们",
        "他们",
        "这个",
        "那个",
        "一个",
        "今年",
        "去年",
        "已经",
        "现在",
        "没有",
        "什么",
        "就是",
        "还是",
        "可以",
        "需要",
        "希望",
        "拿到",
        "那里",
        "情况",
        "问题",
        "系统",
        "项目",
        "负责",
        "方面",
    ]
)


class RealCallError(ValueError):
    """A transcript that cannot be scored; the message is one Chinese line (with the line number)."""


@dataclass(frozen=True)
class Match:
    card: Card
    similarity: float
    shared: list[str]


def card_text(card: Card) -> str:
    c = card.customer
    return " ".join((card.title, card.industry, card.product, card.background, c.role, c.organisation))


@lru_cache(maxsize=512)
def card_words(text: str) -> tuple[str, ...]:
    """The distinct words of a card's situation, in order of first use."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    seen: dict[str, None] = {}
    for word in jieba.cut(text):
        word = word.strip()
        if len(word) >= 2 and word not in _STOP and not word.isascii():
            seen.setdefault(word, None)
    return tuple(seen)


def similarity(call_text: str, card: Card) -> Match:
    words = card_words(card_text(card))
    shared = [w for w in words if w in call_text]
    return Match(card, round(len(shared) / len(words), 3) if words else 0.0, shared)


def closest_card(cards: dict[str, Card], *, mode: str, call_text: str) -> Match | None:
    """The card of this mode most like the call (ties: the first card in the picker's order)."""
    matches = [similarity(call_text, c) for c in cards.values() if c.mode == mode]
    if not matches:
        return None
    return max(matches, key=lambda m: (m.similarity, len(m.shared)))


def read_call(text: str, mode: str) -> Transcript:
    """The transcript of an uploaded call, validated; RealCallError naming the line when it is unreadable."""
    if mode not in MODES:
        raise RealCallError("请选择通话类型:约访 或 拜访")
    if not text.strip():
        raise RealCallError("请粘贴通话记录,或选择一个文件")
    if len(text.encode()) > MAX_CALL_BYTES:
        raise RealCallError(f"通话记录过大(上限 {MAX_CALL_BYTES // 1024} KB)")
    if has_nul(text):
        raise RealCallError(f"通话记录{NUL_MESSAGE}")
    try:
        data = read_transcript(text, mode)
        if has_nul(data):  # a "\u0000" escape in JSON
            raise TranscriptError(f"通话记录{NUL_MESSAGE}")
        transcript = parse_transcript(data)
    except TranscriptError as exc:
        raise RealCallError(clip(f"无法读取通话记录:{exc}")) from None
    if not any(t.speaker == "rep" for t in transcript.turns):
        raise RealCallError("通话记录里没有销售的发言,无法评分")
    return transcript


def score_call(
    db: Session, *, user: User, text: str, mode: str, title: str = "", via: str = "web"
) -> PracticeSession:
    """Score a real call and store it as an ended session of `user` (flushed, not committed)."""
    title = " ".join(title.split())[:MAX_TITLE_CHARS]
    transcript = read_call(text, mode)
    try:
        scorecard = score_transcript(transcript)
    except TranscriptError as exc:
        raise RealCallError(clip(f"无法读取通话记录:{exc}")) from None
    call_text = "\n".join(t.text for t in transcript.turns)
    match = closest_card(scenarios.cards_for(db, org=user.organization), mode=mode, call_text=call_text)
    now = utcnow()
    session = PracticeSession(
        org_id=user.org_id,
        user_id=user.id,
        scenario_id=scenarios.REAL_CALL_ID,
        mode=mode,
        voice="real",
        seed=0,
        status="ended",
        started_at=now,
        last_event_at=now,
        ended_at=now,
        end_reason="real_call",
        scorecard=scorecard,
        overall_score=scorecard["scores"]["overall"],
        created_via=via,
        real_call=True,
        engine_state={
            "real_call": {
                "title": title,
                "closest": match.card.id if match else None,
                "similarity": match.similarity if match else None,
                "shared": match.shared[:12] if match else [],
            }
        },
    )
    db.add(session)
    db.flush()
    for seq, turn in enumerate(transcript.turns):
        db.add(
            Message(
                session_id=session.id,
                seq=seq,
                speaker=turn.speaker,
                text=turn.text,
                t=turn.t,
                end=turn.end,
                revealed=[],
                meta=classify(turn.text).to_dict() if turn.is_rep else {},
            )
        )
    db.flush()
    return session


def real_call_view(session: PracticeSession) -> dict[str, Any] | None:
    """What a real call's scorecard shows above the scores: its title and the closest scenario."""
    if not session.real_call:
        return None
    info = dict((session.engine_state or {}).get("real_call") or {})
    return {
        "title": info.get("title") or "",
        "closest": info.get("closest"),
        "similarity": info.get("similarity"),
        "shared": list(info.get("shared") or []),
    }


def list_title(session: PracticeSession) -> str | None:
    """How a list names a real call: 真实通话 · its title; None for a practice session."""
    view = real_call_view(session)
    if view is None:
        return None
    return f"{LABEL} · {view['title']}" if view["title"] else LABEL
