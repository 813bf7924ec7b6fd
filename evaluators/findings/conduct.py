"""Rules about how the rep closes and whether the call can be judged — 第五篇 推进订单 (顾虑是客户不答应行动承诺的
唯一原因, 坚韧不拔OR死不要脸?) and 障碍三:压力 (销售过度的关注客户的采购行为)."""

from __future__ import annotations

from collections.abc import Iterator

from evaluators.findings.appointment import excerpt
from evaluators.findings.context import Context
from evaluators.findings.registry import Hit, rule

QUESTION_FOCI = ("expectation", "need", "motive")


@rule("too_short_to_judge")
def call_too_short(ctx: Context) -> Iterator[Hit]:
    """Too few rep messages to judge the call: the scorecard says so instead of scoring it high."""
    if len(ctx.rep) < ctx.limits.too_short_messages:
        yield Hit(None, {"messages": len(ctx.rep)})


@rule("pressure_close")
def pleading_or_pressure(ctx: Context) -> Iterator[Hit]:
    """坚韧不拔OR死不要脸? / 销售过度的关注客户的采购行为 — begging or pushing for the yes instead of giving a
    reason to act; in a visit also asking before a single question about the customer (premature close)."""
    explored = False
    for i in ctx.rep:
        label, said = ctx.label(i), ctx.cue(i)
        words = said.pleading or said.pressure_close
        if words:
            yield Hit(i, {"how": f'"{words}"', "excerpt": excerpt(ctx.turns[i].text)})
        elif label.act == "commitment" and ctx.mode == "visit" and not explored and not said.self_intro:
            yield Hit(i, {"how": "还没了解客户就索取承诺", "excerpt": excerpt(ctx.turns[i].text)})
        if label.act == "exploratory" and label.focus in QUESTION_FOCI:
            explored = True


@rule("concern_pushed_past")
def explore_concern_before_asking(ctx: Context) -> Iterator[Hit]:
    """顾虑是客户不答应行动承诺的唯一原因: after the customer voiced a concern, the rep's next message asks
    for the commitment again or pitches, without a question that explores the concern (探寻异议、挖掘顾虑)."""
    turns = ctx.turns
    for k, turn in enumerate(turns[:-1]):
        if turn.is_rep or not ctx.cue(turn.index).customer_concern:
            continue
        nxt = turns[k + 1]
        if not nxt.is_rep:
            continue
        label = ctx.label(nxt.index)
        if label.act in ("commitment", "pitch") or ctx.cue(nxt.index).pressure_close:
            concern = excerpt(turn.text, 20)
            yield Hit(nxt.index, {"concern": concern, "excerpt": excerpt(nxt.text)})
