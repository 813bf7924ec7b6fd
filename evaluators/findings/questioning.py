"""提问 and MEN rules — 第三篇 第三章 第三节 提问技巧 (探索类/控制类/确认类) and the MEN model
(期望、需求、动机); 第三篇 第四章 (绝不要绕过塑造期望的过程进入方案阶段)."""

from __future__ import annotations

from collections.abc import Iterator

from evaluators.findings.context import Context
from evaluators.findings.registry import Hit, rule


@rule("no_confirmation")
def confirmation_questions(ctx: Context) -> Iterator[Hit]:
    """确认类提问:信息一致、客户有被理解的感觉 — the visit has no `confirmation` act at all."""
    if not ctx.rep_with_act("confirmation"):
        yield Hit(None)


@rule("no_summary")
def mckinsey_summary_at_the_end(ctx: Context) -> Iterator[Hit]:
    """麦肯锡式确认 / 总结确认,查遗补缺:沟通最后环节,总结陈词 — none of the rep's last three messages is a
    `confirmation` of form `summary`."""
    last_three = ctx.rep[-3:]
    if not any(ctx.label(i).act == "confirmation" and ctx.label(i).form == "summary" for i in last_three):
        yield Hit(None)


def _explores(ctx: Context, focus: str) -> bool:
    return any(ctx.label(i).focus == focus for i in ctx.rep_with_act("exploratory"))


@rule("no_motive_probe")
def explore_motive(ctx: Context) -> Iterator[Hit]:
    """探索动机类信息(痛苦与企图心) — no `exploratory` question with focus `motive`."""
    if not _explores(ctx, "motive"):
        yield Hit(None)


@rule("no_need_probe")
def explore_need(ctx: Context) -> Iterator[Hit]:
    """探索需求类信息(目标、组织利益、障碍、不良影响) — no `exploratory` question with focus `need`."""
    if not _explores(ctx, "need"):
        yield Hit(None)


@rule("pitch_before_expectation")
def shape_expectation_before_solution(ctx: Context) -> Iterator[Hit]:
    """绝不要绕过塑造期望的过程进入方案阶段 — the first product pitch comes before any question about the
    customer's expectations, needs or motives."""
    for i in ctx.rep:
        label = ctx.label(i)
        if label.act == "exploratory" and label.focus in ("expectation", "need", "motive"):
            return
        if label.act == "pitch":
            yield Hit(i)
            return


@rule("control_before_exploratory")
def control_after_exploratory(ctx: Context) -> Iterator[Hit]:
    """控制类提问必须在探索类之后 — a `control` question before any `exploratory` one.

    Offering two meeting times (二选一) is a scheduling technique, not a leading question: it is skipped.
    """
    for i in ctx.rep:
        act = ctx.label(i).act
        if act == "exploratory":
            return
        if act == "control" and not ctx.cue(i).choice_of_times:
            yield Hit(i)
            return


@rule("too_few_questions")
def ask_more_than_tell(ctx: Context) -> Iterator[Hit]:
    """销售陈述太多,提问太少 (障碍四:失控) — under 30% of at least five rep messages are questions."""
    lex = ctx.limits
    if len(ctx.rep) >= lex.few_questions_min_messages and ctx.question_rate < lex.few_questions_max_rate:
        yield Hit(None, {"asked": len(ctx.questions), "messages": len(ctx.rep)})
