"""Text handling shared by the book index and the citations: query checks, tokens, character n-grams.

jieba's full dictionary is used once, when an index is built, to find the book's vocabulary; searching
then tokenizes with that small vocabulary (see `Tokenizer`), which keeps 行动承诺 or 黄金静默 one token
and loads in milliseconds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from peilian.errors import Invalid

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_QUERY_CHARS = 2000

_NOT_WORD = re.compile(r"[\W_]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Function words that carry no topic: they would only add noise to lexical ranking.
_STOPWORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "我",
        "你",
        "您",
        "他",
        "她",
        "它",
        "们",
        "在",
        "有",
        "和",
        "与",
        "及",
        "就",
        "不",
        "也",
        "都",
        "这",
        "那",
        "吗",
        "嘛",
        "呢",
        "吧",
        "啊",
        "呀",
        "么",
        "什么",
        "怎么",
        "怎样",
        "如何",
        "哪",
        "哪些",
        "哪个",
        "一",
        "个",
        "把",
        "被",
        "给",
        "让",
        "还",
        "到",
        "说",
        "会",
        "能",
        "可以",
        "应该",
        "该",
        "要",
        "时候",
        "这个",
        "那个",
        "这些",
        "那些",
        "一下",
        "到底",
        "为什么",
        "几",
        "哪几",
        "第",
        "篇",
        "章",
        "节",
        "算",
        "又",
        "再",
        "得",
        "地",
        "着",
        "过",
        "对",
        "从",
        "为",
        "并",
        "而",
        "或",
        "或者",
        "如果",
        "但是",
        "可是",
        "所以",
        "因为",
        "其",
        "之",
        "则",
        "等",
        "等等",
    ]
)


class QueryError(Invalid):
    """A search query that cannot be used; the message is one line for the user."""


def clean_query(query: Any) -> str:
    """Normalise a user's query (NFKC, control characters dropped, spaces folded) or raise QueryError."""
    if not isinstance(query, str):
        raise QueryError("查询必须是文本")
    if len(query) > MAX_QUERY_CHARS * 4:
        raise QueryError(f"查询过长:{len(query)} 个字符,最多 {MAX_QUERY_CHARS} 个")
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", query))
    text = " ".join(text.split())
    if not text:
        raise QueryError("查询为空:请输入要查找的问题或关键词")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"查询过长:{len(text)} 个字符,最多 {MAX_QUERY_CHARS} 个")
    return text


def _jieba() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def book_vocabulary(texts: Iterable[str], terms: Iterable[str] = ()) -> dict[str, int]:
    """The words of `texts` (the book and the rep's phrasings: jieba's full dictionary and HMM, run once at
    index build), the book's own terms (`data/terms.txt`) and `terms` (the synonym layer's), with jieba's
    word frequencies."""
    jieba = _jieba()
    words: set[str] = set(terms)
    for text in texts:
        words.update(jieba.cut_for_search(unicodedata.normalize("NFKC", text).lower()))
    for line in (DATA_DIR / "terms.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            words.add(line.split()[0])
    freq = jieba.dt.FREQ if jieba.dt.initialized else {}
    return {w: int(freq.get(w) or 20) for w in sorted(words) if len(w) > 1 and not _NOT_WORD.fullmatch(w)}


def write_vocabulary(vocabulary: dict[str, int], path: Path) -> None:
    path.write_text("".join(f"{w} {f}\n" for w, f in vocabulary.items()), encoding="utf-8")


class Tokenizer:
    """Search tokens over the book's own vocabulary (a few thousand words: it loads in milliseconds,
    where jieba's full dictionary takes over half a second). Documents and queries use the same one, so
    a word outside the book's vocabulary could never have matched anyway."""

    def __init__(self, vocabulary_path: Path) -> None:
        self._jieba = _jieba().Tokenizer(dictionary=str(vocabulary_path))
        self._jieba.initialize()

    def tokens(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).lower()
        return [
            t
            for t in self._jieba.cut_for_search(text, HMM=False)
            if t.strip() and not _NOT_WORD.fullmatch(t) and t not in _STOPWORDS
        ]


def char_ngrams(text: str, sizes: tuple[int, ...] = (1, 2, 3)) -> list[str]:
    """Character n-grams of each run of word characters (no n-gram crosses punctuation)."""
    grams: list[str] = []
    for run in _NOT_WORD.split(unicodedata.normalize("NFKC", text).lower()):
        for n in sizes:
            grams.extend(run[i : i + n] for i in range(len(run) - n + 1))
    return grams
