"""倾听 (listening) rules — 第三篇 第三章 第四节 倾听技巧 (黄金静默, 永远不能与客户的认知争辩) and
障碍四:失控 (销售陈述太多,提问太少;停顿太少)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from evaluators.findings.appointment import excerpt
from evaluators.findings.context import Context
from evaluators.findings.registry import Hit, rule

_PUNCT_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def fmt_seconds(seconds: float) -> str:
    return f"{seconds:.1f}".rstrip("0").rstrip(".")


@rule("no_pause_after_question")
def golden_silence_after_question(ctx: Context) -> Iterator[Hit]:
    """黄金静默·销售提问阶段:提问之后立刻闭嘴 — the rep asked, then spoke again before the customer did,
    less than 4 s after the question ended (by times), or right after it (when the pair has no times)."""
    for pause in ctx.followups:
        if pause.seconds is None:
            yield Hit(pause.turn, {"question": pause.after, "gap": "未计时,紧接着"})
        elif not ctx.golden(pause.seconds):
            yield Hit(pause.turn, {"question": pause.after, "gap": f"仅隔 {fmt_seconds(pause.seconds)} 秒"})


@rule("explained_after_question")
def stop_talking_after_question(ctx: Context) -> Iterator[Hit]:
    """提问之后立刻闭嘴,不要反复解释 — inside one message, a question followed by a long explanation."""
    lex = ctx.limits
    for i in ctx.questions:
        text = ctx.turns[i].text.strip()
        marks = list(lex.question_mark.finditer(text))
        if not marks:
            continue
        tail = text[marks[-1].end() :]
        spoken = sum(1 for c in tail if c.isalnum())
        if spoken > lex.talk_after_question_chars:
            yield Hit(i, {"chars": spoken})


@rule("rushed_reply")
def golden_silence_after_answer(ctx: Context) -> Iterator[Hit]:
    """黄金静默·客户回答阶段:客户回答完毕后不要立刻接话,憋4秒 — with times, fewer than half of the rep's
    replies came 4 s or more after the customer finished. Not measured (never fires) without times."""
    if not ctx.replies_measured:
        return
    quick = [p for p in ctx.replies if not ctx.golden(p.seconds)]  # type: ignore[arg-type]
    waited = len(ctx.replies) - len(quick)
    if waited * 2 < len(ctx.replies):
        yield Hit(None, {"replies": len(ctx.replies), "waited": waited})


@rule("monologue")
def concise_not_monologue(ctx: Context) -> Iterator[Hit]:
    """简洁:不要啰嗦 / 给客户插话的机会 — a rep message longer than 120 characters. A 麦肯锡式 summary of
    what the customer said is the method (总结确认,查遗补缺), not a monologue."""
    for i in ctx.rep:
        label = ctx.label(i)
        if label.act == "confirmation" and label.form == "summary":
            continue
        chars = ctx.turns[i].chars
        if chars > ctx.limits.monologue_chars:
            yield Hit(i, {"chars": chars})


@rule("talk_ratio_high")
def customer_talks_more(ctx: Context) -> Iterator[Hit]:
    """销售陈述太多,提问太少 — the rep wrote more than 60% of all characters."""
    if ctx.talk_ratio > ctx.limits.talk_ratio_max:
        yield Hit(None, {"ratio": percent_above(ctx.talk_ratio, ctx.limits.talk_ratio_max)})


def percent_above(ratio: float, limit: float) -> str:
    """A share shown so that it reads above its limit: 60.4% over 60% is "60.4%", never "60%"."""
    shown = f"{ratio:.0%}"
    return shown if round(ratio * 100) > round(limit * 100) else f"{ratio:.1%}"


@rule("argued_with_customer")
def never_argue_with_customer(ctx: Context) -> Iterator[Hit]:
    """永远不能与客户的认知争辩 — a rep message, after the customer has spoken, that flatly contradicts them."""
    customer_spoke = False
    for turn in ctx.turns:
        if not turn.is_rep:
            customer_spoke = True
            continue
        if not customer_spoke:
            continue
        words = ctx.cue(turn.index).argue
        if words:
            yield Hit(turn.index, {"words": _PUNCT_EDGES.sub("", words), "excerpt": excerpt(turn.text)})


@rule("contempt")
def no_contempt(ctx: Context) -> Iterator[Hit]:
    """非专业信息 — the rep runs down the customer's practice or a competitor ("你们这套太落后了")."""
    for i in ctx.rep:
        words = ctx.cue(i).contempt
        if words:
            yield Hit(i, {"words": _PUNCT_EDGES.sub("", words), "excerpt": excerpt(ctx.turns[i].text)})
