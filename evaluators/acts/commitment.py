"""Find an ask for an action commitment (索取行动承诺) in a message and the four elements it names.

A sentence asks for a commitment when
- it names an action the customer takes that moves the deal (`commitment_action_*`: meet, demo, visit,
  trial, send data, introduce someone, meeting, a procurement step), or proposes a concrete time to meet
  (`commitment_availability`: "您下周二上午方便吗?");
- it asks for it: it is a question or carries an ask word (`commitment_ask`: 请/能不能/咱们…吧/您看…);
- the clause holding the action is not a request for information about it: no wh-word other than the
  scheduling ones (什么时候/哪天/几点) and no talk of plans or the past (`commitment_not_ask`: 计划/一般/
  之前…过) — "你们之前测试过哪些厂家?" explores the process, it asks nothing of the customer;
- it is not just the rep's own deliverable ("我给您准备一份资料,好吗?": courtesy, a statement);
- it does not ask to agree with the rep's framing of the solution ("如果先试点,是不是风险更小?" is
  control) unless it also fixes a time or the people, nor restate what was agreed ("我确认下,…对吗?").

Elements (CONTRACT §1): `action` — an action rule fired in an asking sentence; `time` and `people` — found in
the asking sentences and their neighbours, after dropping vague times ("有空的时候") and the rep's own
colleagues; `benefit` — anywhere in the message ("这样您就能…" often stands in a sentence of its own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from evaluators.acts import lexicon
from evaluators.acts.text import strip_idioms
from evaluators.model import Elements

_FILE = "commitment"
_CLAUSE = re.compile(r"[^,;:、]+[,;:、]*")
# Actions the rep may do for the customer ("我给您寄样品"): with the rep as subject they are courtesy.
_REP_CAN_DO = frozenset({"data", "demo", "trial", "decide"})
_QUESTION_END = re.compile(r"[吗嘛么呢][\s?!。.~…]*$")
# A restatement lead-in ("我确认下,…", "您刚才讲…") opens a confirmation, not an ask.
_LEAD_IN = 8


@dataclass(frozen=True, slots=True)
class CommitmentAsk:
    """What `find` found: the elements the ask names and the rules that fired."""

    elements: Elements
    rules: tuple[str, ...]


@cache
def _wh() -> re.Pattern[str]:
    return re.compile(lexicon.macros()["WH"])


def _rule(name: str) -> lexicon.Rule:
    return lexicon.rule(_FILE, name)


@cache
def _action_rules() -> tuple[lexicon.Rule, ...]:
    return tuple(r for name, r in lexicon.rules(_FILE).items() if name.startswith("commitment_action_"))


def _actions(sentence: str) -> list[lexicon.Rule]:
    return [r for r in _action_rules() if r.fires(sentence)]


def _clause_is_information_request(clause: str, proposal: bool) -> bool:
    """True when the clause asks about the action (wh-word, plans, the past) instead of asking for it.

    `proposal`: the sentence carries an ask word; then 几 reads as "a few" (把几个门店的数据发我).
    """
    if _rule("commitment_not_ask").fires(clause):
        return True
    core = _rule("commitment_scheduling_wh").regex.sub("", strip_idioms(clause))
    core = _rule("commitment_rep_intent").regex.sub("", core)
    if proposal:
        core = core.replace("几", "")
    return _wh().search(core) is not None


def _asks_for(sentence: str, actions: list[lexicon.Rule], availability: bool, proposal: bool) -> bool:
    """Does the sentence ask for the action rather than about it?

    The clause holding the action must not be an information request, nor may the last clause, which
    carries the question ("测试的话,你们对测试周期有什么要求?" asks about the test, not for one).
    """
    wanted = actions + ([_rule("commitment_availability")] if availability else [])
    clauses = _CLAUSE.findall(sentence) or [sentence]
    holding = [c for c in clauses if any(r.fires(c) for r in wanted)] or [sentence]
    interrogative = "?" in sentence or _QUESTION_END.search(sentence) is not None
    if interrogative and _clause_is_information_request(clauses[-1], proposal):
        return False
    return any(not _clause_is_information_request(c, proposal) for c in holding)


def _restates(sentence: str) -> bool:
    """A sentence that opens with a restatement marker and verifies ("我确认下,…?", "所以…,没错吧?")."""
    qt = lexicon.rules("question_types")
    tagged = qt["confirmation_tag"].fires(sentence)
    if not (tagged or "?" in sentence):
        return False
    # In chat the marker may sit mid-sentence ("聊了几个方面,…,我复述一下,您看有没有出入"): it still
    # restates when the sentence closes by asking whether the restatement is right or complete.
    tail = _CLAUSE.findall(sentence)[-1] if _CLAUSE.findall(sentence) else sentence
    verifies = qt["confirmation_tag"].fires(tail) or qt["confirmation_completeness"].fires(tail)
    for name in ("confirmation_plain", "confirmation_paraphrase", "confirmation_summary"):
        m = qt[name].find(sentence)
        if m is not None and (m.start() <= _LEAD_IN or verifies):
            return True
    # "所以/那…" also opens proposals ("那咱们先签个协议?"): only a verification tag makes it a restatement.
    return tagged and qt["restating_connective"].fires(sentence)


def _restating_message(sentences: list[str]) -> bool:
    """ "我确认一下:一,…;二,…。我理解得对吗?": a restatement closed by a check asks for nothing, whatever
    times or actions it repeats."""
    if len(sentences) < 2:
        return False
    qt = lexicon.rules("question_types")
    if not (qt["confirmation_tag"].fires(sentences[-1]) and len(sentences[-1]) <= 12):
        return False
    markers = ("confirmation_plain", "confirmation_paraphrase", "confirmation_summary")
    return any(
        (m := qt[name].find(s)) is not None and m.start() <= _LEAD_IN
        for s in sentences[:-1]
        for name in markers
    )


def _frames_solution(sentence: str) -> bool:
    return any(
        lexicon.rule("question_types", name).fires(sentence)
        for name in ("control_rather_than", "control_better", "control_choice", "control_recommend")
    )


def is_commitment_sentence(sentence: str, is_question: bool) -> tuple[bool, list[str]]:
    """(asks for a commitment?, names of the action rules that fired) for one sentence."""
    proposal = _rule("commitment_ask").fires(sentence)
    if not (is_question or proposal):  # cheapest test first: most statements ask nothing
        return False, []
    actions = _actions(sentence)
    availability = _rule("commitment_availability").fires(sentence)
    if not actions and not availability:
        return False, []
    tags = {str(r.tag) for r in actions}
    has_time = _has_time(sentence)
    own = lexicon.rule("question_types", "courtesy_own_action").fires(sentence)
    if own and tags <= _REP_CAN_DO and not availability:
        # A demo the rep gives is still an ask when it fixes a time or who attends ("周三给您和设备科演示").
        attended = tags == {"demo"} and (has_time or has_people(sentence))
        if not attended:
            return False, []
    # "如果先试点,是不是风险更小?" asks to agree with the rep's framing of the solution (control), unless
    # it also fixes when or with whom the customer acts.
    if _frames_solution(sentence) and not (has_time or has_people(sentence)):
        return False, []
    if _restates(sentence):
        return False, []
    if not _asks_for(sentence, actions, availability, proposal):
        return False, []
    return True, [r.name for r in actions] or ["commitment_availability"]


def _has_time(text: str) -> bool:
    vague = _rule("element_time_vague").regex
    return _rule("element_time").fires(vague.sub("", text))


def has_people(text: str) -> bool:
    text = _rule("element_people_rep_side").regex.sub("", text)
    return _rule("element_people").fires(text)


def find(sentences: list[str], flags: list[bool]) -> CommitmentAsk | None:
    """The commitment ask of a message split into `sentences` (`flags[i]`: sentence i is a question)."""
    if _restating_message(sentences):
        return None
    hits: list[int] = []
    rules: list[str] = []
    for i, (s, q) in enumerate(zip(sentences, flags, strict=True)):
        ok, names = is_commitment_sentence(s, q)
        if ok:
            hits.append(i)
            rules.extend(n for n in names if n not in rules)
    if not hits and len(sentences) > 1 and flags[-1] and _rule("commitment_tag").fires(sentences[-1]):
        # "…开个半小时启动会,定好试点指标。您看可以吗?": a bare tag asks for the proposal before it
        for i in (len(sentences) - 2, len(sentences) - 3):
            if i < 0:
                break
            ok, names = is_commitment_sentence(sentences[i] + sentences[-1], True)
            if ok:
                hits, rules = [i, len(sentences) - 1], names
                break
    if not hits:
        return None
    near = sorted({j for i in hits for j in (i - 1, i, i + 1) if 0 <= j < len(sentences)})
    span = "".join(sentences[j] for j in near)
    elements = Elements(
        time=_has_time(span),
        people=has_people(span),
        # The thing to do may stand in the next sentence ("明天上午您有空吗?我们过来帮您排查…").
        action=any(r != "commitment_availability" for r in rules) or bool(_actions(span)),
        benefit=_rule("element_benefit").fires("".join(sentences)),
    )
    fired = tuple(rules) + tuple(
        f"element_{n}" for n in ("time", "people", "benefit") if getattr(elements, n)
    )
    return CommitmentAsk(elements=elements, rules=fired)
