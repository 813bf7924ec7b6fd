"""约访 (appointment call) rules — 第二篇 转化商机 / 第二章 转化商机 (因价值而见, 20个约访技巧, 激发兴趣)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from evaluators.findings.context import Context
from evaluators.findings.lexicon import Lexicon, NameRule
from evaluators.findings.registry import Hit, rule

# The four parts of the opening, in the order the message names them (打电话前15秒:公司、职务、全名、目的).
INTRO_PARTS: tuple[tuple[str, str], ...] = (
    ("company", "公司"),
    ("title", "职务"),
    ("name", "全名"),
    ("purpose", "来电目的"),
)
_SENTENCE_END = re.compile(r"[。!!??;;\n]")


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def self_introduction(text: str, lex: Lexicon) -> str:
    """The sentence in which the rep introduces themself.

    From the first self marker (我是/我叫/…) to the end of that sentence; without a marker, the message
    after its greeting (王主任您好,…), so that the customer's own title in the greeting is not read as the rep's.
    """
    starts = [pos for marker in lex.self_markers if (pos := text.find(marker)) >= 0]
    if starts:
        start = min(starts)
        end = _SENTENCE_END.search(text, start)
        return text[start : end.start() if end else len(text)]
    greeting = lex.greeting.match(text)
    return text[greeting.end() :] if greeting else text


def has_full_name(segment: str, rules: NameRule) -> bool:
    """True when `segment` holds a Chinese full name: surname + one or two given-name characters.

    The name must stand alone: preceded by the start, punctuation, a self marker or a title (销售经理陈志远),
    followed by the end, punctuation or a few linking words (陈志远给您…). 小王 / 老李 (nicknames), 王总 /
    李工 / 陈经理 (surname + title) are not full names.
    """
    for i, char in enumerate(segment):
        compound = next((c for c in rules.compound_surnames if segment.startswith(c, i)), None)
        if compound is None and char not in rules.surnames:
            continue
        prev = segment[i - 1] if i else ""
        if prev in rules.nickname_prefixes and prev:
            continue
        if prev and _is_cjk(prev) and prev not in rules.preceders:
            continue
        surname_len = len(compound) if compound else 1
        for given_len in (2, 1):
            stop = i + surname_len + given_len
            given = segment[i + surname_len : stop]
            if len(given) != given_len or not all(_is_cjk(c) and c not in rules.stop_chars for c in given):
                continue
            rest = segment[stop:]
            if not rest or not _is_cjk(rest[0]) or rest.startswith(rules.followers):
                return True
    return False


def intro_parts(text: str, lex: Lexicon) -> dict[str, bool]:
    """Which of company / title / name / purpose the opening message names."""
    segment = self_introduction(text, lex)
    return {
        "company": lex.company.search(segment) or lex.company_of.search(segment),
        "title": lex.title.search(segment),
        "name": has_full_name(segment, lex.name),
        "purpose": lex.purpose.search(text),
    }


@rule("intro_incomplete")
def self_introduction_in_first_15_seconds(ctx: Context) -> Iterator[Hit]:
    """打电话前15秒,要介绍自己的公司、职务、全名,还要……表明目的 — checked on the rep's first message."""
    first = ctx.first_rep
    found = intro_parts(ctx.turns[first].text, ctx.lex)
    missing = [label for key, label in INTRO_PARTS if not found[key]]
    if missing:
        yield Hit(first, {"missing": "、".join(missing)}, units=len(missing))


@rule("pitch_in_appointment")
def no_product_talk_in_appointment(ctx: Context) -> Iterator[Hit]:
    """约访电话里严禁介绍产品,只说公司不说产品 — every rep message whose act is `pitch`."""
    for i in ctx.rep_with_act("pitch"):
        yield Hit(i, {"excerpt": excerpt(ctx.turns[i].text)})


def says_meeting_length(text: str, lex: Lexicon) -> bool:
    """A duration in a clause about the meeting (the same clause or a neighbour): 聊半小时, 占用您四十分钟."""
    clauses = [c for c in lex.clause_end.split(text) if c.strip()]
    for k, clause in enumerate(clauses):
        if lex.duration.search(clause) is None:
            continue
        window = "".join(clauses[max(0, k - 1) : k + 2])
        if lex.meeting_context.search(window):
            return True
    return False


@rule("no_meeting_length")
def state_meeting_length(ctx: Context) -> Iterator[Hit]:
    """17、说明会谈时间长度,降低会谈成本 — no rep message says how long the meeting takes."""
    if not any(says_meeting_length(ctx.turns[i].text, ctx.lex) for i in ctx.rep):
        yield Hit(ctx.anchor_for_ask())


@rule("no_choice_offered")
def give_customer_a_choice(ctx: Context) -> Iterator[Hit]:
    """10、给予客户选择空间 — no rep message offers two times to choose from (二选一)."""
    if not any(ctx.lex.choice_of_times.search(ctx.turns[i].text) for i in ctx.rep):
        yield Hit(ctx.anchor_for_ask())


@rule("no_tentative_confirm")
def tentative_technique(ctx: Context) -> Iterator[Hit]:
    """18、重复名字,利用"暂定"技巧 — the customer picked a time after the last ask, and the rep's next message
    does not restate it. Silent when the customer put the meeting off or the transcript ends there."""
    asks = ctx.rep_with_act("commitment")
    if not asks:
        return
    turns, lex = ctx.turns, ctx.lex
    after = turns[asks[-1] + 1 :]
    reply = next((turn for turn in after if not turn.is_rep), None)
    if reply is None or lex.time.search(reply.text) is None or lex.put_off.search(reply.text):
        return
    confirm = next((turn for turn in turns[reply.index + 1 :] if turn.is_rep), None)
    if confirm is not None and lex.time.search(confirm.text) is None:
        yield Hit(confirm.index)


def interest_triggers(ctx: Context) -> list[str]:
    """The keys of the interest triggers (fear, curiosity, pressure, showing_off) the rep's messages use."""
    return [
        key
        for key, (_, matcher) in ctx.lex.triggers.items()
        if any(matcher.search(ctx.turns[i].text) for i in ctx.rep)
    ]


@rule("no_interest_trigger")
def interest_triggers_fear_curiosity_pressure_show(ctx: Context) -> Iterator[Hit]:
    """激发兴趣的四个触发器:恐惧、好奇、压力、炫耀 — the call uses none of them."""
    if not interest_triggers(ctx):
        yield Hit(ctx.anchor_for_ask())


def excerpt(text: str, limit: int = 24) -> str:
    """The start of a message for a finding's message: at most `limit` characters, then an ellipsis."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"
