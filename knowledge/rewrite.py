"""Query rewriting before search, when an LLM is configured: the rep's words → the book's words.

The chat model gets the book's headings and the question and answers one line of search terms
(prompts/rewrite_query.j2); the search then runs on the question and those terms together, so a rewrite can
add what the rep meant but never loses what the rep said. Any failure of the model (timeout, HTTP error,
an empty or overlong answer) leaves the question as it was: offline search is never worse for it.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable

    from knowledge.index import BookIndex, Hit

PROMPTS_DIR = __import__("pathlib").Path(__file__).resolve().parent.parent / "prompts"
MAX_TERMS_CHARS = 120
log = logging.getLogger("peilian.knowledge")


@lru_cache(maxsize=1)
def system_prompt() -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from knowledge.book import load_passages

    headings = list(
        dict.fromkeys(h.split(":")[0][:30] for p in load_passages(merge=False) for h in p.headings)
    )
    env = Environment(loader=FileSystemLoader(str(PROMPTS_DIR)), undefined=StrictUndefined, autoescape=False)
    return env.get_template("rewrite_query.j2").render(headings=headings)


def rewrite_query(question: str, llm: Runnable) -> str | None:
    """The model's search terms for the question, or None when it gave nothing usable (or failed)."""
    from langchain_core.messages import HumanMessage, SystemMessage
    from langchain_core.output_parsers import StrOutputParser

    try:
        terms = (llm | StrOutputParser()).invoke([SystemMessage(system_prompt()), HumanMessage(question)])
    except Exception as exc:  # the model is optional: search goes on with the question alone
        log.warning("query rewrite failed: %s", exc)
        return None
    terms = " ".join(str(terms).split())
    return terms if 0 < len(terms) <= MAX_TERMS_CHARS else None


def search(index: BookIndex, question: str, k: int, llm: Runnable | None) -> tuple[list[Hit], str | None]:
    """The k best passages for the question, rewritten first when `llm` is given: (hits, the terms added).
    An unusable question raises QueryError before the model is asked anything."""
    from knowledge.text import clean_query

    question = clean_query(question)
    terms = rewrite_query(question, llm) if llm is not None else None
    return index.search(f"{question} {terms}" if terms else question, k), terms
