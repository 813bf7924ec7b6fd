"""The rep's words for each part of the book (`data/rep_phrases.yaml`: heading → everyday phrasings).

A key names one heading: either part of a single heading's title ("障碍五", "让客户把话说完") or, with " / ",
part of a heading path. The phrasings belong to every passage under that heading (its own passages and those
of the headings below it). The index keeps each phrasing as a small document of its own that points at those
passages, so a question worded like one phrasing finds its passages even when it shares no word with the book.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from knowledge.book import SEPARATOR, Passage

PHRASES = Path(__file__).resolve().parent / "data" / "rep_phrases.yaml"


@dataclass(frozen=True, slots=True)
class Phrase:
    """One everyday phrasing and the passages (positions in the book's passage list) it stands for."""

    key: str
    text: str
    passages: tuple[int, ...]


@lru_cache(maxsize=4)
def rep_phrases(path: Path = PHRASES) -> dict[str, tuple[str, ...]]:
    import yaml

    raw = (
        yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        or {}
    )
    return {str(k): tuple(str(v) for v in (vs or [])) for k, vs in raw.items()}


def _heading_paths(passages: Sequence[Passage]) -> list[tuple[str, ...]]:
    return [tuple(p.section.split(SEPARATOR)) for p in passages]


def named_heading(key: str, passages: Sequence[Passage]) -> tuple[str, ...] | None:
    """The heading path a key names, or None when it names none or several unrelated headings."""
    paths = _heading_paths(passages)
    if SEPARATOR in key:
        found = {
            path[:n] for path in paths for n in range(1, len(path) + 1) if key in SEPARATOR.join(path[:n])
        }
    else:
        found = {path[:n] for path in paths for n in range(1, len(path) + 1) if key in path[n - 1]}
    if not found:
        return None
    top = min(found, key=len)
    # Several matches are one heading only when they all lie under the shortest one (第二节 X / 一、X).
    return top if all(path[: len(top)] == top for path in found) else None


def resolve(key: str, passages: Sequence[Passage]) -> tuple[int, ...]:
    """Positions of the passages under the heading `key` names (empty when it names none or several)."""
    heading = named_heading(key, passages)
    if heading is None:
        return ()
    return tuple(i for i, path in enumerate(_heading_paths(passages)) if path[: len(heading)] == heading)


def phrases_for(passages: Sequence[Passage], path: Path = PHRASES) -> list[Phrase]:
    """Every phrasing of the data file with the passages it stands for (keys that name no heading are skipped;
    tests/knowledge/test_phrases.py keeps there being none)."""
    out: list[Phrase] = []
    for key, texts in rep_phrases(path).items():
        targets = resolve(key, passages)
        if targets:
            out.extend(Phrase(key, text, targets) for text in texts)
    return out


def unresolved_keys(passages: Sequence[Passage], path: Path = PHRASES) -> list[str]:
    """Keys that name no heading or several unrelated ones (a data error)."""
    return [key for key in rep_phrases(path) if named_heading(key, passages) is None]
