"""Citations: the passage of the book a finding rests on.

`cite(query, section_hint)` looks among the passages whose heading path contains `section_hint` (the whole
book when none does) and returns the one sharing the most character bigrams with `query` (heading passages, which hold
nothing but a title, are never cited). It is pure
Python over the Markdown (no index, no Chroma, no jieba), cached, and deterministic, so scoring stays fast
and every finding's reference is stable from run to run.
"""

from __future__ import annotations

from functools import lru_cache

from knowledge.book import Passage, load_passages
from knowledge.text import char_ngrams


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(char_ngrams(text, sizes=(2,)))


@lru_cache(maxsize=1)
def _indexed() -> tuple[tuple[Passage, frozenset[str]], ...]:
    return tuple((p, _bigrams(f"{p.section} {p.text}")) for p in load_passages() if not p.heading)


@lru_cache(maxsize=512)
def cite(query: str, section_hint: str = "") -> dict[str, str] | None:
    """`{"section": heading path, "text": passage}` best matching `query` under `section_hint`, or None."""
    passages = _indexed()
    candidates = [(p, grams) for p, grams in passages if section_hint and section_hint in p.section] or list(
        passages
    )
    wanted = _bigrams(query)
    if not wanted or not candidates:
        return None
    best, overlap = max(
        ((p, len(wanted & grams) / len(wanted)) for p, grams in candidates),
        key=lambda pair: (pair[1], -pair[0].order),
    )
    if overlap == 0.0:
        return None
    return {"section": best.section, "text": best.text}
