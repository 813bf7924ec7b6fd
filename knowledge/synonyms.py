"""The synonym layer: everyday words → the book's terms (`data/synonyms.yaml`), applied to a query before search.

"约了几次都约不到人" holds 约不到, which adds 约访 and 客户为什么不见你; "老板最后拍板" holds 拍板, which adds 决策.
A key is matched as a substring of the normalised query, so it needs no segmentation; an added term is a
word of the book (it is put into the search vocabulary when the index is built).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
SYNONYMS = DATA_DIR / "synonyms.yaml"


@lru_cache(maxsize=4)
def synonyms(path: Path = SYNONYMS) -> dict[str, tuple[str, ...]]:
    """Everyday word → the book's terms, longest words first (so the most specific ones are listed first)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the table loads in a few ms
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
    table = {unicodedata.normalize("NFKC", str(k)).lower(): tuple(str(v) for v in vs) for k, vs in raw.items()}
    return dict(sorted(table.items(), key=lambda kv: (-len(kv[0]), kv[0])))


def book_terms() -> set[str]:
    """Every term the layer can add (they must be search tokens)."""
    return {term for terms in synonyms().values() for term in terms}


def expansions(text: str) -> list[str]:
    """The book's terms for the everyday words in `text`, each once, in the table's order (none it has)."""
    query = unicodedata.normalize("NFKC", text).lower()
    seen: dict[str, None] = {}
    for word, terms in synonyms().items():
        if word in query:
            for term in terms:
                if term not in query:
                    seen.setdefault(term, None)
    return list(seen)


def expand_query(text: str) -> str:
    """The query with the book's terms added for the everyday words it uses."""
    extra = expansions(text)
    return f"{text} {' '.join(extra)}" if extra else text
