from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableLambda

from knowledge.ask import BookRetriever, ask
from knowledge.embeddings import HashedNgramEmbedder
from knowledge.index import BookIndex, build_index


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> BookIndex:
    path = tmp_path_factory.mktemp("ask") / "index"
    build_index(path, HashedNgramEmbedder())
    return BookIndex(path, HashedNgramEmbedder())


def test_the_retriever_returns_documents_with_heading_paths(index: BookIndex) -> None:
    docs = BookRetriever(index=index, k=3).invoke("黄金静默要停几秒")
    assert len(docs) == 3 and "倾听技巧" in docs[0].metadata["section"]


def test_without_an_llm_only_passages_come_back(index: BookIndex) -> None:
    result = ask("行动承诺有哪几个要素?", index=index, llm=None)
    assert result["answer"] is None and len(result["passages"]) == 4
    assert [p["n"] for p in result["passages"]] == [1, 2, 3, 4]


def test_the_model_sees_only_the_question_and_the_numbered_passages(index: BookIndex) -> None:
    seen: list = []

    def model(messages):  # a fake chat model that records its prompt
        seen.extend(messages)
        return AIMessage("要讲清时间、参与的人、行动和好处四个要素 [1],并且是客户的行动 [2][9]。")

    result = ask("行动承诺有哪几个要素?", index=index, llm=RunnableLambda(model), rewrite=False)
    system, human = seen
    assert human.content == "行动承诺有哪几个要素?"
    for p in result["passages"]:
        assert f"[{p['n']}] {p['section']}" in system.content and p["text"] in system.content
    assert "只根据下面编号的书中段落回答" in system.content
    assert result["answer"].startswith("要讲清") and result["citations"] == [1, 2]  # [9] points nowhere


async def test_the_api_answers_with_a_fake_model(tmp_path: Path) -> None:
    import httpx

    from peilian.settings import Settings
    from server.app import create_app

    fake = RunnableLambda(lambda messages: AIMessage("先停 4 秒再开口 [1]。"))
    app = create_app(Settings(data_dir=tmp_path), chat_model=fake)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            body = (await client.get("/api/v1/knowledge/ask", params={"q": "客户说完话要停几秒?"})).json()
            bad = await client.get("/api/v1/knowledge/ask", params={"q": " "})
    assert body["answer"] == "先停 4 秒再开口 [1]。" and body["citations"] == [1]
    assert bad.status_code == 422


def test_without_an_llm_each_passage_has_its_answering_sentences_marked(index: BookIndex) -> None:
    result = ask("客户回答完我要憋几秒再接话", index=index, llm=None, k=3)
    assert result["rewritten"] is None
    for p in result["passages"]:
        assert "".join(s["text"] for s in p["segments"]) == p["text"]
    top = result["passages"][0]
    assert "让客户把话说完" in top["section"]
    assert [s["text"] for s in top["segments"] if s["mark"]] == [
        "客户回答阶段:客户回答完毕后不要立刻接话,憋4秒\n"
    ]


def test_with_an_llm_the_question_is_rewritten_into_the_books_words_first(index: BookIndex) -> None:
    calls: list = []

    def model(messages):
        calls.append(messages)
        if len(calls) == 1:  # the rewrite
            assert "书的标题" in messages[0].content and messages[1].content == "他那边到底谁说了算"
            return AIMessage("决策信息 决策人 决策流程 销售需要了解的信息")
        return AIMessage("先弄清决策人和决策流程 [1]。")

    result = ask("他那边到底谁说了算", index=index, llm=RunnableLambda(model), k=3)
    assert result["rewritten"] == "决策信息 决策人 决策流程 销售需要了解的信息"
    assert "销售需要了解的信息" in result["passages"][0]["section"]
    assert any(s["mark"] and "决策信息" in s["text"] for s in result["passages"][0]["segments"])
    assert calls[1][1].content == "他那边到底谁说了算"  # the answer is to the rep's own question


def test_a_failing_rewrite_leaves_the_question_as_it_was(index: BookIndex) -> None:
    from knowledge.rewrite import search

    def broken(messages):
        raise TimeoutError("model too slow")

    hits, terms = search(index, "黄金静默要停几秒", 3, RunnableLambda(broken))
    assert terms is None and [h.id for h in hits] == [h.id for h in index.search("黄金静默要停几秒", 3)]
    long = RunnableLambda(lambda messages: AIMessage("词" * 500))
    assert search(index, "黄金静默要停几秒", 3, long)[1] is None  # an overlong answer is not used


def test_the_rewrite_over_http_against_an_openai_compatible_server(index: BookIndex) -> None:
    from langchain_openai import ChatOpenAI

    from knowledge.rewrite import search
    from tests.customer.voices.stub_openai import StubOpenAI

    with StubOpenAI(reply="约访 客户为什么不见你 障碍 成本 怀疑") as stub:
        llm = ChatOpenAI(base_url=stub.base_url, model="normal", api_key="x", max_retries=0, timeout=5)
        hits, terms = search(index, "打了三次电话都没见着人", 3, llm)
        failed = ChatOpenAI(base_url=stub.base_url, model="fail500", api_key="x", max_retries=0, timeout=5)
        _, none = search(index, "打了三次电话都没见着人", 3, failed)
    assert terms == "约访 客户为什么不见你 障碍 成本 怀疑" and none is None
    assert any("客户为什么不见你" in h.section for h in hits)
    sent = stub.requests[0]["messages"]
    assert sent[-1]["content"] == "打了三次电话都没见着人" and "客户为什么不见你" in sent[0]["content"]
