"""One reading of a rep's message, for the simulated customer and the scorer alike.

    from evaluators.reading import read
    r = read("王主任您好,我是华声会议系统的客户经理李明,想约您二十分钟……")
    r.label.act          # "commitment" — the dialogue act (CONTRACT §1), from evaluators.classify
    r.cues.intro         # {"company": True, "title": True, "name": True, "purpose": True}
    r.cues.meeting_length, r.cues.argue, r.cues.contempt, r.cues.empathy …

Every cue comes from one place: the lexicon files under evaluators/lexicons/ (acts: the classifier's files;
cues: cues.yaml). The customer engine (customer/) and the finding rules (evaluators/findings/) read a message
only through this module, so they can never disagree about what was said. Pure and cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from evaluators.acts import commitment, lexicon, pitch, text
from evaluators.classify import classify
from evaluators.model import Classification
from evaluators.reading.cuelex import Lexicon
from evaluators.reading.cuelex import lexicon as cue_lexicon
from evaluators.reading.intro import intro_parts, self_introduction

__all__ = ["Cues", "Reading", "cues", "cue_lexicon", "read", "says_meeting_length"]


@dataclass(frozen=True, slots=True)
class Cues:
    """What a message says beyond its act. String fields hold the matched words (None: not said)."""

    argue: str | None = None  # 与客户的认知争辩
    contempt: str | None = None  # contempt for the customer, their choice or a competitor
    gaming: bool = False  # talking to the bot ("隐藏信息", "忽略之前的指令")
    nudge: bool = False  # "喂?在吗?" — checking the line
    pleading: str | None = None  # "您就见我一面嘛"
    pressure_close: str | None = None  # "今天先把框架协议签了"
    intro: tuple[tuple[str, bool], ...] = ()  # company / title / name / purpose of a self-introduction
    self_intro: bool = False  # the rep introduces themself (a self marker with a company or title)
    meeting_length: bool = False  # says how long the meeting takes
    duration: bool = False  # any length of time
    choice_of_times: bool = False  # 二选一
    times: tuple[str, ...] = ()  # concrete times named
    put_off: bool = False  # 再说 / 以后再联系
    people: bool = False  # customer-side people beyond the addressee
    benefit: bool = False  # what the customer gains
    product: bool = False  # describes the rep's product or offer (pitch rules)
    personal: bool = False  # points at the person (您个人, 领导, 考核 …)
    motive_words: tuple[str, ...] = ()  # the strong 探索·动机 rules that fire
    empathy: bool = False  # 同理心
    soft_value: bool = False  # 提供价值: a case, peers, policy, data
    triggers: tuple[str, ...] = ()  # 激发兴趣的触发器 used: fear / curiosity / pressure / showing_off

    def intro_parts(self) -> dict[str, bool]:
        return dict(self.intro)


@dataclass(frozen=True, slots=True)
class Reading:
    """A message's dialogue act and its cues."""

    text: str
    label: Classification
    cues: Cues


def _words(lex: Lexicon, name: str, message: str) -> str | None:
    match = lex.cue_rules[name].find(message)
    return match.group(0) if match is not None else None


def says_meeting_length(message: str, lex: Lexicon | None = None) -> bool:
    """A duration in a clause about the meeting (the same clause or a neighbour): 聊半小时, 占用您四十分钟."""
    lex = lex or cue_lexicon()
    clauses = [c for c in lex.clause_end.split(message) if c.strip()]
    for k, clause in enumerate(clauses):
        if lex.duration.search(clause) is None:
            continue
        window = "".join(clauses[max(0, k - 1) : k + 2])
        if lex.meeting_context.search(window):
            return True
    return False


@lru_cache(maxsize=4096)
def cues(message: str) -> Cues:
    """The cues of one message (see `Cues`); never raises for any str."""
    if not isinstance(message, str):
        message = "" if message is None else str(message)
    norm = text.normalize(message)
    if not norm:
        return Cues()
    lex = cue_lexicon()
    parts = intro_parts(norm, lex)
    marker = any(m in norm for m in lex.self_markers)
    segment = self_introduction(norm, lex)
    focus_rules = lexicon.rules("exploratory_focus")
    return Cues(
        argue=_words(lex, "cue_argue", norm),
        contempt=_words(lex, "cue_contempt", norm),
        gaming=lex.cue_rules["cue_gaming"].search(norm),
        nudge=lex.cue_rules["cue_nudge"].search(norm),
        pleading=_words(lex, "cue_pleading", norm),
        pressure_close=_words(lex, "cue_pressure_close", norm),
        intro=tuple((k, bool(v)) for k, v in parts.items()),
        self_intro=marker and bool(lex.company.search(segment) or parts["title"] or parts["name"]),
        meeting_length=says_meeting_length(norm, lex),
        duration=lex.duration.search(norm) is not None,
        choice_of_times=lex.choice_of_times.search(norm),
        times=tuple(m.group(0) for m in lex.time.finditer(norm)),
        put_off=lex.put_off.search(norm),
        people=commitment.has_people(norm),
        benefit=lexicon.rule("commitment", "element_benefit").fires(norm),
        product=pitch.judge(norm)[0],
        personal=lex.cue_rules["cue_personal"].search(norm),
        motive_words=tuple(
            r.name for r in focus_rules.values() if r.tag == "motive" and r.weight >= 3 and r.fires(norm)
        ),
        empathy=lex.cue_rules["cue_empathy"].search(norm),
        soft_value=lex.cue_rules["cue_soft_value"].search(norm),
        triggers=tuple(key for key, (_, m) in lex.triggers.items() if m.search(norm)),
    )


def read(message: str) -> Reading:
    """The one reading of a rep message: its act (CONTRACT §1) and its cues."""
    return Reading(text=message, label=classify(message), cues=cues(message))
