from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.embeddings import HashedNgramEmbedder
from knowledge.index import (
    BookIndex,
    IndexUnavailable,
    build_index,
    ensure_index,
    read_manifest,
    stale_reason,
)
from knowledge.text import QueryError

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("idx") / "index"
    build_index(path, HashedNgramEmbedder())
    return path


@pytest.fixture(scope="module")
def index(index_dir: Path) -> BookIndex:
    return BookIndex(index_dir, HashedNgramEmbedder())


def test_search_returns_passages_with_heading_paths(index: BookIndex) -> None:
    hits = index.search("黄金静默要停几秒", k=3)
    assert len(hits) == 3
    assert "倾听技巧" in hits[0].section
    assert hits[0].score >= hits[1].score >= hits[2].score
    assert set(hits[0].to_dict()) == {"section", "text", "score"}


def test_hit_rate_on_our_own_queries(index: BookIndex) -> None:
    items = [
        json.loads(line) for line in (HERE / "data/queries.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    hits = sum(any(it["expect"] in h.section for h in index.search(it["query"], 3)) for it in items)
    assert hits / len(items) >= 0.9


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x01", "x" * 20_000, None])
def test_unusable_queries_are_refused_with_a_message(index: BookIndex, bad: object) -> None:
    with pytest.raises(QueryError):
        index.search(bad, 3)  # type: ignore[arg-type]


def test_control_characters_are_dropped_and_k_is_clamped(index: BookIndex) -> None:
    assert index.search("行动\x07承诺", k=500)[0].section
    assert len(index.search("行动承诺", k=0)) == 1


def test_manifest_and_staleness(index_dir: Path) -> None:
    manifest = read_manifest(index_dir)
    assert manifest and manifest["passages"] > 80
    assert stale_reason(index_dir, HashedNgramEmbedder()) is None
    assert "hashed-ngram-512" in (stale_reason(index_dir, HashedNgramEmbedder(dim=512)) or "")


def test_corrupted_index_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "index"
    build_index(path, HashedNgramEmbedder())
    (path / "passages.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexUnavailable):
        BookIndex(path, HashedNgramEmbedder())
    messages: list[str] = []
    index = ensure_index(path, HashedNgramEmbedder(), log=messages.append)
    assert messages and index.search("行动承诺", 1)


def test_missing_index_is_built(tmp_path: Path) -> None:
    assert stale_reason(tmp_path / "none", HashedNgramEmbedder())
    assert len(ensure_index(tmp_path / "none", HashedNgramEmbedder())) > 80


class _Exploding:
    name = "hashed-ngram-2048"

    def embed(self, texts):
        raise RuntimeError("embedding service down")


def test_a_failed_build_leaves_the_old_index_whole(tmp_path: Path) -> None:
    path = tmp_path / "index"
    build_index(path, HashedNgramEmbedder())
    before = read_manifest(path)
    with pytest.raises(RuntimeError):
        build_index(path, _Exploding())
    assert read_manifest(path) == before
    assert BookIndex(path, HashedNgramEmbedder()).search("顾虑", 1)
    assert [p.name for p in tmp_path.iterdir()] == ["index"]
