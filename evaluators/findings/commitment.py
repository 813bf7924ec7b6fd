"""行动承诺 rules — 第五篇 推进订单 / 第四章 控制采购程序,拉动订单前进 (行动承诺四个要素:时间、人、行动、利益)."""

from __future__ import annotations

from collections.abc import Iterator

from evaluators.findings.context import Context
from evaluators.findings.registry import Hit, rule
from evaluators.model import Elements

ELEMENT_LABELS: dict[str, str] = {
    "time": "时间",
    "people": "参与的人",
    "action": "做什么",
    "benefit": "对客户的好处",
}


def best_ask(ctx: Context) -> tuple[int, Elements] | None:
    """The commitment ask naming the most elements (the latest among equals), or None without any ask."""
    best: tuple[int, Elements] | None = None
    for i in ctx.rep_with_act("commitment"):
        elements = ctx.label(i).elements or Elements()
        if best is None or elements.count() >= best[1].count():
            best = (i, elements)
    return best


@rule("commitment_not_asked")
def ask_for_action_commitment(ctx: Context) -> Iterator[Hit]:
    """见客户最重要的目的就是获取客户的行动承诺 / 1、开口要 — the rep never asks for a commitment."""
    if best_ask(ctx) is None:
        yield Hit(None)


@rule("commitment_incomplete")
def four_elements_of_commitment(ctx: Context) -> Iterator[Hit]:
    """行动承诺四个要素:时间、人、行动、利益 — every ask misses one; the best ask's missing ones are named."""
    best = best_ask(ctx)
    if best is None:
        return
    turn, elements = best
    missing = elements.missing()
    if missing:
        names = "、".join(ELEMENT_LABELS[name] for name in missing)
        yield Hit(turn, {"missing": names}, units=len(missing))
