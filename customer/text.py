"""Reading a rep's message beyond its dialogue act: lexicon cues, topic keywords, echoes and repeats.

All word lists live in customer/lexicon.yaml. Everything here is pure and fast (no tokenizer): Chinese
keywords are matched as substrings of the message with spaces and punctuation removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")
_PUNCT = re.compile(r"[\s,.!?;:'\"“”‘’、，。！？；：（）()\[\]【】《》<>…—\-~～·]+")


@lru_cache(maxsize=1)
def lexicon() -> dict[str, list[str]]:
    """The word lists of customer/lexicon.yaml, lower-cased and without spaces."""
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    return {k: [w.lower().replace(" ", "") if k != "duration" else w for w in v] for k, v in data.items()}


def normalize(text: str) -> str:
    """Lower-case, no spaces or punctuation: the form every match works on."""
    return _PUNCT.sub("", text.lower())


def hits(text: str, words: Iterable[str]) -> int:
    """How many distinct `words` occur in `text` (both normalised)."""
    norm = normalize(text)
    return sum(1 for w in set(words) if w and normalize(w) in norm)


def has_cue(text: str, name: str) -> bool:
    """Whether the message contains any word of the lexicon list `name`."""
    return hits(text, lexicon()[name]) > 0


def is_gaming(text: str) -> bool:
    """Asking for the hidden card or trying to reprogram the customer (see lexicon `gaming`)."""
    return has_cue(text, "gaming")


def is_intro(text: str) -> bool:
    return has_cue(text, "intro_self") and has_cue(text, "intro_org")


def names_duration(text: str) -> bool:
    return any(re.search(p, text) for p in lexicon()["duration"])


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
