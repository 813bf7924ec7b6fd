"""Search the book: the passages that answer a question, with their heading paths."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from knowledge.text import MAX_QUERY_CHARS, QueryError
from server.api.errors import ApiError
from server.deps import State

router = APIRouter(prefix="/knowledge", tags=["knowledge"])
log = logging.getLogger("peilian.server")


class Passage(BaseModel):
    section: str
    text: str
    score: float

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "section": "第三篇 引导期望 / 第三章 引导期望的技巧 / 第四节 倾听技巧 / 三、原则三:让客户把话说完",
                    "text": "1、黄金静默:制造4秒冷场\n销售提问阶段:提问之后立刻闭嘴,不要反复解释",
                    "score": 0.91,
                }
            ]
        }
    }


@router.get("/search", summary="在书中检索段落", response_model=list[Passage])
async def search(
    state: State,
    q: Annotated[str, Query(description="问题或关键词", max_length=MAX_QUERY_CHARS, examples=["客户说完要停几秒再接话?"])],
    k: Annotated[int, Query(ge=1, le=50, description="返回段落数")] = 5,
) -> list[dict[str, object]]:
    try:
        hits = await run_in_threadpool(lambda: state.book_index.search(q, k))
    except QueryError as exc:
        raise ApiError(422, "invalid_query", str(exc)) from None
    return [h.to_dict() for h in hits]


@router.get("/ask", summary="问书:检索段落;配置了 LLM 时再给出只依据这些段落的回答")
async def ask(
    state: State,
    q: Annotated[str, Query(description="问题", max_length=MAX_QUERY_CHARS, examples=["客户说完要停几秒再接话?"])],
    k: Annotated[int, Query(ge=1, le=8, description="检索段落数")] = 4,
) -> dict[str, object]:
    from knowledge.ask import ask as ask_book

    def run() -> dict[str, object]:
        return ask_book(q, index=state.book_index, llm=state.chat_model, k=k)

    try:
        return await run_in_threadpool(run)
    except QueryError as exc:
        raise ApiError(422, "invalid_query", str(exc)) from None
    except Exception as exc:  # the LLM failed: the passages still help
        log.warning("ask-the-book answer failed: %s", exc)
        hits = await run_in_threadpool(lambda: state.book_index.search(q, k))
        return {"question": q, "passages": [dict(h.to_dict(), n=i) for i, h in enumerate(hits, 1)],
                "answer": None, "citations": [], "error": "回答生成失败,请参考检索到的段落"}
