"""The customer's state: what the engine owns between turns, and how a card sets it up.

Scores are 0..100. `trust` (信任) gates what the customer tells (期望 → 需求 → 动机); `patience` (耐心) runs
down with every turn of a busy customer and faster with pitching; `pressure` (决策压力) rises when the rep
sells or pushes for a decision; `value` (价值) is what the customer thinks he gets from going on with this
rep — a commitment needs both trust and value. `stage` is the buying stage 1..10 of the notes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from customer.cards import CONCERN_LEVELS, STAGES, Card
from customer.numbers import Numbers

# The starting numbers (by lead state, time pressure, mode) live in customer/engine.yaml `start`.
PUBLIC_KEYS = ("trust", "patience", "pressure", "value", "stage", "concern", "ended", "outcome", "commitment")


@dataclass
class State:
    """Everything the engine remembers. Plain data: `to_dict`/`from_dict` round-trip through JSON."""

    trust: float
    patience: float
    pressure: float
    value: float
    stage: int
    turn: int = 0
    concern: str | None = None  # level name, 犹豫 … 抵触
    concern_id: str | None = None
    used_concerns: list[str] = field(default_factory=list)
    earned: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    hinted: list[str] = field(default_factory=list)
    last_disclosed: list[str] = field(default_factory=list)
    last_move: str = "greet"
    last_customer: str = ""
    asked: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    ended: bool = False
    outcome: str | None = None  # committed | hung_up | time_up
    commitment: str | None = None  # highest | lowest
    commitment_elements: list[str] = field(default_factory=list)  # what the winning ask named
    difficulty: str = "standard"
    topic: str | None = None  # the fact id the talk is about now ("这件事" refers to it)
    told: dict[str, str] = field(default_factory=dict)  # fact id → the line that told it
    concern_stage: str | None = (
        None  # raised | explored | resolved (探寻异议 → 挖掘顾虑 → 提供方案 → 确认排除)
    )
    said: list[str] = field(default_factory=list)  # the customer's lines so far (no line twice in a call)
    recapped: list[str] = field(default_factory=list)  # facts he has repeated once already
    heard_elements: list[str] = field(default_factory=list)  # commitment elements he asked for and got
    end_reason: str | None = None  # why he ended it (pitch_in_appointment, gaming, …)

    @classmethod
    def initial(cls, card: Card, numbers: Numbers | None = None) -> State:
        """The state at the start of a conversation: card `start` values, else defaults from the card; the
        difficulty level shifts the starting trust."""
        n = numbers or Numbers(card.difficulty)
        visit = card.mode == "visit"
        start = card.start
        trust = n(f"start.lead_trust.{card.lead_state}") + (n("start.visit_trust_bonus") if visit else 0)
        value = n(f"start.lead_value.{card.lead_state}") + (n("start.visit_value_bonus") if visit else 0)
        patience = n(f"start.patience.{card.customer.time_pressure}")
        return cls(
            trust=max(0.0, float(n.start_trust(start.trust if start.trust is not None else trust))),
            patience=float(start.patience if start.patience is not None else patience),
            pressure=float(start.pressure if start.pressure is not None else n("start.pressure")),
            value=float(start.value if start.value is not None else value),
            stage=card.stage,
        )

    def bump(self, name: str, delta: float) -> None:
        """Add `delta` to a 0..100 score, clamped."""
        setattr(self, name, max(0.0, min(100.0, getattr(self, name) + delta)))

    def count(self, name: str, add: int = 1) -> int:
        """Increment a named counter (pitches, asks, echoes…) and return the new value."""
        self.counts[name] = self.counts.get(name, 0) + add
        return self.counts[name]

    def counts_missing(self) -> list[str]:
        """The commitment elements he asked for in his last reply (an incomplete ask, 先定义,再细化)."""
        return [k.removeprefix("missing:") for k, v in self.counts.items() if k.startswith("missing:") and v]

    def concern_index(self) -> int:
        return CONCERN_LEVELS.index(self.concern) if self.concern else -1

    def public(self) -> dict[str, Any]:
        """The JSON `state` of a reply (CONTRACT §2): scores rounded, stage with its name, earned ids."""
        out: dict[str, Any] = {k: getattr(self, k) for k in PUBLIC_KEYS}
        for k in ("trust", "patience", "pressure", "value"):
            out[k] = round(out[k])
        out["stage_name"] = STAGES[self.stage - 1]
        out["turn"] = self.turn
        out["earned"] = list(self.earned)
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
