"""Action commitments (行动承诺) and concerns (顾虑), from 第五篇 推进订单.

- An ask wins the highest commitment the state allows whose required elements (时间/人/行动/利益) it names,
  and only when trust and value reach the card's thresholds (a commitment is the customer paying a cost).
- Trust and value enough but an element missing: 犹豫 — the customer asks for what is missing (先定义,再细化).
- Trust or value short: a concern comes back whose level grows with the gap (犹豫 → 疑问 → 反对 → 不承诺),
  and with pressure. 顾虑是客户不答应行动承诺的唯一原因.
- Exploring the concern (a question about it, 探寻异议/挖掘顾虑) makes the customer explain it and adds value;
  a plan after that (提供方案) removes it and he says so (确认排除); asking again without exploring escalates
  it (争论, 抵触) and ends the conversation (该放弃就要放弃). The level never drops by itself.
"""

from __future__ import annotations

from dataclasses import replace

from customer.cards import CONCERN_LEVELS, Card, Commitment
from customer.decision import Decision
from customer.numbers import Numbers
from customer.state import State
from customer.text import hits
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


def heard(card: Card, state: State, cls, text: str, n: Numbers) -> set[str]:
    """The elements the customer has heard for this ask: those the message names, plus what he remembers —
    the benefit the rep gave in the last few messages (体现约访的价值), and in a call the meeting itself when
    the rep offers times or says how long it takes (约访的承诺就是见面)."""
    present = _present(cls) | set(state.heard_elements)
    said = cues(text)
    if state.turn - state.counts.get("benefit_turn", -99) <= n("commitment.benefit_memory"):
        present.add("benefit")
    if card.mode == "appointment" and (said.choice_of_times or said.meeting_length or said.duration):
        present.add("action")
    return present


def _missing(c: Commitment, present: set[str]) -> list[str]:
    return [e for e in c.elements if e not in present]


def _enough(c: Commitment, state: State, value: float, n: Numbers) -> bool:
    return state.trust >= n.commitment(c.min_trust) and value >= n.commitment(c.min_value)


def _level(card: Card, state: State, value: float, n: Numbers) -> int:
    low = card.commitments.lowest
    gap = max(n.commitment(low.min_trust) - state.trust, n.commitment(low.min_value) - value, 0)
    g = "commitment.concern_gap"
    level = (
        0
        if gap <= n(f"{g}.hesitate")
        else 1
        if gap <= n(f"{g}.doubt")
        else 2
        if gap <= n(f"{g}.object")
        else NO_COMMIT
    )
    if state.pressure >= n(f"{g}.pressure"):
        level = max(level, NO_COMMIT)
    level += max(state.counts.get("refusals", 0) - 1, 0)
    # A concern's level never drops by itself: only handling it clears it.
    return min(max(level, state.concern_index()), len(CONCERN_LEVELS) - 1)


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
    ends = level >= 4 or (
        level >= NO_COMMIT and (card.mode == "appointment" or state.counts["refusals"] >= 2)
    )
    cid = _pick(card, state, level)
    if (
        ends
        and cid is not None
        and CONCERN_LEVELS.index(next(c.level for c in card.concerns if c.id == cid)) < level
    ):
        cid = None  # a milder card concern is often a question: asked and hung up on in one breath
    if cid is not None:
        state.used_concerns.append(cid)
    state.concern, state.concern_id, state.concern_stage = CONCERN_LEVELS[level], cid, "raised"
    decision = Decision("concern", concern=cid, concern_level=CONCERN_LEVELS[level], reason=reason)
    return finish(state, "hung_up", decision) if ends else decision


def voice_concern(card: Card, state: State) -> Decision | None:
    """探寻异议 with nothing open: asked what worries him, he names his mildest unused concern (up to 反对);
    the rep can then explore and clear it. None when he has none left to name."""
    unused = [c for c in card.concerns if c.id not in state.used_concerns]
    mild = [c for c in unused if CONCERN_LEVELS.index(c.level) <= 2]
    if not mild:
        return None
    c = min(mild, key=lambda c: CONCERN_LEVELS.index(c.level))
    state.used_concerns.append(c.id)
    # asked for it, he says it: the rep has explored it already (探寻异议), a plan next can clear it
    state.concern, state.concern_id, state.concern_stage = c.level, c.id, "explored"
    return Decision("concern", concern=c.id, concern_level=c.level, reason="concern_probed")


def _value_of_ask(card: Card, state: State, cls, text: str, n: Numbers) -> float:
    """降低成本: how long the meeting takes, a choice of two times and what he gets make a yes cheaper."""
    said = cues(text)
    value = state.value
    if card.mode == "appointment" and (
        said.meeting_length or said.duration
    ):  # in an ask: the meeting's length
        value += n("commitment.meeting_length_value")
    if said.choice_of_times:
        value += n("commitment.choice_value")
    if "benefit" in heard(card, state, cls, text, n):
        value += n("commitment.benefit_value")
    return value


def ask(card: Card, state: State, cls, text: str, n: Numbers) -> Decision:
    """The customer's answer to a commitment ask."""
    state.count("asks")
    present = heard(card, state, cls, text, n)
    value = _value_of_ask(card, state, cls, text, n)
    if state.concern and state.concern_stage == "raised" and state.last_move == "concern":
        # Asked again over an unexplored concern: it hardens (坚韧不拔 or 死不要脸?).
        state.bump("pressure", n("commitment.asked_over_concern.pressure"))
        state.bump("trust", n("commitment.asked_over_concern.trust"))
        return _raise(
            card, state, min(state.concern_index() + 1, len(CONCERN_LEVELS) - 1), "asked_over_concern"
        )
    hi, lo = card.commitments.highest, card.commitments.lowest
    blocked = state.concern is not None and state.concern_index() >= NO_COMMIT
    for name, c in (("highest", hi), ("lowest", lo)):
        if not blocked and _enough(c, state, value, n) and not _missing(c, present):
            state.commitment = name
            state.commitment_elements = [e for e in ("time", "people", "action", "benefit") if e in present]
            state.concern, state.concern_id, state.concern_stage = None, None, None
            return finish(
                state,
                "committed",
                Decision("accept_commitment", commitment=name, reason=f"commitment_{name}"),
            )
    if not blocked and _enough(lo, state, value, n):
        state.bump("pressure", n("commitment.incomplete_pressure"))
        for key in [k for k in state.counts if k.startswith("missing:")]:
            state.counts[key] = 0
        for element in _missing(lo, present):
            state.counts[f"missing:{element}"] = 1
        return Decision(
            "ask_detail",
            missing=tuple(_missing(lo, present)),
            concern_level="犹豫",
            reason="commitment_incomplete",
        )
    state.bump("pressure", n("commitment.too_early.pressure"))  # 过度关注客户的采购行为: decision pressure
    state.bump("trust", n("commitment.too_early.trust"))
    return _raise(card, state, _level(card, state, value, n), "commitment_too_early")


def follow_concern(card: Card, state: State, cls, text: str, n: Numbers) -> Decision | None:
    """An open concern follows the rep (探寻异议 → 挖掘顾虑 → 提供方案 → 确认排除): a question about it explores
    it, a plan after that removes it; anything else is answered as usual (None) and the concern stays."""
    said = cues(text)
    concern = next((c for c in card.concerns if c.id == state.concern_id), None)
    about = said.probes_concern or (concern is not None and hits(text, concern.keywords) > 0)
    question = cls.act in ("exploratory", "confirmation", "extension", "control") or cls.is_question
    if state.concern_stage == "raised" and question and (about or cls.act == "extension"):
        if state.concern_index() >= NO_COMMIT:
            state.bump("patience", n("concern.closed_patience"))
            return Decision("deflect", reason="concern_closed")
        state.concern_stage = "explored"
        state.bump("value", n("concern.explored.value"))  # the rep learns what blocks, he feels heard
        state.bump("trust", n("concern.explored.trust"))
        return Decision(
            "explain_concern",
            concern=state.concern_id,
            concern_level=state.concern,
            reason="concern_explored",
        )
    if state.concern_stage == "explored" and (said.offers_plan or (about and not question)):
        cid, level = state.concern_id, state.concern
        state.concern, state.concern_id, state.concern_stage = None, None, "resolved"
        state.bump("value", n("concern.resolved.value"))
        state.bump("trust", n("concern.resolved.trust"))
        return Decision(
            "concern_resolved",
            concern=cid,
            concern_level=level,
            lines_from="resolved",
            reason="concern_resolved",
        )
    return None
