"""The simulated customer: one conversation with the customer of a scenario card.

    conv = Conversation(get_card("gov-meeting-room"), seed=0)
    conv.opening.text                                   # "喂,你好,哪位?"
    reply = conv.rep_says("王主任您好,我是华声会议系统的客户经理李明……", after=5.0)
    reply.text, reply.revealed, reply.state             # what he said, fact ids earned now, JSON state
    conv.rep_silent(5.0)                                # golden silence: Reply, or None if he stays quiet
    data = conv.to_dict(); conv2 = Conversation.from_dict(data)   # persist and resume

The engine decides (customer/rules.py, customer/commit.py); the voice only speaks. Each rep message is
classified by an injectable `classifier(text) -> Classification` (default: `evaluators.classify.classify`,
imported lazily); a caller may also pass an explicit `classification=` (tests, synthetic reps).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from customer import commit
from customer.cards import Card, get_card
from customer.decision import Decision
from customer.numbers import Numbers
from customer.rules import Rules
from customer.state import State
from customer.text import first_time
from customer.voices.base import ConcernView, FactView, Persona, Turn, Voice, VoiceInput
from customer.voices.scripted import ScriptedVoice
from evaluators.reading import cues

Classifier = Callable[[str], Any]
# Moves that still make sense with a closing after them ("……。好了,今天先到这吧"); others are replaced by it.
GOES_ON = frozenset(
    {
        "answer",
        "answer_expectation",
        "continue",
        "elaborate",
        "agree",
        "agree_more",
        "recap",
        "explain_concern",
        "concern_resolved",
        "empathy_ack",
        "surface",
        "push_back",
        "brush_off",
    }
)
FORMAT_VERSION = 1


def default_classifier() -> Classifier:
    """The project's rule-based classifier (imported on first use: it compiles its lexicons)."""
    from evaluators.classify import classify

    return classify


@dataclass(frozen=True)
class Reply:
    """One customer reply. `revealed` lists hidden-fact ids disclosed for the first time by this reply."""

    text: str
    revealed: list[str]
    state: dict[str, Any]
    decision: Decision

    def to_dict(self) -> dict[str, Any]:
        """The reply line of `peilian chat --json` (CONTRACT §2)."""
        return {"reply": self.text, "revealed": list(self.revealed), "state": self.state}


class Conversation:
    """A conversation in progress. Not thread-safe; serialise with `to_dict` between requests."""

    def __init__(
        self,
        card: Card | str,
        *,
        seed: int = 0,
        classifier: Classifier | None = None,
        voice: Voice | None = None,
        difficulty: str | None = None,
        _state: State | None = None,
        _turns: list[dict[str, Any]] | None = None,
    ) -> None:
        self.card = get_card(card) if isinstance(card, str) else card
        self.seed = seed
        self.classifier = classifier or default_classifier()
        self.voice: Voice = voice or ScriptedVoice()
        level = difficulty or (_state.difficulty if _state is not None else None) or self.card.difficulty
        self.numbers = Numbers(level)  # ValueError for an unknown level
        self.rules = Rules(self.card, self.numbers)
        p = self.card.customer
        self.persona = Persona(
            p.name,
            p.role,
            p.organisation,
            p.temperament,
            p.time_pressure,
            self.card.mode,
            tuple(p.greeting),
            tuple(p.catchphrases),
        )
        self.turns: list[dict[str, Any]] = _turns if _turns is not None else []
        if _state is not None:
            self.state = _state
            self.opening = Reply(
                self.turns[0]["text"] if self.turns else "", [], self.state.public(), Decision("greet")
            )
        else:
            self.state = State.initial(self.card, self.numbers)
            self.state.difficulty = level
            self.opening = self._respond(Decision("greet", reason="opening"))

    # -- the rep's side ---------------------------------------------------------------------------------
    def rep_says(self, text: str, *, after: float | None = None, classification: Any = None) -> Reply:
        """The customer's reply to one rep message, sent `after` seconds after his last line (if known)."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("销售的话不能为空")
        if after is not None and (not isinstance(after, int | float) or after < 0):
            raise ValueError("after 应为非负的秒数")
        text = text.strip()
        self.turns.append({"speaker": "rep", "text": text, "after": after})
        if self.state.ended:
            return self._respond(Decision("ended", reason="conversation_over"))
        cls = classification if classification is not None else self.classifier(text)
        decision = self.rules.on_message(self.state, cls, text, after)
        return self._respond(self._check_end(decision))

    def rep_silent(self, seconds: float) -> Reply | None:
        """The rep stays silent `seconds`; the customer may go on (黄金静默) or ask if he is there."""
        if not isinstance(seconds, int | float) or seconds < 0:
            raise ValueError("silence 应为非负的秒数")
        self.turns.append({"speaker": "silence", "seconds": float(seconds)})
        if self.state.ended:
            return None
        decision = self.rules.on_silence(self.state, float(seconds))
        return None if decision is None else self._respond(self._check_end(decision))

    def finish(self) -> dict[str, Any]:
        """The rep ends the conversation; returns the final public state."""
        if not self.state.ended:
            self.state.ended = True
        return self.state.public()

    def outcome(self) -> dict[str, Any]:
        """How the call ended, for the scorecard (CONTRACT §4 `outcome`; evaluators.outcome reads it)."""
        s = self.state
        cats = ("expectation", "need", "motive", "process")
        totals = {c: sum(1 for f in self.card.facts() if self.card.category(f.id) == c) for c in cats}
        earned = {c: sum(1 for f in s.earned if self.card.category(f) == c) for c in cats}
        result = s.outcome or "ended"  # not ended by the customer: the rep stopped (or stops now)
        return {
            "result": result,
            "commitment": s.commitment if result == "committed" else None,
            "elements": list(s.commitment_elements) if result == "committed" else None,
            "reason": s.end_reason if result != "ended" else "rep_ended",
            "facts_earned": len(s.earned),
            "facts_total": sum(totals.values()),
            "earned": earned,
            "totals": totals,
            "inferred": False,
        }

    # -- internals --------------------------------------------------------------------------------------
    def _check_end(self, decision: Decision) -> Decision:
        s = self.state
        if decision.end:
            return decision
        limit = self.card.max_turns or self.numbers(f"turn.max_turns.{self.card.mode}")
        too_much = s.pressure >= self.numbers(f"turn.hang_up_pressure.{self.card.mode}")
        if too_much or s.patience <= 0 or s.turn >= limit:
            abrupt = s.pressure >= 60 or s.trust < (30 if self.card.mode == "appointment" else 25)
            outcome = "hung_up" if abrupt else "time_up"
            if decision.move not in GOES_ON:
                # a question or a shrug followed by "先这样" contradicts itself: he just ends the call
                decision = Decision("hang_up" if abrupt else "close", reason=decision.reason or outcome)
            return commit.finish(s, outcome, decision)
        return decision

    def _tone(self) -> str:
        s = self.state
        if s.trust < 30 or s.pressure >= 50:
            return "cold"
        return "warm" if s.trust >= 55 else "neutral"

    def _respond(self, decision: Decision) -> Reply:
        s = self.state
        decision = replace(decision, tone=self._tone())
        if decision.move == "ended":
            return Reply("", [], s.public(), decision)
        # Earned facts only: the voice cannot say what the rep has not earned.
        assert set(decision.facts) <= set(s.earned), "a decision voiced an unearned fact"
        facts = {}
        for fid in s.earned:
            f = self.card.fact(fid)
            facts[fid] = FactView(fid, f.kind, f.text, tuple(f.say))
        hint = self.card.fact(decision.hint).hint if decision.hint else None
        concern = None
        if decision.move in ("concern", "explain_concern") and decision.concern_level:
            c = next((c for c in self.card.concerns if c.id == decision.concern), None)
            concern = (
                ConcernView(c.id, c.level, c.text, tuple(c.say), tuple(c.explain))
                if c
                else ConcernView(None, decision.concern_level, "")
            )
        commitment: tuple[str, ...] = ()
        if decision.commitment:
            commitment = tuple(
                self._picked_time(line) for line in getattr(self.card.commitments, decision.commitment).say
            )
        topic, lines = self._lines(decision)
        data = VoiceInput(
            decision,
            self.persona,
            tuple(self._history()),
            facts,
            hint,
            concern,
            commitment,
            self.seed,
            len(self.turns),
            topic,
            lines,
        )
        text = self.voice.speak(data)
        revealed = list(decision.facts) if decision.move not in ("correct", "recap") else []
        revealed = [f for f in revealed if f not in self._voiced()]
        for fid in revealed:
            s.told[fid] = text
        self.turns.append({"speaker": "customer", "text": text, "revealed": revealed, "move": decision.move})
        s.last_move, s.last_customer = decision.move, text
        return Reply(text, revealed, s.public(), decision)

    def _picked_time(self, line: str) -> str:
        """He agrees to one of the times the rep offered (二选一), not to "the time you said"."""
        last = next((t["text"] for t in reversed(self.turns) if t["speaker"] == "rep"), "")
        when = first_time(last) if cues(last).choice_of_times else None
        if when is None:
            return line
        if "按你说的时间" in line:
            return line.replace("就按你说的时间", f"那就{when}").replace("按你说的时间", f"{when}")
        if first_time(line) is None:  # "你下周来一趟" to "周二还是周四?": he says which
            return f"那就{when}吧，" + line
        return line

    def _lines(self, decision: Decision) -> tuple[str | None, tuple[str, ...]]:
        """The topic and the harmless card lines a move may use (never a fact's own text)."""
        topic = None
        lines: tuple[str, ...] = ()
        if decision.topic_of:
            fact = self.card.fact(decision.topic_of)
            topic = fact.topic or None
            if decision.lines_from is None and decision.move == "surface":
                lines = tuple(fact.surface)
        p = self.card.customer
        if decision.lines_from == "intro_reply":
            lines = tuple(p.intro_reply)
        elif decision.lines_from == "small_talk":
            lines = tuple(p.small_talk)
        elif decision.lines_from and decision.lines_from.startswith("ask:"):
            lines = tuple(ask_lines().get(decision.lines_from[4:], ()))
        elif decision.lines_from == "resolved" and decision.concern:
            c = next((c for c in self.card.concerns if c.id == decision.concern), None)
            lines = tuple(c.resolved) if c is not None else ()
        return topic, lines

    def _history(self) -> list[Turn]:
        return [Turn(t["speaker"], t["text"]) for t in self.turns if t["speaker"] in ("rep", "customer")]

    def _voiced(self) -> set[str]:
        return {f for t in self.turns if t["speaker"] == "customer" for f in t.get("revealed", [])}

    # -- persistence ------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable snapshot: card id, seed, state and turns (the card itself is not copied)."""
        return {
            "version": FORMAT_VERSION,
            "card_id": self.card.id,
            "seed": self.seed,
            "state": self.state.to_dict(),
            "turns": [dict(t) for t in self.turns],
        }

    @classmethod
    def from_dict(
        cls,
        data: dict[str, Any],
        *,
        card: Card | None = None,
        classifier: Classifier | None = None,
        voice: Voice | None = None,
    ) -> Conversation:
        """Resume a conversation saved with `to_dict` (the card is loaded by id unless given)."""
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"不支持的会话格式版本: {data.get('version')!r}")
        card = card or get_card(data["card_id"])
        if card.id != data["card_id"]:
            raise ValueError(f"会话属于场景 {data['card_id']},不是 {card.id}")
        return cls(
            card,
            seed=int(data["seed"]),
            difficulty=data["state"].get("difficulty") or None,
            classifier=classifier,
            voice=voice,
            _state=State.from_dict(data["state"]),
            _turns=[dict(t) for t in data["turns"]],
        )

    def transcript(self) -> dict[str, Any]:
        """The conversation as a CONTRACT §3 transcript without times (see customer.chat for timed ones)."""
        return {
            "mode": self.card.mode,
            "turns": [
                {"speaker": t["speaker"], "text": t["text"]}
                for t in self.turns
                if t["speaker"] in ("rep", "customer") and t["text"]
            ],
        }


@cache
def ask_lines() -> dict[str, list[str]]:
    """customer/ask_lines.yaml: harmless answers by what a question asks (see that file)."""
    data = yaml.safe_load(Path(__file__).with_name("ask_lines.yaml").read_text(encoding="utf-8"))
    return {str(k): [str(x) for x in v] for k, v in (data or {}).items()}
