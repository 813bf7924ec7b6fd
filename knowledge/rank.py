"""Ranking pieces of the book search: a sparse BM25, and section-level aggregation of passage scores.

`Bm25` is Okapi BM25 over an inverted index (a query touches only the documents holding its tokens, so
scoring a thousand phrasings costs well under a millisecond). `aggregate` lets a section whose several
passages match a query rank above a section with one lucky passage, and `diversify` puts one passage of each
section first, so that three passages of one section do not crowd the top three.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence


class Bm25:
    """Okapi BM25 (k1, b) with the usual non-negative idf, over pre-tokenized documents."""

    def __init__(self, documents: Sequence[Sequence[str]], *, k1: float = 1.5, b: float = 0.75) -> None:
        self.size = len(documents)
        lengths = [len(d) for d in documents]
        average = (sum(lengths) / self.size) if self.size else 0.0
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, doc in enumerate(documents):
            norm = k1 * (1 - b + b * lengths[i] / average) if average else k1
            for token, tf in Counter(doc).items():
                self._postings[token].append((i, tf * (k1 + 1) / (tf + norm)))
        self._idf = {
            t: math.log(1 + (self.size - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self._postings.items()
        }

    def scores(self, query: Sequence[str], weights: Mapping[str, float] | None = None) -> list[float]:
        """One score per document; a token repeated in the query counts once, a token in `weights` counts
        that much (1 otherwise)."""
        out = [0.0] * self.size
        for token in dict.fromkeys(query):
            idf = self._idf.get(token)
            if idf is None:
                continue
            if weights is not None:
                idf *= weights.get(token, 1.0)
            for i, weight in self._postings[token]:
                out[i] += idf * weight
        return out


def normalised(scores: Sequence[float]) -> list[float]:
    """Scores divided by the best one (all zeros stay zeros)."""
    top = max(scores, default=0.0)
    return [s / top for s in scores] if top > 0 else [0.0] * len(scores)


def aggregate(
    scores: Sequence[float], groups: Sequence[str], *, weight: float, depth: int = 3
) -> list[float]:
    """Each passage's score plus `weight` × the best scores of the other passages of its section (up to
    `depth` passages counted in all): a section several passages of which match the query rises as a whole."""
    members: dict[str, list[int]] = defaultdict(list)
    for i, group in enumerate(groups):
        members[group].append(i)
    out = []
    for i, group in enumerate(groups):
        others = sorted((scores[j] for j in members[group] if j != i), reverse=True)[: depth - 1]
        out.append(scores[i] + weight * sum(others))
    return out


def diversify(order: Sequence[int], groups: Sequence[str]) -> list[int]:
    """The ranking with the first passage of each section first, then the others in their order."""
    seen: set[str] = set()
    first: list[int] = []
    rest: list[int] = []
    for i in order:
        (rest if groups[i] in seen else first).append(i)
        seen.add(groups[i])
    return first + rest
