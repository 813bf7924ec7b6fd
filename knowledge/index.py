"""The searchable book: passages in Chroma (vectors) plus BM25 over jieba tokens (lexical), fused.

A query is cleaned and widened by the synonym layer (knowledge.synonyms: 拍板 → 决策); BM25 scores it against
each passage (its heading path and text) and against the rep's phrasings of each heading
(knowledge.phrases: "约了好几次都约不到人" → 客户为什么不见你), whose best match counts for the passages under
that heading; cosine similarity from Chroma is added; a section several passages of which match rises as a
whole (knowledge.rank.aggregate), and the first passage of each section comes before a second of any.

Layout of an index directory:
    manifest.json   what was built: book and data fingerprints, embedder name, passage count, format version
    passages.json   the passages with their search tokens (the lexical side needs no Chroma)
    phrases.json    the rep's phrasings with their tokens (words and character bigrams) and their passages
    vocabulary.txt  the book's words, the dictionary of the search tokenizer
    chroma/         a Chroma PersistentClient holding one collection of vectors

A build writes a sibling temporary directory and swaps it in whole, so a failed or interrupted build never
leaves a half-written index; an index that is missing, stale (the book changed, another embedder) or
unreadable is rebuilt by `ensure_index`.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from knowledge.book import BOOK_DIR, Passage, fingerprint, load_passages
from knowledge.embeddings import Embedder
from knowledge.phrases import PHRASES, phrases_for
from knowledge.rank import Bm25, aggregate, diversify, normalised
from knowledge.synonyms import NOISE_WORDS, SYNONYMS, book_terms, expand_query, noise_words
from knowledge.text import DATA_DIR, Tokenizer, book_vocabulary, char_ngrams, clean_query, write_vocabulary

FORMAT_VERSION = 3
COLLECTION = "book"
VOCABULARY = "vocabulary.txt"
# The data files that shape the index besides the book: a change to any of them makes it stale.
DATA_FILES = (PHRASES, SYNONYMS, NOISE_WORDS, DATA_DIR / "terms.txt")
# Weight of the lexical (BM25) side in the fused score; the vector side gets the rest. Measured in
# benchmarks/bench_retrieval.py: hashed n-gram vectors alone rank worse than BM25, and help a little as
# a tie-breaker; a semantic embedder deserves a lower weight.
DEFAULT_LEXICAL_WEIGHT = 0.8

Progress = Callable[[int, int], None]


class IndexUnavailable(RuntimeError):
    """The index cannot be opened (missing, stale or corrupted)."""


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """How a query is ranked; every piece can be switched off (benchmarks/bench_retrieval.py measures each).

    lexical_weight  share of BM25 (passages and phrasings) in the fused score; vectors get the rest
    phrase_weight   share of the rep's phrasings within the lexical side
    phrase_spread   a broad heading's phrasing: the share for the passages below it other than the best one
    phrase_second   the weight of a passage's second-best phrasing (its best counts in full)
    noise_weight    the weight of a word of the rep's situation (knowledge.synonyms.noise_words: 医院, 科长)
    aggregate       section-level aggregation: `aggregate_weight` × the section's other best passages
    diversify       one passage of each section before a second of any
    """

    synonyms: bool = True
    phrases: bool = True
    aggregate: bool = True
    diversify: bool = True
    bigrams: bool = True
    lexical_weight: float = DEFAULT_LEXICAL_WEIGHT
    phrase_weight: float = 0.65
    aggregate_weight: float = 0.1
    phrase_spread: float = 0.3
    phrase_second: float = 0.3
    noise_weight: float = 0.0


@dataclass(frozen=True, slots=True)
class Hit:
    section: str
    text: str
    score: float
    id: str

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "text": self.text, "score": round(self.score, 4)}


def _document(passage: Passage) -> str:
    # The heading path is the best summary of a passage: it is indexed with the text, twice.
    heads = " ".join(passage.headings)
    return f"{heads}\n{heads}\n{passage.text}"


def _bigrams(text: str) -> list[str]:
    # Character bigrams match an everyday word however it is segmented (约不到 / 约不上 share 约不).
    return [f"~{g}" for g in char_ngrams(text, sizes=(2,))]


def data_fingerprint(files: tuple[Path, ...] | None = None) -> str:
    """A hash of the data files the index is built from besides the book (`DATA_FILES`)."""
    import hashlib

    digest = hashlib.blake2b(digest_size=12)
    for path in DATA_FILES if files is None else files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _chroma(path: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def build_index(
    index_dir: Path, embedder: Embedder, *, book_dir: Path = BOOK_DIR, progress: Progress | None = None
) -> dict[str, Any]:
    """Build the whole index into `index_dir` (replaced atomically). Returns the manifest."""
    passages = load_passages(book_dir, merge=False)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = index_dir.with_name(f".{index_dir.name}.tmp-{uuid.uuid4().hex[:12]}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        phrases = phrases_for(passages)
        texts = [_document(p) for p in passages] + [ph.text for ph in phrases]
        write_vocabulary(book_vocabulary(texts, book_terms()), tmp / VOCABULARY)
        tokenizer = Tokenizer(tmp / VOCABULARY)
        rows = []
        for i, passage in enumerate(passages):
            rows.append(
                {
                    "id": passage.id,
                    "section": passage.section,
                    "text": passage.text,
                    "heading": passage.heading,
                    "tokens": tokenizer.tokens(_document(passage)),
                }
            )
            if progress:
                progress(i + 1, 2 * len(passages))
        (tmp / "passages.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        phrase_rows = [
            {
                "key": ph.key,
                "text": ph.text,
                "tokens": tokenizer.tokens(ph.text) + _bigrams(ph.text),
                "passages": [passages[i].id for i in ph.passages],
            }
            for ph in phrases
        ]
        (tmp / "phrases.json").write_text(json.dumps(phrase_rows, ensure_ascii=False), encoding="utf-8")
        collection = _chroma(tmp / "chroma").create_collection(
            COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine", "embedder": embedder.name}
        )
        batch = 64
        for start in range(0, len(passages), batch):
            chunk = passages[start : start + batch]
            collection.add(
                ids=[p.id for p in chunk],
                embeddings=embedder.embed([_document(p) for p in chunk]),
                documents=[p.text for p in chunk],
                metadatas=[{"section": p.section, "order": p.order} for p in chunk],
            )
            if progress:
                progress(len(passages) + start + len(chunk), 2 * len(passages))
        manifest = {
            "version": FORMAT_VERSION,
            "fingerprint": fingerprint(book_dir),
            "data": data_fingerprint(),
            "embedder": embedder.name,
            "passages": len(passages),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        _forget_clients()
        _swap(tmp, index_dir)
        return manifest
    except BaseException:
        _forget_clients()
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _forget_clients() -> None:
    # Chroma caches one client per path in the process; after a swap the cached ones point at moved files.
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def _swap(new: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:12]}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def stale_reason(index_dir: Path, embedder: Embedder, *, book_dir: Path = BOOK_DIR) -> str | None:
    """Why the index must be (re)built, in Chinese, or None when it is current."""
    manifest = read_manifest(index_dir)
    if manifest is None:
        return "知识库索引不存在或已损坏"
    if manifest.get("version") != FORMAT_VERSION:
        return "知识库索引格式已更新"
    if manifest.get("embedder") != embedder.name:
        return f"知识库索引由 {manifest.get('embedder')} 生成,当前配置为 {embedder.name}"
    if manifest.get("fingerprint") != fingerprint(book_dir):
        return "书的内容已变化"
    if manifest.get("data") != data_fingerprint():
        return "检索用的同义词或说法表已变化"
    return None


class BookIndex:
    """An opened index. `search` is safe to call from several threads (it only reads)."""

    def __init__(
        self,
        index_dir: Path,
        embedder: Embedder,
        *,
        options: SearchOptions | None = None,
        lexical_weight: float | None = None,
    ) -> None:
        try:
            rows = json.loads((index_dir / "passages.json").read_text(encoding="utf-8"))
            phrases = json.loads((index_dir / "phrases.json").read_text(encoding="utf-8"))
            self._rows: list[dict[str, Any]] = [dict(r, tokens=list(r["tokens"])) for r in rows]
            self._tokenizer = Tokenizer(index_dir / VOCABULARY)
            self._collection = _chroma(index_dir / "chroma").get_collection(
                COLLECTION, embedding_function=None
            )
            self._position = {r["id"]: i for i, r in enumerate(self._rows)}
            self._bm25 = Bm25([r["tokens"] for r in self._rows])
            self._phrase_bm25 = Bm25([ph["tokens"] for ph in phrases])
            self._phrase_targets = [[self._position[pid] for pid in ph["passages"]] for ph in phrases]
        except Exception as exc:  # any unreadable part means the index is unusable as a whole
            raise IndexUnavailable(f"知识库索引无法打开:{exc}") from exc
        self._groups = [r["section"] for r in self._rows]
        self._embedder = embedder
        self.options = options or SearchOptions()
        if lexical_weight is not None:
            self.lexical_weight = lexical_weight

    @property
    def lexical_weight(self) -> float:
        return self.options.lexical_weight

    @lexical_weight.setter
    def lexical_weight(self, weight: float) -> None:
        self.options = replace(self.options, lexical_weight=weight)

    def __len__(self) -> int:
        return len(self._rows)

    def _phrase_scores(
        self, tokens: list[str], base: list[float], weights: dict[str, float] | None
    ) -> list[float]:
        """For each passage, the best BM25 score of a phrasing that stands for it (plus `phrase_second` × the
        second best: two phrasings that match count more than one). A phrasing of a heading
        with several passages below it gives its full score to the one of them that `base` (the passages'
        own scores) ranks first and `spread` of it to the others, so a broad heading's phrasing lifts its
        subtree without letting all of it crowd the top."""
        spread = self.options.phrase_spread
        best = [0.0] * len(self._rows)
        second = [0.0] * len(self._rows)
        for score, targets in zip(
            self._phrase_bm25.scores(tokens, weights), self._phrase_targets, strict=True
        ):
            if score > 0:
                lead = max(targets, key=lambda i: (base[i], -i))
                for i in targets:
                    value = score if i == lead else spread * score
                    if value > best[i]:
                        best[i], second[i] = value, best[i]
                    elif value > second[i]:
                        second[i] = value
        return [b + self.options.phrase_second * s for b, s in zip(best, second, strict=True)]

    def _vector_scores(self, text: str) -> list[float]:
        out = [0.0] * len(self._rows)
        result = self._collection.query(
            query_embeddings=self._embedder.embed([text]), n_results=len(self._rows), include=["distances"]
        )
        for pid, distance in zip(result["ids"][0], result["distances"][0], strict=True):
            if pid in self._position:
                out[self._position[pid]] = 1.0 - float(distance)
        return out

    def scores(self, query: str) -> list[float]:
        """The fused score of every passage for a query (cleaned first; QueryError on an unusable query)."""
        opts = self.options
        text = clean_query(query)
        if opts.synonyms:
            text = expand_query(text)
        tokens = self._tokenizer.tokens(text)
        weights = dict.fromkeys(noise_words(), opts.noise_weight) if opts.noise_weight != 1.0 else None
        passages = normalised(self._bm25.scores(tokens, weights))
        vectors = self._vector_scores(text) if opts.lexical_weight < 1.0 else [0.0] * len(self._rows)
        lexical = passages
        if opts.phrases:
            base = [
                opts.lexical_weight * a + (1 - opts.lexical_weight) * v
                for a, v in zip(passages, vectors, strict=True)
            ]
            phrased = normalised(
                self._phrase_scores(tokens + (_bigrams(text) if opts.bigrams else []), base, weights)
            )
            lexical = [
                (1 - opts.phrase_weight) * a + opts.phrase_weight * b
                for a, b in zip(passages, phrased, strict=True)
            ]
        scores = [
            opts.lexical_weight * s + (1 - opts.lexical_weight) * v
            for s, v in zip(lexical, vectors, strict=True)
        ]
        if opts.aggregate:
            scores = aggregate(scores, self._groups, weight=opts.aggregate_weight)
        return scores

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The k best passages for a query (cleaned first; QueryError on an unusable query)."""
        k = max(1, min(int(k), len(self._rows)))
        scores = self.scores(query)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        if self.options.diversify:
            order = diversify(order, self._groups)
        return [
            Hit(self._rows[i]["section"], self._rows[i]["text"], scores[i], self._rows[i]["id"])
            for i in order[:k]
        ]


def ensure_index(
    index_dir: Path, embedder: Embedder, *, log: Callable[[str], None] | None = None, **kwargs: Any
) -> BookIndex:
    """Open the index, building it first when it is missing, stale or corrupted."""
    reason = stale_reason(index_dir, embedder)
    if reason is None:
        try:
            return BookIndex(index_dir, embedder, **kwargs)
        except IndexUnavailable as exc:
            reason = str(exc)
    if log:
        log(f"{reason},正在重建……")
    build_index(index_dir, embedder)
    return BookIndex(index_dir, embedder, **kwargs)
