"""What the engine decided the customer does this turn — the only thing a voice may put into words.

A voice says `move`, voices exactly the facts in `facts` (all already earned), may voice the *hint* of the
fact in `hint` (a teaser, never its content), the concern `concern` and, for a 犹豫 about an incomplete ask,
the `missing` commitment elements. `end` closes the conversation after this reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Every move a voice must be able to say (customer/phrases.yaml has lines for each).
MOVES: tuple[str, ...] = (
    "greet",  # opening line (the persona's greeting)
    "ack_intro",  # heard who is calling and why: "什么事,你说"
    "ack_value",  # curious about a case or insight (好奇)
    "ack",  # neutral acknowledgement of a statement
    "empathy_ack",  # felt understood
    "answer",  # discloses `facts`
    "answer_expectation",  # asked for more than trust allows: talks expectations instead
    "surface",  # not trusted enough yet: a harmless answer on the question's topic (card `surface` lines)
    "recap",  # asked about something he told already: says it again, briefly
    "personal_deflect",  # a personal question about nothing he told: keeps himself out of it
    "noncommittal",  # a question he has nothing to say to: a short, noncommittal answer
    "agree_vague",  # a recap he cannot place: agrees loosely
    "deflect",  # not now / not to you, naming the topic (may carry a hint)
    "nothing_more",  # nothing else to add on this
    "continue",  # after golden silence or 还有呢: goes on, may disclose `facts`
    "elaborate",  # goes on without a new fact
    "agree",  # the rep's confirmation is right (may add `facts`: 查遗补缺)
    "correct",  # the rep's confirmation misses: restates `facts`
    "already_said",  # the same question again
    "parrot",  # the rep keeps copying the customer's words
    "accept_control",  # accepts the rep's framing
    "resist_control",  # pushed to decide too early
    "brush_off",  # after a pitch: 不需要 / 发资料 / 不归我管
    "confused",  # gaming or meta talk: does not understand
    "push_back",  # the rep argued with the customer
    "impatient",  # a monologue or a pointless statement
    "prompt",  # long silence: "喂?还在吗?"
    "ask_detail",  # 犹豫 about an incomplete commitment ask: asks for `missing`
    "concern",  # raises `concern` (a 顾虑 of level `concern_level`)
    "explain_concern",  # explains the concern once explored
    "concern_resolved",  # the rep's plan removed the concern (确认排除): says so (card `resolved` lines)
    "small_talk",  # answers small talk in character
    "ack_pitch",  # a product presentation after the needs are known: listens
    "accept_commitment",
    "hang_up",  # ends the conversation abruptly
    "close",  # ends politely (time is up)
    "ended",  # the conversation is over; says nothing
)


@dataclass(frozen=True)
class Decision:
    """One turn of the customer, decided by the rules; `reason` names the rule (for tests and the UI)."""

    move: str
    facts: tuple[str, ...] = ()
    hint: str | None = None
    concern: str | None = None
    concern_level: str | None = None
    missing: tuple[str, ...] = ()
    commitment: str | None = None
    end: bool = False
    closing: str | None = None  # how it ends when `end`: hang_up | close | commit
    tone: str = "neutral"  # cold | neutral | warm, set by the engine from trust and pressure
    reason: str = ""
    topic_of: str | None = None  # the fact whose topic the reply is about (its `topic`, `surface` lines)
    lines_from: str | None = (
        None  # card lines the voice may use: surface | resolved | intro_reply | small_talk
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "move": self.move,
            "facts": list(self.facts),
            "hint": self.hint,
            "concern": self.concern,
            "concern_level": self.concern_level,
            "missing": list(self.missing),
            "commitment": self.commitment,
            "end": self.end,
            "closing": self.closing,
            "tone": self.tone,
            "reason": self.reason,
            "topic_of": self.topic_of,
            "lines_from": self.lines_from,
        }
