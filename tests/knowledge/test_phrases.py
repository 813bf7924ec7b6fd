"""The rep's words: the phrasings per heading, the synonym layer, and the ranking pieces (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.book import load_passages
from knowledge.embeddings import HashedNgramEmbedder
from knowledge.index import BookIndex, SearchOptions, build_index, stale_reason
from knowledge.phrases import named_heading, phrases_for, rep_phrases, resolve, unresolved_keys
from knowledge.rank import Bm25, aggregate, diversify, normalised
from knowledge.synonyms import book_terms, expand_query, expansions
from knowledge.text import char_ngrams

HERE = Path(__file__).parent
SHARED_DEV = HERE.parent.parent.parent / "shared" / "dev" / "retrieval.jsonl"


def _load(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> BookIndex:
    path = tmp_path_factory.mktemp("phr") / "index"
    build_index(path, HashedNgramEmbedder())
    return BookIndex(path, HashedNgramEmbedder())


def test_every_key_names_exactly_one_heading() -> None:
    passages = load_passages(merge=False)
    assert unresolved_keys(passages) == []
    assert named_heading("障碍五", passages)[-1].startswith("障碍五:竞争")
    assert named_heading("销售的三维空间", passages)[-1] == "第二节 销售的三维空间"  # and the 一、 below it
    assert named_heading("1、确认偏差类提问设计", passages) is None  # three headings of that name
    under = resolve("客户为什么不见你", passages)
    assert len(under) == 5 and all("障碍" in passages[i].section for i in under)


def test_every_heading_with_a_passage_has_phrasings_and_they_are_many() -> None:
    passages = load_passages(merge=False)
    phrased = {i for ph in phrases_for(passages) for i in ph.passages}
    assert phrased == set(range(len(passages))) - {0}  # all but the preface (导读)
    assert sum(len(v) for v in rep_phrases().values()) >= 600


def test_phrasings_are_not_copies_of_any_test_question() -> None:
    def grams(text: str) -> set[str]:
        return set(char_ngrams(text, sizes=(2,)))

    questions = [
        it["query"]
        for name in ("queries", "rep_questions", "toc_questions")
        for it in _load(HERE / f"data/{name}.jsonl")
    ]
    for phrasings in rep_phrases().values():
        for phrase in phrasings:
            for q in questions:
                a, b = grams(phrase), grams(q)
                assert len(a & b) / len(a | b) < 0.5, (phrase, q)


def test_the_synonym_layer_adds_the_books_terms() -> None:
    assert "决策" in expansions("老板最后拍板")
    assert {"约访", "客户为什么不见你"} <= set(expansions("约了几次都约不到人"))
    assert {"顾虑", "假异议"} <= set(expansions("客户嘴上说考虑考虑,其实就是不想要"))
    assert "喜欢说" in expansions("我一个劲地说产品")
    assert {"降价", "价格"} <= set(expansions("客户一直砍价"))
    assert expand_query("行动承诺") == "行动承诺"
    assert "决策" in book_terms()
    assert "降价" in expansions("对方一直压我们价格")  # 压*价: a gap of up to six characters
    assert "降价" not in expansions("压力很大,领导说要看价值")


def test_words_of_the_reps_situation_count_less() -> None:
    from knowledge.synonyms import noise_words

    assert {"医院", "拼接屏", "科长"} <= noise_words()
    bm25 = Bm25([["医院", "约访"], ["约访"]])
    plain, weighted = bm25.scores(["医院", "约访"]), bm25.scores(["医院", "约访"], {"医院": 0.3})
    assert weighted[0] < plain[0] and weighted[1] == plain[1]


@pytest.mark.parametrize(
    ("question", "heading"),
    [
        ("约了几次都约不到人", "客户为什么不见你"),
        ("客户嘴上说考虑考虑，其实就是不想要", "处理顾虑"),
        ("老板最后拍板", "销售需要了解的信息"),
        ("我一见客户就一个劲地说产品", "销售为什么喜欢说"),
    ],
)
def test_the_issues_own_examples(index: BookIndex, question: str, heading: str) -> None:
    assert any(heading in h.section for h in index.search(question, 3))


def test_hit_rates_on_the_tune_sets(index: BookIndex) -> None:
    def hit3(items: list[dict[str, str]]) -> float:
        return sum(
            any(it["expect"] in h.section for h in index.search(it["query"], 3)) for it in items
        ) / len(items)

    assert hit3(_load(HERE / "data/rep_questions.jsonl")) >= 0.9
    assert hit3(_load(HERE / "data/toc_questions.jsonl")) >= 0.8
    assert hit3(_load(HERE / "data/queries.jsonl")) >= 0.9
    if SHARED_DEV.exists():
        assert hit3(_load(SHARED_DEV)) == 1.0


def test_each_piece_can_be_switched_off(index: BookIndex, tmp_path: Path) -> None:
    question = "约了几次都约不到人"
    index.options = SearchOptions(synonyms=False, phrases=False, aggregate=False, diversify=False)
    try:
        plain = index.search(question, 3)
    finally:
        index.options = SearchOptions()
    assert not any("客户为什么不见你" in h.section for h in plain)


def test_a_changed_data_file_makes_the_index_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import knowledge.index as ix

    path = tmp_path / "index"
    build_index(path, HashedNgramEmbedder())
    assert stale_reason(path, HashedNgramEmbedder()) is None
    extra = tmp_path / "extra.yaml"
    extra.write_text("新词: [约访]\n", encoding="utf-8")
    monkeypatch.setattr(ix, "DATA_FILES", (*ix.DATA_FILES, extra))
    assert "说法表" in (stale_reason(path, HashedNgramEmbedder()) or "")


def test_bm25_scores_only_documents_holding_the_query_tokens() -> None:
    bm25 = Bm25([["约访", "电话"], ["拜访"], ["约访", "约访", "见面"]])
    scores = bm25.scores(["约访", "约访"])  # a repeated query token counts once
    assert scores[1] == 0.0 and scores[0] > 0 and scores[2] > 0
    assert normalised([0.0, 2.0, 1.0]) == [0.0, 1.0, 0.5] and normalised([0.0]) == [0.0]


def test_aggregation_lifts_a_section_whose_passages_match_together() -> None:
    scores = aggregate([0.5, 0.5, 0.6, 0.0], ["甲", "甲", "乙", "乙"], weight=0.5)
    assert scores[0] == scores[1] == 0.75 and scores[2] == 0.6
    assert diversify([0, 1, 2, 3], ["甲", "甲", "乙", "乙"]) == [0, 2, 1, 3]
