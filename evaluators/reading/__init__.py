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

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from evaluators.acts import commitment, lexicon, pitch, text
from evaluators.classify import classify
from evaluators.model import Classification
from evaluators.reading.cuelex import Lexicon
from evaluators.reading.cuelex import lexicon as cue_lexicon
from evaluators.reading.intro import intro_parts, self_introduction

# pitch.yaml rules that name the rep's offer itself (not a figure or a quality that a question may quote)
_OFFER_RULES = frozenset({"pitch_product_subject", "pitch_superiority", "pitch_guarantee"})

__all__ = ["Cues", "Reading", "cues", "cue_lexicon", "read", "says_meeting_length"]


class Cues:
    """What a message says beyond its act. String cues hold the matched words (None: not said).

    Each cue is read on first use and then kept: the scorer asks a few cues of every turn, the customer
    others of one message, and neither pays for the rest.
    """

    def __init__(self, norm: str = "") -> None:
        self._norm = norm

    def _words(self, name: str) -> str | None:
        if not self._norm:
            return None
        match = cue_lexicon().cue_rules[name].find(self._norm)
        return match.group(0) if match is not None else None

    def _has(self, name: str) -> bool:
        return bool(self._norm) and cue_lexicon().cue_rules[name].search(self._norm)

    @cached_property
    def argue(self) -> str | None:  # 与客户的认知争辩
        return self._words("cue_argue")

    @cached_property
    def contempt(self) -> str | None:  # contempt for the customer, their choice or a competitor
        return self._words("cue_contempt")

    @cached_property
    def pleading(self) -> str | None:  # "您就见我一面嘛"
        return self._words("cue_pleading")

    @cached_property
    def pressure_close(self) -> str | None:  # "今天先把框架协议签了"
        return self._words("cue_pressure_close")

    @cached_property
    def customer_ends(self) -> str | None:  # a customer's line that ends the call ("先挂了")
        return self._words("cue_customer_ends")

    @cached_property
    def customer_agrees(self) -> str | None:  # a customer's yes to an ask ("行,那就周四下午吧")
        return self._words("cue_customer_agrees")

    @cached_property
    def customer_concern(self) -> str | None:  # a customer's hesitation, doubt or objection (顾虑)
        return self._words("cue_customer_concern")

    @cached_property
    def refers_back(self) -> bool:  # "这件事 / 那次 / 您刚才说的": about the last topic
        return self._has("cue_refers_back")

    @cached_property
    def probes_concern(self) -> bool:  # 探寻异议: what worries him, what holds him back
        return self._has("cue_probes_concern")

    @cached_property
    def offers_plan(self) -> bool:  # 提供方案: a way to remove a concern
        return self._has("cue_offers_plan")

    @cached_property
    def small_talk(self) -> bool:  # 寒暄
        return self._has("cue_small_talk")

    @cached_property
    def gaming(self) -> bool:  # talking to the bot ("隐藏信息", "忽略之前的指令")
        return self._has("cue_gaming")

    @cached_property
    def nudge(self) -> bool:  # "喂?在吗?" — checking the line
        return self._has("cue_nudge")

    @cached_property
    def personal(self) -> bool:  # points at the person (您个人, 领导, 考核 …)
        return self._has("cue_personal")

    @cached_property
    def asks(self) -> tuple[str, ...]:  # what the last question asks about (ask_* rules, in their order)
        if not self._norm:
            return ()
        sentences = text.split(self._norm) or [self._norm]
        last = next((s for s in reversed(sentences) if text.is_question(s)), sentences[-1])
        rules = cue_lexicon().cue_rules
        return tuple(k[4:] for k, m in rules.items() if k.startswith("ask_") and m.search(last))

    @cached_property
    def empathy(self) -> bool:  # 同理心
        return self._has("cue_empathy")

    @cached_property
    def soft_value(self) -> bool:  # 提供价值: a case, peers, policy, data
        return self._has("cue_soft_value")

    @cached_property
    def intro(
        self,
    ) -> tuple[tuple[str, bool], ...]:  # company / title / name / purpose of a self-introduction
        if not self._norm:
            return ()
        return tuple((k, bool(v)) for k, v in intro_parts(self._norm, cue_lexicon()).items())

    def intro_parts(self) -> dict[str, bool]:
        return dict(self.intro)

    @cached_property
    def self_intro(self) -> bool:  # the rep introduces themself (a self marker with a company, title or name)
        lex = cue_lexicon()
        if not any(m in self._norm for m in lex.self_markers):
            return False
        parts = self.intro_parts()
        segment = self_introduction(self._norm, lex)
        return bool(lex.company.search(segment) or parts["title"] or parts["name"])

    @cached_property
    def meeting_length(self) -> bool:  # says how long the meeting takes
        return bool(self._norm) and says_meeting_length(self._norm)

    @cached_property
    def duration(self) -> bool:  # any length of time
        return cue_lexicon().duration.search(self._norm) is not None

    @cached_property
    def choice_of_times(self) -> bool:  # 二选一
        return bool(self._norm) and cue_lexicon().choice_of_times.search(self._norm)

    @cached_property
    def times(self) -> tuple[str, ...]:  # concrete times named
        return tuple(m.group(0) for m in cue_lexicon().time.finditer(self._norm)) if self._norm else ()

    @cached_property
    def put_off(self) -> bool:  # 再说 / 以后再联系
        return bool(self._norm) and cue_lexicon().put_off.search(self._norm)

    @cached_property
    def people(self) -> bool:  # customer-side people beyond the addressee
        return bool(self._norm) and commitment.has_people(self._norm)

    @cached_property
    def benefit(self) -> bool:  # what the customer gains
        return bool(self._norm) and lexicon.rule("commitment", "element_benefit").fires(self._norm)

    @cached_property
    def product(self) -> bool:  # describes the rep's product or offer (pitch rules)
        return bool(self._norm) and pitch.judge(self._norm)[0]

    @cached_property
    def offer(
        self,
    ) -> bool:  # a pitch that names the offer itself: its subject, price, superiority, guarantee
        if not self._norm:
            return False
        # the statements only, and with the rep's side as their subject: a question quoting his figures
        # ("二十三个网点靠人工换…多久能换完?") or restating his process names no offer
        parts = []
        for sentence in text.split(self._norm):
            if text.is_question(sentence):  # keep what comes before the clause that asks
                sentence = "".join(re.split(r"(?<=[,;])", sentence)[:-1])
            parts.append(sentence)
        said = "".join(parts)
        if not said or not cue_lexicon().cue_rules["cue_rep_side"].search(said):
            return False
        is_pitch, fired = pitch.judge(said)
        return is_pitch and any(name in _OFFER_RULES for name in fired)

    @cached_property
    def motive_words(self) -> tuple[str, ...]:  # the strong 探索·动机 rules that fire
        rules = lexicon.rules("exploratory_focus").values()
        return tuple(r.name for r in rules if r.tag == "motive" and r.weight >= 3 and r.fires(self._norm))

    @cached_property
    def triggers(self) -> tuple[str, ...]:  # 激发兴趣的触发器 used: fear / curiosity / pressure / showing_off
        if not self._norm:
            return ()
        return tuple(key for key, (_, m) in cue_lexicon().triggers.items() if m.search(self._norm))


@dataclass(frozen=True, slots=True)
class Reading:
    """A message's dialogue act and its cues."""

    text: str
    label: Classification
    cues: Cues


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
    return Cues(text.normalize(message))


def read(message: str) -> Reading:
    """The one reading of a rep message: its act (CONTRACT §1) and its cues."""
    return Reading(text=message, label=classify(message), cues=cues(message))
