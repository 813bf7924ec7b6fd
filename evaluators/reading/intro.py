"""The opening of an appointment call (因价值而见 / 2、释疑:打电话前15秒,要介绍自己的公司、职务、全名,还要……
表明目的): which of its four parts the rep's first message names."""

from __future__ import annotations

import re

from evaluators.reading.cuelex import Lexicon, NameRule, OrgRule

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


def names_organisation(segment: str, rules: OrgRule) -> bool:
    """True when the self-introduction names an organisation without a usual suffix.

    A candidate comes from one of the places (我是X的…, X(的)<title>, 这边是X,); its self marker and trailing
    units, regions and functions are cut off (顺丰冷运华南大区 → 顺丰冷运). What is left must be 2 characters
    (华为), 3 when something was cut off — so 华东区 / 技术部 / 华南区 alone stay regions and departments —
    and not a duty or a phrase (负责华东区, 做冷链, 想跟您).
    """
    for place in rules.places:
        for match in place.finditer(segment):
            org, cut = _cut_units(rules.prefix.sub("", match.group("org")), rules.tail)
            if len(org) >= (3 if cut else 2) and not rules.reject.search(org):
                return True
    return False


def _cut_units(org: str, tail: re.Pattern[str]) -> tuple[str, bool]:
    """`org` without its trailing units, regions and functions (repeatedly), and whether anything was cut."""
    cut = False
    while org and (found := tail.search(org)):
        org, cut = org[: found.start()], True
    return org, cut


def intro_parts(text: str, lex: Lexicon) -> dict[str, bool]:
    """Which of company / title / name / purpose the opening message names."""
    segment = self_introduction(text, lex)
    return {
        "company": lex.company.search(segment) or names_organisation(segment, lex.organisation),
        "title": lex.title.search(segment),
        "name": has_full_name(segment, lex.name),
        "purpose": lex.purpose.search(text),
    }
