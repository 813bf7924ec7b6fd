"""The synonym layer: everyday words → the book's terms (`data/synonyms.yaml`), applied to a query before search.

"约了几次都约不到人" holds 约不到, which adds 约访 and 客户为什么不见你; "老板最后拍板" holds 拍板, which adds 决策.
A key is matched as a substring of the normalised query, so it needs no segmentation; a `*` in a key stands
for up to six other characters (压*价 matches 压我们价格, 一直压价). An added term is a word of the book (it is
put into the search vocabulary when the index is built).

`noise_words()` (data/noise_words.txt) are the words of a rep's situation rather than of the question — the
industry, the product, the customer's title (医院, 拼接屏, 科长): the book mentions a few of them in its
examples, and they would pull those passages up; the search counts them at a fraction of their weight.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
SYNONYMS = DATA_DIR / "synonyms.yaml"
NOISE_WORDS = DATA_DIR / "noise_words.txt"
GAP = ".{0,6}"


@lru_cache(maxsize=4)
def synonyms(path: Path = SYNONYMS) -> dict[str, tuple[str, ...]]:
    """Everyday word → the book's terms, longest words first (so the most specific ones are listed first)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the table loads in a few ms
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
    table = {
        unicodedata.normalize("NFKC", str(k)).lower(): tuple(str(v) for v in vs) for k, vs in raw.items()
    }
    return dict(sorted(table.items(), key=lambda kv: (-len(kv[0]), kv[0])))


@lru_cache(maxsize=4)
def _patterns(path: Path = SYNONYMS) -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    return tuple(
        (re.compile(GAP.join(map(re.escape, k.split("*")))), v) for k, v in synonyms(path).items() if "*" in k
    )


@lru_cache(maxsize=4)
def noise_words(path: Path = NOISE_WORDS) -> frozenset[str]:
    """Words of the rep's situation (one a line, `#` comments), lower-cased."""
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(unicodedata.normalize("NFKC", w).lower() for line in lines for w in line.split())


def book_terms() -> set[str]:
    """Every term the layer can add (they must be search tokens)."""
    return {term for terms in synonyms().values() for term in terms}


def expansions(text: str) -> list[str]:
    """The book's terms for the everyday words in `text`, each once, in the table's order (none it has)."""
    query = unicodedata.normalize("NFKC", text).lower()
    seen: dict[str, None] = {}
    found = [terms for word, terms in synonyms().items() if "*" not in word and word in query]
    found += [terms for pattern, terms in _patterns() if pattern.search(query)]
    for terms in found:
        for term in terms:
            if term not in query:
                seen.setdefault(term, None)
    return list(seen)


def expand_query(text: str) -> str:
    """The query with the book's terms added for the everyday words it uses."""
    extra = expansions(text)
    return f"{text} {' '.join(extra)}" if extra else text
