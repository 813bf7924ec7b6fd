"""The act of one question (书中 提问技巧): extension, confirmation, control or exploratory (+ focus).

`classify_question(question, context)` looks at the question sentence and at `context`, the sentences of the
same message between the previous question and this one (a summary or a "换句话说" often sits there).
It returns None when the "question" asks nothing of the customer: a greeting ("喂?") or a courtesy tag on
the rep's own action ("我回去把资料发您邮箱,好吗?"); the caller then treats the message as a statement.

Order of the checks, and why:
1. extension — a bare prompt; checked first because it carries no topic that another rule could read.
2. confirmation with an explicit marker (确认一下 / 换句话说 / 总结一下 / 您刚才说) and a yes/no question.
3. control with a comparative or choice frame (与其… / 是不是…更合适 / 先A还是先B): the frame is the
   rep's, so it wins over the topic words — unless it asks about the person's own gain (省心, 表扬), which
   the book classes as 探索·动机.
4. courtesy on the rep's own action → None.
5. exploratory motive: hypothesis tag questions about the person ("会被扣奖金嘛?") are 探索·动机, not control.
6. confirmation without a marker: a restatement about the customer closed by "对吧?/是吗?".
7. control by framing: the rep states a priority or solution ("建议先…", "其实关键是…") and asks to accept.
8. exploratory. Focus: each rule of lexicons/exploratory_focus.yaml adds its weight 3x when it fires in the
   question's last clause (what is asked: "技术参数这块,通常是谁来把关?" asks who), 2x elsewhere in the question,
   1x in the context; the highest focus wins, ties go motive > expectation > need > process, and a question
   no rule recognises explores the background (process).

`after` (statements following the message's last question) is read for confirmations only: the restated
content may come after the marker ("我再确认一下 你们要的是二十个点位").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from evaluators.acts import lexicon
from evaluators.acts.text import strip_idioms

FOCUS_ORDER: tuple[str, ...] = ("motive", "expectation", "need", "process")  # tie-break order
_FILE = "question_types"
_FOCUS_FILE = "exploratory_focus"
_CLAUSE_SPLIT = re.compile(r"[,;:]")
_STILL = re.compile(r"(?<=[的都也])还是|(仍然|依然|一直)还是")


@dataclass(frozen=True, slots=True)
class QuestionAct:
    """The act of one question; `focus` only for exploratory, `form` only for confirmation."""

    act: str
    focus: str | None = None
    form: str | None = None
    rules: tuple[str, ...] = ()


def _fires(name: str, text: str) -> bool:
    return lexicon.rule(_FILE, name).fires(text)


@cache
def _wh_regex() -> re.Pattern[str]:
    return re.compile(lexicon.macros()["WH"])


@lru_cache(maxsize=2048)
def is_yes_no(question: str) -> bool:
    """True when the question asks for yes/no: no wh-word outside idioms and verification tags."""
    core = lexicon.rule(_FILE, "confirmation_tag").regex.sub("", strip_idioms(question))
    # "是A还是B?" asks to choose, not to confirm; "用的还是纸质记录?" (还是 = still) offers no choice.
    core = _STILL.sub("", core)
    return _wh_regex().search(core) is None and "还是" not in core


def asks_verification(question: str) -> bool:
    """Does the question ask "is that right / anything missing?" rather than for new information?"""
    if _fires("confirmation_tag", question):
        return True
    if _fires("confirmation_completeness", question):
        return True
    return is_yes_no(question)


def is_bare_extension(question: str) -> bool:
    """A prompt to go on ("还有呢?") with at most two characters of topic left once fillers are removed."""
    if not _fires("extension_prompt", question):
        return False
    residue = lexicon.rule(_FILE, "extension_filler").regex.sub("", question)
    return len(residue) <= 2  # "还有别的原因吗?" is still bare


def last_clause(sentence: str) -> str:
    """The clause that carries the question ("技术参数这块,通常是谁来把关?" → "通常是谁来把关?")."""
    parts = [p for p in _CLAUSE_SPLIT.split(sentence) if p.strip(" ?!。~…")]
    return parts[-1] if parts else sentence


def focus_scores(question: str, context: str) -> tuple[dict[str, int], list[str]]:
    """Focus → score: each firing rule's weight, 3x in the question's last clause (what is asked),
    else 2x in the question (the topic it names), plus 1x in the context before it."""
    scores = dict.fromkeys(FOCUS_ORDER, 0)
    fired: list[str] = []
    tail = last_clause(question)
    for r in lexicon.rules(_FOCUS_FILE).values():
        points = 0
        in_tail = False
        if r.fires(question):
            in_tail = tail == question or r.fires(tail)
            points += (3 if in_tail else 2) * r.weight
        if context and r.fires(context):
            points += r.weight
        if points:
            scores[str(r.tag)] += points
            fired.append(r.name)
    return scores, fired


@cache
def _strong_motive_rules() -> tuple[lexicon.Rule, ...]:
    return tuple(r for r in lexicon.rules(_FOCUS_FILE).values() if r.tag == "motive" and r.weight >= 3)


def best_focus(scores: dict[str, int]) -> str:
    """Highest score, ties by FOCUS_ORDER; nothing at all → process (open background question)."""
    top = max(scores.values())
    if top == 0:
        return "process"
    return next(f for f in FOCUS_ORDER if scores[f] == top)


def _confirmation_form(question: str, unit: str) -> tuple[str, str] | None:
    """(form, rule) when the unit restates the customer with an explicit marker and asks to verify."""
    if asks_verification(question):
        if _fires("confirmation_summary", unit):
            return "summary", "confirmation_summary"
        # 第一…第二… alone may be the rep's own list; it sums up the customer when it is about them
        # or follows a restating marker ("我复述一遍:A,B,C").
        restating = ("customer_subject", "confirmation_plain", "confirmation_paraphrase")
        if _fires("confirmation_enumeration", unit) and any(_fires(n, unit) for n in restating):
            return "summary", "confirmation_enumeration"
    if not is_yes_no(question) and not _fires("confirmation_tag", question):
        return None
    if _fires("confirmation_paraphrase", unit):
        return "paraphrase", "confirmation_paraphrase"
    plain = lexicon.rule(_FILE, "confirmation_plain")
    # "您刚才提到X" before a new question is only a lead-in; it restates when the question itself
    # restates (marker in it) or is closed by a verification tag.
    if plain.fires(question) or (plain.fires(unit) and _fires("confirmation_tag", question)):
        return "plain", "confirmation_plain"
    return None


def classify_question(question: str, context: str = "", after: str = "") -> QuestionAct | None:
    """The act of `question` given the `context` before it (see module doc for the order of checks).

    `after`: statements that follow the last question of a message; a confirmation may put what it
    restates there ("我再确认一下 你们要的是二十个点位").
    """
    if _fires("phatic_question", question) or _fires("courtesy_agenda", question):
        return None
    unit = f"{context}{question}" if context else question
    if is_bare_extension(question):
        # "…A,还有B。您看还有其他的吗?": after a summary of his points the prompt checks completeness.
        if context and _fires("confirmation_summary", context):
            return QuestionAct("confirmation", form="summary", rules=("confirmation_summary",))
        return QuestionAct("extension", rules=("extension_prompt",))

    conf = _confirmation_form(question + after, unit + after) if after else None
    conf = conf or _confirmation_form(question, unit)
    if conf is not None:
        return QuestionAct("confirmation", form=conf[0], rules=(conf[1],))

    # Motive words in the asking clause; "既然您最担心X,是不是应该先…?" only premises the motive.
    tail = last_clause(question)
    motive_hits = tuple(r.name for r in _strong_motive_rules() if r.fires(tail))
    motive_in_question = bool(motive_hits)
    for name in ("control_rather_than", "control_choice", "control_better"):
        # "…是不是更省心?" about the person is 探索·动机 unless it rates an option the rep names ("选X是不是
        # 更安心?"); "怎么解决比较好?" asks the customer's own measure.
        if name == "control_better" and (
            (motive_in_question and not _fires("control_option_named", tail)) or not is_yes_no(question)
        ):
            continue
        if _fires(name, question):
            return QuestionAct("control", rules=(name,))

    if _fires("courtesy_own_action", question):
        return None
    if motive_in_question:
        # "一期先做A,二期再做B,这样安排您看行吗?" rates the plan the rep just laid out: control, not 方案认知.
        framed = unit[: len(unit) - len(tail)]
        if (
            motive_hits == ("exploratory_motive_solution_view",)
            and _fires("control_framing", framed)
            and _fires("control_accept", question)
        ):
            return QuestionAct("control", rules=("control_framing",))
        return QuestionAct("exploratory", focus="motive", rules=motive_hits)

    if (
        _fires("confirmation_tag", question)
        and (_fires("customer_subject", question) or _fires("restating_connective", question))
        and not _fires("control_framing", unit)
        and is_yes_no(question)
    ):
        return QuestionAct("confirmation", form="plain", rules=("confirmation_tag",))
    if _fires("control_framing", unit) and _fires("control_accept", question):
        return QuestionAct("control", rules=("control_framing",))

    scores, fired = focus_scores(question, context)
    focus = best_focus(scores)
    if not fired:
        # no focus word: what the question asks for says it (the shared reading's ask cue, cues.yaml ask_*)
        asked = _focus_of_ask(question)
        if asked is not None:
            focus, fired = asked
    return QuestionAct("exploratory", focus=focus, rules=tuple(fired) or ("exploratory_open",))


def _focus_of_ask(question: str) -> tuple[str, list[str]] | None:
    """(focus, [rule]) from the first ask of the question that has a focus (exploratory_focus.yaml
    `ask_focus`), or None."""
    from evaluators.reading import cues  # lazy: the reading imports the classifier

    table = _ask_focus()
    for ask in cues(question).asks:
        if ask in table:
            return str(table[ask]), [f"ask_{ask}"]
    return None


@cache
def _ask_focus() -> dict[str, str]:
    return {str(k): str(v) for k, v in (lexicon.read_file(_FOCUS_FILE).get("ask_focus") or {}).items()}
