"""The searchable book: passages in Chroma (vectors) plus BM25 over jieba tokens (lexical), fused.

Layout of an index directory:
    manifest.json   what was built: book fingerprint, embedder name, passage count, format version
    passages.json   the passages with their search tokens (the lexical side needs no Chroma)
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.book import BOOK_DIR, Passage, fingerprint, load_passages
from knowledge.embeddings import Embedder
from knowledge.text import Tokenizer, book_vocabulary, clean_query, expand_query, write_vocabulary

FORMAT_VERSION = 2
COLLECTION = "book"
VOCABULARY = "vocabulary.txt"
# Weight of the lexical (BM25) side in the fused score; the vector side gets the rest. Measured in
# benchmarks/bench_knowledge.py: hashed n-gram vectors alone rank worse than BM25, and help a little as
# a tie-breaker; a semantic embedder deserves a lower weight (PEILIAN_LEXICAL_WEIGHT).
DEFAULT_LEXICAL_WEIGHT = 0.8

Progress = Callable[[int, int], None]


class IndexUnavailable(RuntimeError):
    """The index cannot be opened (missing, stale or corrupted)."""


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


def _chroma(path: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def build_index(index_dir: Path, embedder: Embedder, *, book_dir: Path = BOOK_DIR, progress: Progress | None = None) -> dict[str, Any]:
    """Build the whole index into `index_dir` (replaced atomically). Returns the manifest."""
    passages = load_passages(book_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = index_dir.with_name(f".{index_dir.name}.tmp-{uuid.uuid4().hex[:12]}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        write_vocabulary(book_vocabulary(_document(p) for p in passages), tmp / VOCABULARY)
        tokenizer = Tokenizer(tmp / VOCABULARY)
        rows = []
        for i, passage in enumerate(passages):
            rows.append({"id": passage.id, "section": passage.section, "text": passage.text,
                         "tokens": tokenizer.tokens(_document(passage))})
            if progress:
                progress(i + 1, 2 * len(passages))
        (tmp / "passages.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
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
            "embedder": embedder.name,
            "passages": len(passages),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
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
    return None


class BookIndex:
    """An opened index. `search` is safe to call from several threads (it only reads)."""

    def __init__(self, index_dir: Path, embedder: Embedder, *, lexical_weight: float = DEFAULT_LEXICAL_WEIGHT) -> None:
        from rank_bm25 import BM25Okapi

        try:
            rows = json.loads((index_dir / "passages.json").read_text(encoding="utf-8"))
            self._rows: list[dict[str, Any]] = [dict(r, tokens=list(r["tokens"])) for r in rows]
            self._tokenizer = Tokenizer(index_dir / VOCABULARY)
            self._bm25 = BM25Okapi([r["tokens"] for r in self._rows])
            self._collection = _chroma(index_dir / "chroma").get_collection(COLLECTION, embedding_function=None)
        except Exception as exc:  # any unreadable part means the index is unusable as a whole
            raise IndexUnavailable(f"知识库索引无法打开:{exc}") from exc
        self._position = {r["id"]: i for i, r in enumerate(self._rows)}
        self._embedder = embedder
        self.lexical_weight = lexical_weight

    def __len__(self) -> int:
        return len(self._rows)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The k best passages for a query (cleaned first; QueryError on an unusable query)."""
        text = expand_query(clean_query(query))
        k = max(1, min(int(k), len(self._rows)))
        lexical = list(self._bm25.get_scores(self._tokenizer.tokens(text)))
        top = max(lexical) if lexical else 0.0
        scores = [self.lexical_weight * (s / top if top > 0 else 0.0) for s in lexical]
        if self.lexical_weight < 1.0:
            result = self._collection.query(
                query_embeddings=self._embedder.embed([text]), n_results=len(self._rows), include=["distances"]
            )
            for pid, distance in zip(result["ids"][0], result["distances"][0], strict=True):
                if pid in self._position:
                    scores[self._position[pid]] += (1.0 - self.lexical_weight) * (1.0 - float(distance))
        best = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
        return [Hit(self._rows[i]["section"], self._rows[i]["text"], scores[i], self._rows[i]["id"]) for i in best]


def ensure_index(index_dir: Path, embedder: Embedder, *, log: Callable[[str], None] | None = None, **kwargs: Any) -> BookIndex:
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
