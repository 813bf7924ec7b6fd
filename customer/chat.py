"""`peilian chat --json` line handling (CONTRACT §2), with a simulated clock for the transcript's times.

Input, one event per line: plain text (a message sent at once), `{"text": "...", "after": 5.0}` (the rep
waited 5 s after the customer's last line before typing) or `{"silence": 4.5}`. Blank lines are skipped.
Output: one JSON line per input event, in order — `{"reply": "...", "revealed": [...], "state": {...}}`,
where `reply` is "" when the customer stays silent (a short silence, or after the conversation ended) — and
a last line `{"scorecard": ...}` from `evaluators.scorecard.score_transcript` of the timed transcript
(the customer's opening line is its first turn). A bad line raises `ChatInputError` (one line, Chinese);
an unknown scenario raises `customer.cards.CardError`. Both are `ValueError`s.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from customer.cards import get_card
from customer.engine import Classifier, Conversation, Reply
from customer.voices.base import Voice
from peilian.errors import Invalid

TYPING_CPS = 5.0  # characters a rep types per second
SPEAKING_CPS = 4.0  # characters the customer says per second
REACTION = 1.0  # seconds before the customer starts answering


class ChatInputError(Invalid):
    """A stdin line of `peilian chat --json` that is not a valid event; the message names the line."""


def parse_event(line: str, number: int) -> dict[str, Any] | None:
    """One input line as {"text", "after"} or {"silence"}; None for a blank line."""
    raw = line.strip()
    if not raw:
        return None
    if not raw.startswith("{"):
        return {"text": raw, "after": None}
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ChatInputError(f"第 {number} 行不是合法的 JSON: {exc.msg}") from None
    if not isinstance(obj, dict):
        raise ChatInputError(f"第 {number} 行应为 JSON 对象")
    unknown = set(obj) - {"text", "after", "silence"}
    if unknown:
        raise ChatInputError(f"第 {number} 行有未知字段: {', '.join(sorted(unknown))}")
    if ("text" in obj) == ("silence" in obj):
        raise ChatInputError(f'第 {number} 行应有 "text" 或 "silence" 之一')
    if "silence" in obj:
        if "after" in obj:
            raise ChatInputError(f'第 {number} 行: "after" 只能和 "text" 一起用')
        return {"silence": _seconds(obj["silence"], "silence", number)}
    text = obj["text"]
    if not isinstance(text, str) or not text.strip():
        raise ChatInputError(f'第 {number} 行: "text" 应为非空文本')
    after = obj.get("after")
    return {"text": text.strip(), "after": None if after is None else _seconds(after, "after", number)}


def _seconds(value: Any, name: str, number: int) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 3600:
        raise ChatInputError(f'第 {number} 行: "{name}" 应为 0 到 3600 之间的秒数')
    return float(value)


class TimedChat:
    """A conversation plus the simulated clock that turns it into a CONTRACT §3 transcript."""

    def __init__(self, conv: Conversation) -> None:
        self.conv = conv
        self.turns: list[dict[str, Any]] = []
        self.clock = 0.0
        self.last_customer_end = 0.0
        self._customer(conv.opening.text, 0.0)

    def _customer(self, text: str, start: float) -> None:
        end = start + len(text) / SPEAKING_CPS
        self.turns.append({"speaker": "customer", "text": text, "t": round(start, 2), "end": round(end, 2)})
        self.clock = self.last_customer_end = end

    def say(self, text: str, after: float | None) -> Reply:
        start = self.clock if after is None else max(self.clock, self.last_customer_end + after)
        end = start + len(text) / TYPING_CPS
        self.turns.append({"speaker": "rep", "text": text, "t": round(start, 2), "end": round(end, 2)})
        self.clock = end
        reply = self.conv.rep_says(text, after=after)
        if reply.text:
            self._customer(reply.text, end + REACTION)
        return reply

    def silence(self, seconds: float) -> Reply | None:
        start = self.clock
        reply = self.conv.rep_silent(seconds)
        if reply is not None and reply.text:
            self._customer(reply.text, start + seconds)
        else:
            self.clock = start + seconds
        return reply

    def transcript(self) -> dict[str, Any]:
        return {"mode": self.conv.card.mode, "turns": [dict(t) for t in self.turns]}


def _score(transcript: dict[str, Any], outcome: dict[str, Any] | None = None) -> Any:
    try:
        from evaluators.scorecard import score_transcript
    except ImportError:  # the scorer is a colleague's module; the chat itself must still work
        return None
    return score_transcript(transcript, outcome=outcome)


def run_chat_json(
    card_id: str,
    lines: Iterable[str],
    out: TextIO,
    *,
    seed: int = 0,
    classifier: Classifier | None = None,
    voice: Voice | None = None,
    difficulty: str | None = None,
) -> None:
    """Play the rep's side from `lines` against the scenario's customer and write JSON lines to `out`."""
    conv = Conversation(
        get_card(card_id), seed=seed, classifier=classifier, voice=voice, difficulty=difficulty
    )
    chat = TimedChat(conv)
    for number, line in enumerate(lines, start=1):
        event = parse_event(line, number)
        if event is None:
            continue
        if "silence" in event:
            reply = chat.silence(event["silence"])
        else:
            reply = chat.say(event["text"], event["after"])
        if reply is None:
            payload = {"reply": "", "revealed": [], "state": chat.conv.state.public()}
        else:
            payload = reply.to_dict()
        out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        out.flush()
    scorecard = _score(chat.transcript(), chat.conv.outcome())
    out.write(json.dumps({"scorecard": scorecard}, ensure_ascii=False) + "\n")
    out.flush()
