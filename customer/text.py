"""Text helpers of the customer engine: a card's topic keywords, echoes and repeats.

What a rep's message *says* (arguing, an introduction, empathy, a meeting length …) is not read here: the
engine reads it through `evaluators.reading`, the one reading shared with the scorer. These helpers only
compare the message with the card's own keywords and with earlier lines. Chinese keywords are matched as
substrings of the message with spaces and punctuation removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from evaluators.acts.lexicon import macros
from evaluators.acts.text import to_simplified

_PUNCT = re.compile(r"[\s,.!?;:'\"“”‘’、，。！？；：（）()\[\]【】《》<>…—\-~～·]+")


def normalize(text: str) -> str:
    """Simplified characters, lower-case, no spaces or punctuation: the form every match works on."""
    return _PUNCT.sub("", to_simplified(text).lower())


def hits(text: str, words: Iterable[str]) -> int:
    """How many distinct `words` occur in `text` (both normalised)."""
    norm = normalize(text)
    return sum(1 for w in set(words) if w and normalize(w) in norm)


def bigrams(text: str) -> set[str]:
    norm = normalize(text)
    return {norm[i : i + 2] for i in range(len(norm) - 1)} or ({norm} if norm else set())


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams, 0..1; used to spot a repeated question."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def echo_ratio(rep: str, customer: str) -> float:
    """Share of the rep's bigrams copied from the customer's line, 0..1; a parrot scores near 1."""
    x, y = bigrams(rep), bigrams(customer)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x)


@cache
def _time_regex() -> re.Pattern[str]:
    return re.compile(macros()["TIME"])


def first_time(text: str) -> str | None:
    """The first concrete time a message names ("周二上午十点" of "周二上午十点还是周四下午三点?")."""
    spans = [m.span() for m in _time_regex().finditer(text)]
    if not spans:
        return None
    start, end = spans[0]
    for s, e in spans[1:]:
        if s > end:  # joined pieces only: 周二 + 上午 + 十点
            break
        end = e
    return text[start:end]
