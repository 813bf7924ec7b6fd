"""The outcome of a call (CONTRACT.md §4 `outcome`): how it ended and what the rep earned.

A practice call knows its outcome: the simulated customer's engine says whether he agreed (and to which
commitment), hung up, or ran out of time, and how many of the card's hidden facts the rep earned. The caller
passes that (`score_transcript(..., outcome=...)`, or a transcript JSON with a top-level `outcome` object).

An imported transcript has none. Its end is judged from the customer's own last words, read by the shared
cue engine (evaluators/lexicons/cues.yaml): "先挂了" / "我们不需要,谢谢" ends the call, "行,那就周四下午吧"
after the rep's ask is a yes. Such an outcome says `"inferred": true`; anything else is `unknown`, never
guessed further. Fact counts of an imported transcript are null.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evaluators.reading import cues
from evaluators.transcript import Transcript
from peilian.errors import Invalid

RESULTS: tuple[str, ...] = ("committed", "hung_up", "time_up", "ended", "unknown")
LEVELS: tuple[str, ...] = ("highest", "lowest")
CATEGORIES: tuple[str, ...] = ("expectation", "need", "motive", "process")
ELEMENTS: tuple[str, ...] = ("time", "people", "action", "benefit")
# Who left: the customer's hang-up words that are a refusal, not a polite close of a call that ran long.
_REFUSAL = ("挂", "不需要", "没兴趣", "没有兴趣", "别再", "不要再", "不用再", "回去吧")


class OutcomeError(Invalid):
    """An `outcome` object that does not fit; the message is one line naming the field."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the call ended. `end_turn` is the customer's closing turn: rep turns after it are not scored
    when he hung up or the time ran out (he is gone); after a yes they are the rep's closing words."""

    result: str = "unknown"
    commitment: str | None = None
    elements: tuple[str, ...] | None = None
    reason: str | None = None
    facts_earned: int | None = None
    facts_total: int | None = None
    earned: dict[str, int] | None = None
    totals: dict[str, int] | None = None
    inferred: bool = False
    end_turn: int | None = None

    @property
    def committed(self) -> bool:
        return self.result == "committed"

    @property
    def known(self) -> bool:
        return self.result != "unknown"

    def scored_until(self, transcript: Transcript) -> int:
        """The index after the last turn that is scored (rep messages after a hang-up are shown only)."""
        if self.result in ("hung_up", "time_up") and self.end_turn is not None:
            return self.end_turn + 1
        return len(transcript.turns)

    def to_dict(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "commitment": self.commitment,
            "elements": list(self.elements) if self.elements is not None else None,
            "reason": self.reason,
            "facts_earned": self.facts_earned,
            "facts_total": self.facts_total,
            "earned": dict(self.earned) if self.earned is not None else None,
            "totals": dict(self.totals) if self.totals is not None else None,
            "inferred": self.inferred,
            "end_turn": self.end_turn,
        }


def _count(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise OutcomeError(f"outcome.{key} 应为非负整数或 null")
    return value


def _counts(data: dict[str, Any], key: str) -> dict[str, int] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - set(CATEGORIES):
        raise OutcomeError(f"outcome.{key} 应为 {{expectation, need, motive, process}} 的计数")
    return {k: _count(value, k) or 0 for k in CATEGORIES}


def parse_outcome(data: Any, transcript: Transcript) -> Outcome:
    """An `Outcome` from a JSON object (the engine's, or a transcript's top-level `outcome`)."""
    if not isinstance(data, dict):
        raise OutcomeError("outcome 应为对象")
    result = data.get("result", "unknown")
    if result not in RESULTS:
        raise OutcomeError(f"outcome.result 应为 {'/'.join(RESULTS)} 之一,而不是 {result!r}")
    commitment = data.get("commitment")
    if commitment is not None and commitment not in LEVELS:
        raise OutcomeError("outcome.commitment 应为 highest、lowest 或 null")
    elements = data.get("elements")
    if elements is not None and (not isinstance(elements, list) or set(elements) - set(ELEMENTS)):
        raise OutcomeError("outcome.elements 应为 time/people/action/benefit 的列表或 null")
    reason = data.get("reason")
    end_turn = data.get("end_turn")
    if end_turn is not None and (
        isinstance(end_turn, bool)
        or not isinstance(end_turn, int)
        or not 0 <= end_turn < len(transcript.turns)
    ):
        raise OutcomeError("outcome.end_turn 应为对话中某一轮的序号")
    if end_turn is None and result in ("hung_up", "time_up", "committed"):
        end_turn = _last_customer(transcript)
    return Outcome(
        result=result,
        commitment=commitment,
        elements=tuple(elements) if elements is not None else None,
        reason=str(reason) if reason is not None else None,
        facts_earned=_count(data, "facts_earned"),
        facts_total=_count(data, "facts_total"),
        earned=_counts(data, "earned"),
        totals=_counts(data, "totals"),
        inferred=bool(data.get("inferred", False)),
        end_turn=end_turn,
    )


def _last_customer(transcript: Transcript) -> int | None:
    return next((t.index for t in reversed(transcript.turns) if not t.is_rep), None)


def infer_outcome(transcript: Transcript, asks: set[int]) -> Outcome:
    """Judge an imported transcript's end from the customer's words; `asks` are the rep's commitment asks."""
    last = _last_customer(transcript)
    if last is None:
        return Outcome()
    said = cues(transcript.turns[last].text)
    asked_before = [i for i in asks if i < last]
    answered = asked_before and not any(
        t.is_rep is False for t in transcript.turns[max(asked_before) + 1 : last]
    )
    if said.customer_agrees and answered:
        return Outcome(result="committed", inferred=True, end_turn=last)
    ends = said.customer_ends
    if ends:
        refusal = any(word in transcript.turns[last].text for word in _REFUSAL)
        return Outcome(result="hung_up" if refusal else "time_up", reason=ends, inferred=True, end_turn=last)
    return Outcome()
