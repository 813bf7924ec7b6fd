"""Why a message got its label: the named rules behind it, each with its doc line, and the cues read.

    explain("换句话说,您是想少加班?", classify("换句话说,您是想少加班?"))
    # {"rules": [{"rule": "confirmation_paraphrase", "file": "question_types", "doc": "换言式确认 …"}],
    #  "sentences": ["换句话说,您是想少加班?"], "questions": [0], "cues": {...}}

Used by `peilian classify --explain` and the review page; deterministic, like the labels themselves.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from evaluators.acts import lexicon, text
from evaluators.model import ACTS, Classification
from evaluators.reading import cues

_FILES = ("questions", "question_types", "exploratory_focus", "commitment", "pitch", "cues")
_BUILT_IN = {
    "empty": "空消息:什么也没问、没说",
    "rhetorical_question": "问句之后紧接着讲产品:这是设问,整条消息在介绍产品",
    "exploratory_open": "开放式提问,没有更具体的关注点:按背景信息(流程类)计",
    "statement": "没有提问,也没有介绍产品",
}


@cache
def _docs() -> dict[str, tuple[str, str]]:
    """rule name → (file, doc) over every lexicon file."""
    out: dict[str, tuple[str, str]] = {}
    for file in _FILES:
        for name, rule in lexicon.rules(file).items():
            out.setdefault(name, (file, rule.doc))
    # the ask cues a question's focus may come from (cues.yaml ask_*)
    for name, spec in (lexicon.read_file("cues").get("rules") or {}).items():
        out.setdefault(str(name), ("cues", str((spec or {}).get("doc", ""))))
    return out


def explain(message: str, label: Classification) -> dict[str, Any]:
    """The rules behind `label` (in the order they fired), the sentences, which of them ask, and the cues."""
    docs = _docs()
    rules = []
    for name in label.rules:
        if name in ACTS:
            continue
        file, doc = docs.get(name, ("", _BUILT_IN.get(name, "")))
        rules.append({"rule": name, "file": file, "doc": doc})
    norm = text.normalize(message if isinstance(message, str) else "")
    sentences = text.split(norm) if norm else []
    said = cues(message if isinstance(message, str) else "")
    found = {
        key: value
        for key, value in (
            ("argue", said.argue),
            ("contempt", said.contempt),
            ("pleading", said.pleading),
            ("pressure_close", said.pressure_close),
            ("self_intro", said.self_intro),
            ("meeting_length", said.meeting_length),
            ("choice_of_times", said.choice_of_times),
            ("times", list(said.times)),
            ("people", said.people),
            ("benefit", said.benefit),
            ("product", said.product),
            ("empathy", said.empathy),
            ("soft_value", said.soft_value),
            ("triggers", list(said.triggers)),
        )
        if value
    }
    return {
        "rules": rules,
        "sentences": sentences,
        "questions": [i for i, s in enumerate(sentences) if text.is_question(s)],
        "cues": found,
    }
