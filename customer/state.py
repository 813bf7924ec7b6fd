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

# Starting trust by lead state (线索状态): a rejecting lead (排斥型) starts far lower than one who called us.
LEAD_TRUST = {"问题型": 24, "痛苦型": 24, "商机型": 34, "竞争型": 20, "排斥型": 12}
LEAD_VALUE = {"问题型": 0, "痛苦型": 5, "商机型": 15, "竞争型": 0, "排斥型": 0}
PATIENCE = {"高": 55, "中": 65, "低": 75}
VISIT_TRUST_BONUS = 10  # the customer agreed to meet: some trust is already there
VISIT_VALUE_BONUS = 10

# Trust a fact kind needs when the card does not say (客户总是跟你谈期望说明还不够信任你,能跟你谈动机了,一定是很信任你了).
MIN_TRUST = {
    "要求": 15,
    "措施": 35,
    "目标": 30,
    "组织利益": 45,
    "障碍": 36,
    "不良影响": 48,
    "痛苦": 62,
    "企图心": 68,
    "流程": 30,
    "决策": 32,
    "竞争": 45,
    "预算": 35,
    "时间": 25,
    "背景": 20,
}
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
    concern_explored: bool = False
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
    end_reason: str | None = None  # why he ended it (pitch_in_appointment, gaming, …)

    @classmethod
    def initial(cls, card: Card) -> State:
        """The state at the start of a conversation: card `start` values, else defaults from the card."""
        visit = card.mode == "visit"
        start = card.start
        trust = LEAD_TRUST[card.lead_state] + (VISIT_TRUST_BONUS if visit else 0)
        value = LEAD_VALUE[card.lead_state] + (VISIT_VALUE_BONUS if visit else 0)
        return cls(
            trust=float(start.trust if start.trust is not None else trust),
            patience=float(
                start.patience if start.patience is not None else PATIENCE[card.customer.time_pressure]
            ),
            pressure=float(start.pressure if start.pressure is not None else 10),
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
