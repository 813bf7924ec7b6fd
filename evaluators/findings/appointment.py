"""约访 (appointment call) rules — 第二篇 转化商机 / 第二章 转化商机 (因价值而见, 20个约访技巧, 激发兴趣)."""

from __future__ import annotations

from collections.abc import Iterator

from evaluators.findings.context import Context
from evaluators.findings.registry import Hit, rule
from evaluators.reading import cue_lexicon
from evaluators.reading.intro import INTRO_PARTS, intro_parts

__all__ = ["INTRO_PARTS", "intro_parts"]  # re-exported: the opening's parts live in evaluators.reading


@rule("intro_incomplete")
def self_introduction_in_first_15_seconds(ctx: Context) -> Iterator[Hit]:
    """打电话前15秒,要介绍自己的公司、职务、全名,还要……表明目的 — checked on the rep's first message."""
    first = ctx.first_rep
    found = ctx.cue(first).intro_parts()
    missing = [label for key, label in INTRO_PARTS if not found[key]]
    if missing:
        yield Hit(first, {"missing": "、".join(missing)}, units=len(missing))


@rule("pitch_in_appointment")
def no_product_talk_in_appointment(ctx: Context) -> Iterator[Hit]:
    """约访电话里严禁介绍产品,只说公司不说产品 — every rep message whose act is `pitch`."""
    for i in ctx.rep_with_act("pitch"):
        yield Hit(i, {"excerpt": excerpt(ctx.turns[i].text)})


def rep_runs(ctx: Context) -> list[list[int]]:
    """The rep's turns grouped into runs said without the customer speaking in between."""
    runs: list[list[int]] = []
    for i in ctx.rep:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def times_the_ask(ctx: Context) -> bool:
    """A duration anywhere in a run of rep messages that asks for the meeting: in an appointment call the ask
    is the meeting, so "下周我过去…。大概需要一个多小时" says how long it takes even without a meeting word."""
    for run in rep_runs(ctx):
        if any(ctx.label(i).act == "commitment" for i in run) and any(ctx.cue(i).duration for i in run):
            return True
    return False


@rule("no_meeting_length")
def state_meeting_length(ctx: Context) -> Iterator[Hit]:
    """17、说明会谈时间长度,降低会谈成本 — no rep message says how long the meeting takes."""
    if not any(ctx.cue(i).meeting_length for i in ctx.rep) and not times_the_ask(ctx):
        yield Hit(None)


@rule("no_choice_offered")
def give_customer_a_choice(ctx: Context) -> Iterator[Hit]:
    """10、给予客户选择空间 — no rep message offers two times to choose from (二选一)."""
    if not any(ctx.cue(i).choice_of_times for i in ctx.rep):
        yield Hit(None)


@rule("no_tentative_confirm")
def tentative_technique(ctx: Context) -> Iterator[Hit]:
    """18、重复名字,利用"暂定"技巧 — the customer picked a time after the last ask, and the rep's next message
    does not restate it. Silent when the customer put the meeting off or the transcript ends there."""
    asks = ctx.rep_with_act("commitment")
    if not asks:
        return
    turns = ctx.turns
    after = turns[asks[-1] + 1 :]
    reply = next((turn for turn in after if not turn.is_rep), None)
    if reply is None or not ctx.cue(reply.index).times or ctx.cue(reply.index).put_off:
        return
    confirm = next((turn for turn in turns[reply.index + 1 :] if turn.is_rep), None)
    if confirm is not None and not ctx.cue(confirm.index).times:
        yield Hit(confirm.index)


def interest_triggers(ctx: Context) -> list[str]:
    """The keys of the interest triggers (fear, curiosity, pressure, showing_off) the rep's messages use."""
    used = {key for i in ctx.rep for key in ctx.cue(i).triggers}
    return [key for key in cue_lexicon().triggers if key in used]


@rule("no_interest_trigger")
def interest_triggers_fear_curiosity_pressure_show(ctx: Context) -> Iterator[Hit]:
    """激发兴趣的四个触发器:恐惧、好奇、压力、炫耀 — the call uses none of them."""
    if not interest_triggers(ctx):
        yield Hit(None)


def excerpt(text: str, limit: int = 24) -> str:
    """The start of a message for a finding's message: at most `limit` characters, then an ellipsis."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"
