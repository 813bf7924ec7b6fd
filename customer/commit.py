"""Action commitments (行动承诺) and concerns (顾虑), from 第五篇 推进订单.

- An ask wins the highest commitment the state allows whose required elements (时间/人/行动/利益) it names,
  and only when trust and value reach the card's thresholds (a commitment is the customer paying a cost).
- Trust and value enough but an element missing: 犹豫 — the customer asks for what is missing (先定义,再细化).
- Trust or value short: a concern comes back whose level grows with the gap (犹豫 → 疑问 → 反对 → 不承诺),
  and with pressure. 顾虑是客户不答应行动承诺的唯一原因.
- Exploring the concern (a question, 探寻异议/挖掘顾虑) makes the customer explain it and adds value; asking
  again without exploring escalates it (争论, 抵触) and ends the conversation (该放弃就要放弃).
"""

from __future__ import annotations

from dataclasses import replace

from customer.cards import CONCERN_LEVELS, Card, Commitment
from customer.decision import Decision
from customer.state import State
from evaluators.reading import cues

NO_COMMIT = CONCERN_LEVELS.index("不承诺")


def finish(state: State, outcome: str, decision: Decision, closing: str | None = None) -> Decision:
    """End the conversation with `outcome` (committed | hung_up | time_up)."""
    state.ended = True
    state.outcome = outcome
    state.end_reason = decision.reason or None
    return replace(
        decision,
        end=True,
        closing=closing or {"committed": "commit", "hung_up": "hang_up"}.get(outcome, "close"),
    )


def _present(cls) -> set[str]:
    el = cls.elements
    if el is None:
        return set()
    return {name for name in ("time", "people", "action", "benefit") if getattr(el, name, False)}


def _missing(c: Commitment, present: set[str]) -> list[str]:
    return [e for e in c.elements if e not in present]


def _enough(c: Commitment, state: State, value: float) -> bool:
    return state.trust >= c.min_trust and value >= c.min_value


def _level(card: Card, state: State, value: float) -> int:
    low = card.commitments.lowest
    gap = max(low.min_trust - state.trust, low.min_value - value, 0)
    level = 0 if gap <= 5 else 1 if gap <= 15 else 2 if gap <= 25 else NO_COMMIT
    if state.pressure >= 70:
        level = max(level, NO_COMMIT)
    return min(level + max(state.counts.get("refusals", 0) - 1, 0), len(CONCERN_LEVELS) - 1)


def _pick(card: Card, state: State, level: int) -> str | None:
    """An unused card concern at this level, else the nearest lower one; None means a generic line."""
    unused = [c for c in card.concerns if c.id not in state.used_concerns]
    for lvl in range(level, -1, -1):
        found = next((c for c in unused if CONCERN_LEVELS.index(c.level) == lvl), None)
        if found is not None:
            return found.id
    return None


def _raise(card: Card, state: State, level: int, reason: str) -> Decision:
    state.count("refusals")
    cid = _pick(card, state, level)
    if cid is not None:
        state.used_concerns.append(cid)
    state.concern, state.concern_id, state.concern_explored = CONCERN_LEVELS[level], cid, False
    decision = Decision("concern", concern=cid, concern_level=CONCERN_LEVELS[level], reason=reason)
    ends = level >= 4 or (
        level >= NO_COMMIT and (card.mode == "appointment" or state.counts["refusals"] >= 2)
    )
    return finish(state, "hung_up", decision) if ends else decision


def ask(card: Card, state: State, cls, text: str) -> Decision:
    """The customer's answer to a commitment ask."""
    state.count("asks")
    present = _present(cls)
    # 降低成本: saying how long the meeting takes makes it cheaper to say yes.
    value = state.value + (5 if card.mode == "appointment" and cues(text).meeting_length else 0)
    if state.concern and not state.concern_explored and state.last_move == "concern":
        # Asked again over an unexplored concern: it hardens (坚韧不拔 or 死不要脸?).
        state.bump("pressure", 15)
        state.bump("trust", -5)
        return _raise(
            card, state, min(state.concern_index() + 1, len(CONCERN_LEVELS) - 1), "asked_over_concern"
        )
    hi, lo = card.commitments.highest, card.commitments.lowest
    for name, c in (("highest", hi), ("lowest", lo)):
        if _enough(c, state, value) and not _missing(c, present):
            state.commitment = name
            state.commitment_elements = [e for e in ("time", "people", "action", "benefit") if e in present]
            state.concern, state.concern_id = None, None
            return finish(
                state,
                "committed",
                Decision("accept_commitment", commitment=name, reason=f"commitment_{name}"),
            )
    if _enough(lo, state, value):
        state.bump("pressure", 3)
        state.concern, state.concern_id, state.concern_explored = "犹豫", None, True
        return Decision(
            "ask_detail",
            missing=tuple(_missing(lo, present)),
            concern_level="犹豫",
            reason="commitment_incomplete",
        )
    state.bump("pressure", 8)  # 过度关注客户的采购行为 raises the decision pressure
    state.bump("trust", -2)
    return _raise(card, state, _level(card, state, value), "commitment_too_early")


def explore(card: Card, state: State) -> Decision | None:
    """A question while a concern is open explores it; None when it was already explored."""
    if state.concern_explored:
        return None
    level = state.concern_index()
    if level >= NO_COMMIT:
        state.bump("patience", -8)
        return Decision("deflect", reason="concern_closed")
    state.concern_explored = True
    state.bump("value", 10)  # the rep learns what really blocks, and the customer feels heard
    state.bump("trust", 3)
    return Decision(
        "explain_concern", concern=state.concern_id, concern_level=state.concern, reason="concern_explored"
    )
