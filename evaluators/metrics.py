"""The scorecard's `metrics` and its `not_measured` list (CONTRACT.md §4, docs/scoring.md).

Silence metrics are measured from the times only: when a pause cannot be measured they are null and
`not_measured` says which check was skipped and why. Nothing is estimated.
"""

from __future__ import annotations

from statistics import median
from typing import Any

from evaluators.findings.appointment import interest_triggers
from evaluators.findings.commitment import best_ask
from evaluators.findings.context import Context
from evaluators.model import ACTS

FOCI: tuple[str, ...] = ("process", "expectation", "need", "motive")
FORMS: tuple[str, ...] = ("plain", "paraphrase", "summary")


def _ratio(value: float) -> float:
    return round(value, 3)


def not_measured(ctx: Context) -> list[dict[str, str]]:
    """The silence checks that could not be measured, each `{"check": name, "reason": 中文原因}`."""
    if ctx.replies_measured:
        return []
    timing = ctx.transcript.timing
    if not ctx.replies:
        reason = "没有客户说完后销售接话的回合,无法测量接话前的停顿"
    elif timing == "none":
        reason = "对话记录没有时间(t/end),黄金静默无法测量,不做估计"
    else:
        reason = "部分回合缺少时间(客户的 end 或销售的 t),黄金静默无法完整测量,不做估计"
    return [
        {"check": check, "reason": reason}
        for check in ("rushed_reply", "golden_silence_rate", "reply_pause_median")
    ]


def compute_metrics(ctx: Context) -> dict[str, Any]:
    """Figures about the conversation. Ratios are 0.0–1.0 rounded to 3 decimals; seconds to 0.1 s."""
    labels = [ctx.label(i) for i in ctx.rep]
    # replies_measured: every pause has its seconds
    pauses = [p.seconds for p in ctx.replies if p.seconds is not None] if ctx.replies_measured else None
    ask = best_ask(ctx)
    return {
        "talk_ratio": _ratio(ctx.talk_ratio),
        "question_rate": _ratio(ctx.question_rate),
        "golden_silence_rate": _ratio(sum(ctx.golden(s) for s in pauses) / len(pauses)) if pauses else None,
        "reply_pause_median": round(median(pauses), 1) if pauses else None,
        "questions_without_pause": sum(
            1 for p in ctx.followups if p.seconds is None or not ctx.golden(p.seconds)
        ),
        "longest_monologue": max(ctx.turns[i].chars for i in ctx.rep),
        "rep_chars": ctx.rep_chars,
        "customer_chars": ctx.customer_chars,
        "rep_messages": len(ctx.rep),
        "customer_messages": len(ctx.turns) - len(ctx.rep),
        "act_counts": {act: sum(label.act == act for label in labels) for act in ACTS},
        "focus_counts": {
            focus: sum(label.act == "exploratory" and label.focus == focus for label in labels)
            for focus in FOCI
        },
        "form_counts": {
            form: sum(label.act == "confirmation" and label.form == form for label in labels)
            for form in FORMS
        },
        "commitment_asks": sum(label.act == "commitment" for label in labels),
        "commitment_best_elements": ask[1].count() if ask else None,
        "interest_triggers": interest_triggers(ctx),
        "timing": ctx.transcript.timing,
    }
