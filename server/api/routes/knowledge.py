"""Search the book: the passages that answer a question, with their heading paths.

Open to visitors, rate-limited per caller (visitors per address). With an LLM configured, /ask writes an
answer only for a logged-in caller (or an API key): a visitor gets the passages, and no tokens are spent."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from knowledge.text import MAX_QUERY_CHARS, QueryError
from server.api.errors import ApiError, error_responses
from server.deps import Reader, State

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


@router.get(
    "/search",
    summary="在书中检索段落",
    response_model=list[Passage],
    responses=error_responses(401, 422, 429),
)
async def search(
    state: State,
    reader: Reader,
    q: Annotated[
        str,
        Query(description="问题或关键词", max_length=MAX_QUERY_CHARS, examples=["客户说完要停几秒再接话?"]),
    ],
    k: Annotated[int, Query(ge=1, le=50, description="返回段落数")] = 5,
) -> list[dict[str, object]]:
    try:
        hits = await run_in_threadpool(lambda: state.book_index.search(q, k))
    except QueryError as exc:
        raise ApiError(422, "invalid_query", str(exc)) from None
    return [h.to_dict() for h in hits]


@router.get(
    "/ask",
    summary="问书:检索段落;配置了 LLM 且已登录时再给出只依据这些段落的回答",
    responses=error_responses(401, 422, 429),
)
async def ask(
    state: State,
    reader: Reader,
    q: Annotated[
        str, Query(description="问题", max_length=MAX_QUERY_CHARS, examples=["客户说完要停几秒再接话?"])
    ],
    k: Annotated[int, Query(ge=1, le=8, description="检索段落数")] = 4,
) -> dict[str, object]:
    from knowledge.ask import ask as ask_book

    visitor_without_llm = reader is None and state.settings.llm_configured  # a visitor spends no tokens

    def run() -> dict[str, object]:
        answer = ask_book(
            q, index=state.book_index, llm=None if visitor_without_llm else state.chat_model, k=k
        )
        if visitor_without_llm:
            answer["login_required"] = True  # the page says: log in for a short answer
        return answer

    try:
        return await run_in_threadpool(run)
    except QueryError as exc:
        raise ApiError(422, "invalid_query", str(exc)) from None
    except Exception as exc:  # the LLM failed: the passages still help
        log.warning("ask-the-book answer failed: %s", exc)
        hits = await run_in_threadpool(lambda: state.book_index.search(q, k))
        return {
            "question": q,
            "passages": [dict(h.to_dict(), n=i) for i, h in enumerate(hits, 1)],
            "answer": None,
            "citations": [],
            "error": "回答生成失败,请参考检索到的段落",
        }
