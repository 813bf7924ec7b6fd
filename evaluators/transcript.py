"""A conversation transcript (CONTRACT.md §3): parsing and validation.

`parse_transcript(obj)` turns the decoded JSON into a `Transcript` or raises `TranscriptError` (a
`ValueError`) whose message is one line of Chinese naming the turn and the field at fault. Rules:

- the top level is an object with `mode` ("appointment" | "visit") and a non-empty list `turns`; a case file
  of the dev set (`{"transcript": {...}, "expect_present": ...}`) is unwrapped;
- each turn is an object with `speaker` ("rep" | "customer", exactly) and a non-blank string `text`
  (a blank message is rejected, not skipped, so that turn indices stay those of the input);
  other keys are ignored;
- `t` and `end` are optional seconds from the start: numbers (not booleans), finite, >= 0, `end >= t`,
  and the `t` of the turns that have one never goes backwards (overlap with the previous turn's `end`
  is allowed: a customer can be interrupted);
- at least one turn is the rep's (there is nothing to score otherwise);
- at most `MAX_TURNS` turns and `MAX_CHARS` characters in all.

Times may be given on some turns only: each pause is measured only where both of its stamps are present
(see `Transcript.timing` and docs/scoring.md); nothing is ever guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from peilian.errors import Invalid

MODES: tuple[str, ...] = ("appointment", "visit")
SPEAKERS: tuple[str, ...] = ("rep", "customer")
MAX_TURNS = 50_000
MAX_CHARS = 5_000_000

Timing = Literal["full", "partial", "none"]


class TranscriptError(Invalid):
    """The input is not a valid transcript; the message is one line saying what and where."""


@dataclass(frozen=True, slots=True)
class Turn:
    """One message. `t`/`end`: seconds from the start when the speaker started / finished (None if not given)."""

    index: int
    speaker: str
    text: str
    t: float | None = None
    end: float | None = None

    @property
    def is_rep(self) -> bool:
        return self.speaker == "rep"

    @property
    def chars(self) -> int:
        """Length in characters, surrounding whitespace excluded (the unit of talk ratio and monologue)."""
        return len(self.text.strip())


@dataclass(frozen=True, slots=True)
class Transcript:
    """A validated transcript: `mode` is one of MODES, `turns` is non-empty and holds a rep turn."""

    mode: str
    turns: tuple[Turn, ...]

    @property
    def timing(self) -> Timing:
        """ "full" when every turn has both `t` and `end`, "none" when no turn has either, else "partial"."""
        stamps = [(turn.t is not None) + (turn.end is not None) for turn in self.turns]
        if all(n == 2 for n in stamps):
            return "full"
        if not any(stamps):
            return "none"
        return "partial"


def _fail(message: str) -> TranscriptError:
    return TranscriptError(message)


def _time(raw: dict[str, Any], key: str, where: str) -> float | None:
    if key not in raw or raw[key] is None:
        return None
    value = raw[key]
    # bool is an int subclass: true/false in a time field is a mistake, not 1/0 seconds.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"{where}:{key} 应为秒数(数字),收到 {type(value).__name__} {value!r:.40}")
    number = float(value)
    if not math.isfinite(number):
        raise _fail(f"{where}:{key} 不是有限数({value})")
    if number < 0:
        raise _fail(f"{where}:{key} 不能为负数({value})")
    return number


def _turn(raw: Any, index: int) -> Turn:
    where = f"第 {index} 轮(turns[{index}])"
    if not isinstance(raw, dict):
        raise _fail(f"{where}:应为 JSON 对象,收到 {type(raw).__name__}")
    speaker = raw.get("speaker")
    if speaker is None:
        raise _fail(f"{where}:缺少 speaker")
    if speaker not in SPEAKERS:
        raise _fail(f'{where}:speaker 应为 "rep" 或 "customer",收到 {speaker!r:.40}')
    text = raw.get("text")
    if text is None:
        raise _fail(f"{where}:缺少 text")
    if not isinstance(text, str):
        raise _fail(f"{where}:text 应为字符串,收到 {type(text).__name__}")
    if not text.strip():
        raise _fail(f"{where}:text 为空(空消息不计入对话,请删除该轮)")
    t, end = _time(raw, "t", where), _time(raw, "end", where)
    if t is not None and end is not None and end < t:
        raise _fail(f"{where}:end({end:g})早于 t({t:g})")
    return Turn(index=index, speaker=speaker, text=text, t=t, end=end)


def parse_transcript(obj: Any) -> Transcript:
    """Validate decoded JSON and return a `Transcript`; raise `TranscriptError` (one line) when it is bad."""
    if isinstance(obj, Transcript):
        return obj
    if not isinstance(obj, dict):
        raise _fail(f"对话记录应为 JSON 对象,收到 {type(obj).__name__}")
    if "turns" not in obj and isinstance(obj.get("transcript"), dict):
        obj = obj["transcript"]  # a labelled case file: {"transcript": {...}, "expect_present": [...]}
    mode = obj.get("mode")
    if mode is None:
        raise _fail('缺少 mode(应为 "appointment" 约访电话 或 "visit" 拜访)')
    if mode not in MODES:
        raise _fail(f'mode 应为 "appointment" 或 "visit",收到 {mode!r:.40}')
    raw_turns = obj.get("turns")
    if raw_turns is None:
        raise _fail("缺少 turns(对话轮次列表)")
    if not isinstance(raw_turns, list):
        raise _fail(f"turns 应为列表,收到 {type(raw_turns).__name__}")
    if not raw_turns:
        raise _fail("turns 为空:没有可评分的对话")
    if len(raw_turns) > MAX_TURNS:
        raise _fail(f"turns 过多:{len(raw_turns)} 轮(上限 {MAX_TURNS} 轮)")
    turns = tuple(_turn(raw, i) for i, raw in enumerate(raw_turns))
    total = sum(len(turn.text) for turn in turns)
    if total > MAX_CHARS:
        raise _fail(f"对话过长:共 {total} 字(上限 {MAX_CHARS} 字)")
    if not any(turn.is_rep for turn in turns):
        raise _fail('turns 里没有销售(speaker "rep")的发言:没有可评分的内容')
    last: Turn | None = None
    for turn in turns:
        if turn.t is None:
            continue
        if last is not None and last.t is not None and turn.t < last.t:
            raise _fail(f"第 {turn.index} 轮:时间倒退(t={turn.t:g} 早于第 {last.index} 轮的 t={last.t:g})")
        last = turn
    return Transcript(mode=mode, turns=turns)
