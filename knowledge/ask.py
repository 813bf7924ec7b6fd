"""Ask the book: retrieve passages, then (with an LLM configured) answer grounded only in them.

Retrieval is a LangChain retriever over the book index (hybrid BM25 + Chroma vectors); with an LLM the
question is first rewritten into the book's words (knowledge.rewrite). The answer chain is
prompt (prompts/ask_book.j2) | chat model | text. The model sees nothing but the question and the numbered
passages; citations [n] that point at no passage are dropped from the reported list. Every passage comes
with `segments`: its sentences, those that best answer the question marked (knowledge.highlight), which the
panel shows highlighted, with or without an LLM.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable

    from knowledge.index import BookIndex

PROMPTS_DIR = __import__("pathlib").Path(__file__).resolve().parent.parent / "prompts"
_CITATION = re.compile(r"\[(\d{1,2})\]")


class BookRetriever(BaseRetriever):
    """The book index as a LangChain retriever: Documents with `section` and `score` metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    index: Any
    k: int = 4
    rewriter: Any = None  # a chat model that rewrites the query first (knowledge.rewrite), or None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        from knowledge.rewrite import search

        hits, terms = search(self.index, query, self.k, self.rewriter)
        return [
            Document(page_content=h.text, metadata={"section": h.section, "score": h.score, "rewrite": terms})
            for h in hits
        ]


def _system_prompt(documents: list[Document]) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(PROMPTS_DIR)), undefined=StrictUndefined, autoescape=False)
    passages = [
        {"n": i, "section": d.metadata["section"], "text": d.page_content} for i, d in enumerate(documents, 1)
    ]
    return env.get_template("ask_book.j2").render(passages=passages)


def ask(
    question: str, *, index: BookIndex, llm: Runnable | None, k: int = 4, rewrite: bool = True
) -> dict[str, Any]:
    """Passages for the question (rewritten by `llm` first when given and `rewrite`), each with its
    highlighted `segments`, and a grounded answer when `llm` is given (else `answer` is None)."""
    from langchain_core.messages import HumanMessage, SystemMessage
    from langchain_core.output_parsers import StrOutputParser

    from knowledge.highlight import highlight

    documents = BookRetriever(index=index, k=k, rewriter=llm if rewrite else None).invoke(question)
    rewritten = documents[0].metadata["rewrite"] if documents else None
    wanted = f"{question} {rewritten}" if rewritten else question
    passages = [
        {
            "n": i,
            "section": d.metadata["section"],
            "text": d.page_content,
            "score": round(float(d.metadata["score"]), 4),
            "segments": highlight(wanted, d.page_content),
        }
        for i, d in enumerate(documents, 1)
    ]
    result: dict[str, Any] = {
        "question": question,
        "rewritten": rewritten,
        "passages": passages,
        "answer": None,
        "citations": [],
    }
    if llm is None or not documents:
        return result
    chain = llm | StrOutputParser()
    answer = chain.invoke([SystemMessage(_system_prompt(documents)), HumanMessage(question)]).strip()
    cited = sorted({int(n) for n in _CITATION.findall(answer) if 1 <= int(n) <= len(passages)})
    result.update(answer=answer, citations=cited)
    return result
