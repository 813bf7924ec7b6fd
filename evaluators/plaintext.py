"""A transcript as a trainer pastes a real call (CONTRACT.md §3, the plain-text form).

    transcript = read_transcript(text, mode="visit")     # JSON or plain text → a transcript dict

One message a line: an optional time in brackets (`[01:05]` when the speaker started, `[01:05-01:12]` started
and finished; mm:ss or hh:mm:ss), a speaker label (`销售` / `客户`, also `rep` / `customer` in any case), a colon
(`:` or `：`), then the text. A line without a label continues the message before it; blank lines are ignored.
JSON is recognised by its first non-blank character `{`. Errors are `TranscriptError`s of one line that name
the line number.
"""

from __future__ import annotations

import json
import re
from typing import Any

from evaluators.transcript import MODES, TranscriptError

_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\.\d+)?"
_LINE = re.compile(
    rf"^\s*(?:\[\s*(?P<t>{_TIME})\s*(?:[-–~至]\s*(?P<end>{_TIME})\s*)?\]\s*)?"
    r"(?P<label>销售|客户|rep|customer|Rep|Customer|REP|CUSTOMER)\s*[:：]\s*(?P<text>.*)$",
    re.IGNORECASE,
)
_SPEAKERS = {"销售": "rep", "客户": "customer", "rep": "rep", "customer": "customer"}


def _seconds(stamp: str) -> float:
    parts = [float(p) for p in stamp.split(":")]
    value = 0.0
    for part in parts:
        value = value * 60 + part
    return value


def parse_plain(text: str, mode: str = "visit") -> dict[str, Any]:
    """The plain-text form → a transcript dict (validated later by `parse_transcript`)."""
    if mode not in MODES:
        raise TranscriptError(f'mode 应为 "appointment" 或 "visit",收到 {mode!r:.40}')
    turns: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        m = _LINE.match(line)
        if m is None:
            if not turns:
                raise TranscriptError(f"第 {number} 行:缺少说话人(应以 销售: 或 客户: 开头)")
            turns[-1]["text"] += "\n" + line  # a line without a label continues the message before it
            continue
        turn: dict[str, Any] = {
            "speaker": _SPEAKERS[m.group("label").lower()],
            "text": m.group("text").strip(),
        }
        if m.group("t"):
            turn["t"] = _seconds(m.group("t"))
        if m.group("end"):
            turn["end"] = _seconds(m.group("end"))
            if turn["end"] < turn["t"]:
                raise TranscriptError(f"第 {number} 行:结束时间早于开始时间")
        turn["_line"] = number
        turns.append(turn)
    if not turns:
        raise TranscriptError("对话记录为空:没有 销售:/客户: 开头的行")
    for turn in turns:
        number = turn.pop("_line")
        if not turn["text"].strip():
            raise TranscriptError(f"第 {number} 行:说话人后面没有内容")
    return {"mode": mode, "turns": turns}


def read_transcript(text: str, mode: str | None = None) -> dict[str, Any]:
    """JSON (first non-blank character `{`) or plain text; `mode` overrides a JSON transcript's own."""
    if text.lstrip().lstrip("\ufeff").startswith("{"):
        try:
            data = json.loads(text.lstrip().lstrip("\ufeff"))
        except json.JSONDecodeError as exc:
            raise TranscriptError(f"不是合法的 JSON({exc.msg},第 {exc.lineno} 行第 {exc.colno} 列)") from None
        if mode is not None and isinstance(data, dict):
            if "turns" not in data and isinstance(data.get("transcript"), dict):
                data = {**data["transcript"], **({"outcome": data["outcome"]} if "outcome" in data else {})}
            data = {**data, "mode": mode}
        return data
    return parse_plain(text, mode or "visit")
