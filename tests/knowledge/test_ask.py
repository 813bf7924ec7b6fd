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

    result = ask("行动承诺有哪几个要素?", index=index, llm=RunnableLambda(model))
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
