"""The sentences of a passage that answer a question, for the Ask-the-book panel without an LLM.

A passage is cut into its sentences (its lines, and within a line at 。;!?); each is scored by the share of
the question's character bigrams it holds (per square root of its own bigrams, so a long line does not win by
length), the synonym layer's book terms counting too (拍板 → 决策). The best sentence and those within reach
of it (at most `most`) are marked. Pure Python, no index needed.
"""

from __future__ import annotations

import re
from html import escape
from typing import TypedDict

from knowledge.synonyms import expansions
from knowledge.text import char_ngrams

_SENTENCE_END = re.compile(r"(?<=[。;;!!??])")


class Segment(TypedDict):
    text: str
    mark: bool


def sentences(text: str) -> list[str]:
    """The passage's sentences in order, each keeping its punctuation; joined they give the text back."""
    out: list[str] = []
    lines = text.split("\n")
    for n, line in enumerate(lines):
        parts = [p for p in _SENTENCE_END.split(line) if p]
        if n < len(lines) - 1:
            parts = parts or [""]
            parts[-1] += "\n"
        out.extend(p for p in parts if p)
    return out


def _grams(text: str) -> set[str]:
    return set(char_ngrams(text, sizes=(2,)))


def highlight(question: str, text: str, *, most: int = 2, reach: float = 0.6) -> list[Segment]:
    """The passage as segments, the sentences that best answer `question` marked."""
    parts = sentences(text)
    wanted = _grams(question) | {g for term in expansions(question) for g in _grams(term)}
    scores = []
    for part in parts:
        grams = _grams(part)
        scores.append(len(grams & wanted) / (len(grams) ** 0.5) if grams and wanted else 0.0)
    best = max(scores, default=0.0)
    chosen: set[int] = set()
    if best > 0:
        ranked = sorted(range(len(parts)), key=lambda i: (-scores[i], i))
        chosen = {i for i in ranked[:most] if scores[i] >= reach * best}
    return [Segment(text=part, mark=i in chosen) for i, part in enumerate(parts)]


def marked_html(segments: list[Segment], *, newline: str = " · ") -> str:
    """The segments as safe HTML: every text escaped, the marked ones in <mark>, line breaks as `newline`."""
    out = []
    for seg in segments:
        body = escape(seg["text"].rstrip("\n"))
        out.append(f"<mark>{body}</mark>" if seg["mark"] else body)
        if seg["text"].endswith("\n"):
            out.append(escape(newline))
    return "".join(out)
