"""Rule-based dialogue-act classifier for one sales-rep message (CONTRACT.md §1).

    from evaluators.classify import classify
    classify("换句话说,您是想通过一楼控制三楼的设备?").to_dict()
    # {"act": "confirmation", "focus": None, "form": "paraphrase", "elements": None}

Contract:
- `classify(text)` never raises for any str; empty or blank text is a `statement` (nothing was asked or
  offered) with the rule "empty".
- Precedence for a message of several sentences: `commitment` if any sentence asks for one; otherwise the act
  of the LAST real question (a greeting "喂?" or a courtesy "…我把资料发您,好吗?" is not one); otherwise
  `pitch` if the text describes the rep's product or offer; otherwise `statement`.
- `focus` only for exploratory, `form` only for confirmation, `elements` only for commitment.
- `is_question` is True when the act is a question act or any sentence is a question in form (a "?", a
  wh-word, a final 吗/嘛/呢/吧…), courtesy tags included: the golden-silence rules care about form.
- `rules` names the rules that fired (lexicon rule names such as `exploratory_need_obstacle`).
Deterministic, no model: patterns live in evaluators/lexicons/*.yaml, compiled once on first use.
"""

from __future__ import annotations

import re
from functools import lru_cache

from evaluators.acts import commitment, pitch, questions, text
from evaluators.model import QUESTION_ACTS, Classification

__all__ = ["classify"]

_PURPOSE = re.compile(
    r"想(?:先)?(?:了解|听听|请教|跟您|和您|向您|就|约|分享|交流|沟通)(?!.*[吗呢么嘛][!。~\s]*$)"
)
_BARE_TAG = 12  # characters of a closing check such as "我理解得对吗?"
_RHETORICAL_TAIL = 16  # characters of pitch after the last question that make the question rhetorical


def classify(message: str) -> Classification:
    """The dialogue act of one rep message (see module doc for the contract)."""
    if not isinstance(message, str):  # be lenient with callers that pass None or numbers
        message = "" if message is None else str(message)
    return _classify(message)


def _introduces_self(message: str) -> bool:
    from evaluators.reading import cues  # lazy: the reading imports this module

    return cues(message).self_intro


@lru_cache(maxsize=4096)  # scorecards and the UI re-classify the same turns; results are immutable
def _classify(message: str) -> Classification:
    norm = text.normalize(message)
    if not norm:
        return Classification(act="statement", rules=("empty",))
    sentences = text.split(norm) or [norm]
    flags = [text.is_question(s) for s in sentences]
    if "?" not in norm and any(flags) and _introduces_self(message):
        # "我是华声的李明,想了解一下贵厂设备维保是怎么安排的": an opening states its purpose; an indirect
        # question without "?" inside a self-introduction asks nothing yet (释疑, not 提问).
        flags = [q and not _PURPOSE.search(s) for q, s in zip(flags, sentences, strict=True)]
    any_question = any(flags)

    ask = commitment.find(sentences, flags)
    if ask is not None:
        return Classification(
            act="commitment", elements=ask.elements, is_question=True, rules=("commitment",) + ask.rules
        )

    # The act of the last real question; the context of a question is the text since the previous one.
    starts = [0] + [i + 1 for i, q in enumerate(flags) if q]
    last = max((i for i, q in enumerate(flags) if q), default=-1)
    # A question the rep answers at once with the offer ("您有这么多时间去学复杂系统吗?X当天注册当天用…")
    # is rhetorical: the message describes the product (提问之后立刻闭嘴 — a real question leaves room).
    tail = "".join(sentences[last + 1 :]) if last >= 0 else ""
    if len(tail) >= _RHETORICAL_TAIL:
        tail_pitch, tail_rules = pitch.judge(tail)
        if tail_pitch:
            return Classification(
                act="pitch", is_question=True, rules=("pitch", "rhetorical_question") + tail_rules
            )
    for i in range(len(sentences) - 1, -1, -1):
        if not flags[i]:
            continue
        start = max(s for s in starts if s <= i)
        if i == last and len(sentences[i]) <= _BARE_TAG and questions.asks_verification(sentences[i]):
            start = 0  # "我确认一下:一,…;二,…。我理解得对吗?": a bare check is about all that came before
        context = "".join(sentences[start:i])
        after = "".join(sentences[i + 1 :]) if i == last else ""
        q = questions.classify_question(sentences[i], context, after)
        if q is not None:
            return Classification(
                act=q.act, focus=q.focus, form=q.form, is_question=True, rules=(q.act,) + q.rules
            )

    is_pitch, fired = pitch.judge(norm)
    act = "pitch" if is_pitch else "statement"
    return Classification(act=act, is_question=any_question or act in QUESTION_ACTS, rules=(act,) + fired)
