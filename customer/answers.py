"""How the customer answers a question (探索类提问), from 第三篇 引导期望 — a mixin of `customer.rules.Rules`.

Every question gets an answer on its topic (issue: a reply answers the message it follows):
- the topic is the fact whose card keywords the question names, or — for "这件事 / 那次 / 您刚才说的" — the
  fact the talk is about now (`state.topic`); a broad question (由宽到窄) is about the easiest fact left in
  its focus;
- the fact itself when trust allows (at most one fact a move);
- else a surface answer on the same topic (the card's `surface` lines: what a real customer tells a stranger),
  or a deflection that names the topic; near the threshold a hint that there is more;
- a motive (动机具有不可猜测性) only to a personal question grounded in a need he told — by its words or by
  "这件事" — never for hitting a card keyword;
- a topic already told is recapped, not denied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from customer import commit
from customer.decision import Decision
from customer.handlers import handles
from customer.state import State
from customer.text import echo_ratio, hits, normalize
from evaluators.reading import cue_lexicon, cues

if TYPE_CHECKING:
    from customer.cards import Card
    from customer.numbers import Numbers

CATEGORIES = ("expectation", "need", "motive", "process")


class AnsweringRules:
    if TYPE_CHECKING:  # provided by customer.rules.Rules (this is its mixin)
        card: Card
        n: Numbers
        appointment: bool

        def min_trust(self, fact: Any) -> float: ...
        def eligible(self, fact: Any, state: State, bonus: float = 0) -> bool: ...
        def reveal(self, state: State, fact_ids: list[str]) -> tuple[str, ...]: ...
        def next_in(self, cat: str, state: State, bonus: float = 0) -> Any: ...
        def refers(self, text: str, fact_id: str, state: State | None = None) -> bool: ...

    # -- topics -----------------------------------------------------------------------------------------
    def topical(self, text: str, state: State, cat: str) -> list:
        """Facts the question is about, best first: named by two of their keywords, or by one when the fact
        is of the question's focus (one shared word like 钱 or 时间 is not enough to switch topic)."""
        scored = []
        generic = {normalize(w) for w in cue_lexicon().personal_words}
        for i, f in enumerate(self.card.facts()):
            words = f.reveal.keywords
            if f.id.startswith("m"):  # 您个人 / 领导 / 压力 name every motive: not a topic of its own
                words = [k for k in words if normalize(k) not in generic]
            h = hits(text, words)
            same = self.card.category(f.id) == cat
            if h >= 2 or (h and same):
                scored.append((h + same, i, f))
        scored.sort(key=lambda x: (-x[0], x[1]))
        return [f for _, _, f in scored]

    def grounded_need(self, text: str, state: State) -> str | None:
        """The need a personal question is grounded in: one it names, or the one the talk is about now."""
        needs = [n for n in state.earned if n.startswith("n")]
        named = [n for n in needs if self.refers(text, n)]
        if named:
            return named[-1]
        if cues(text).refers_back and state.topic in needs:
            return state.topic
        if cues(text).refers_back and needs:
            return needs[-1]
        if needs and echo_ratio(text, state.last_customer) >= self.n("listening.builds_on.ratio"):
            return needs[-1]  # the question starts from his own words: grounded in what he just said
        if state.topic in needs:  # the talk is about a need he just told: "您个人…" is about that
            return state.topic
        return None

    # -- the question -----------------------------------------------------------------------------------
    @handles("exploratory")
    def on_exploratory(self, state: State, cls, text: str) -> Decision:
        cat = cls.focus if cls.focus in CATEGORIES else "need"
        said = cues(text)
        asks = [a for a in said.asks if a != "broad"]
        # "哪位领导点头?" names a person but asks about the process: answered as a process question
        process_ask = bool(asks) and asks[0] in self.n("answering.process_asks") and not said.motive_words
        personal = (said.personal or cat == "motive") and not process_ask
        if personal:
            need = self.grounded_need(text, state)
            if need is not None:
                return self.motive_for(state, need, text)
            if (
                said.personal and not process_ask
            ):  # 动机具有不可猜测性: a vague personal question gets a polite non-answer
                return self.no_motive(state)
            cat = "need"  # read as about him, but it names nothing personal: answered as a question
        topical = self.topical(text, state, cat)
        if asks and topical:
            # the words name his topics, the form asks for a kind: "对不上的时候会怎么样?" is about the
            # consequence, not the mismatch again — keep the topics of that kind, else answer by the kind
            # (for the softer asks only when a fact of that kind is left to tell)
            kinds = self.ask_kinds(asks)
            fitting = [f for f in topical if f.kind in kinds]
            kind_left = any(
                f.kind in kinds and f.id not in state.earned and not f.id.startswith("m")
                for f in self.card.facts()
            )
            if fitting:
                topical = fitting
            elif asks[0] in self.n("answering.strict_asks") or kind_left:
                return self.by_ask(state, asks, text)
        if not topical and said.refers_back and state.topic:
            topical = [self.card.fact(state.topic)]
        fresh = [f for f in topical if f.id not in state.earned and not f.id.startswith("m")]
        if fresh:
            found = next((f for f in fresh if self.eligible(f, state)), None)
            if found is not None:
                return self.disclosed(state, found, text, "topic_question")
            return self.too_early(state, fresh[0])
        told = [f for f in topical if f.id in state.earned]
        if told and told[0].id in state.last_disclosed:
            # digging into what he just said ("为什么会这样?"): he goes on about it, he does not repeat it
            more = self.next_in(self.card.category(told[0].id), state)
            if more is not None and self.card.category(told[0].id) != "motive":
                return self.disclosed(state, more, text, "follow_up_question")
            state.topic = told[0].id
            return Decision("elaborate", topic_of=told[0].id, reason="follow_up_question")
        again = told and (said.refers_back or hits(text, told[0].reveal.keywords) >= 2)
        if again and told[0].id not in state.recapped:
            # asked again about what he told: he says it again, briefly (once per fact)
            state.recapped.append(told[0].id)
            state.topic = told[0].id
            return Decision("recap", facts=(told[0].id,), reason="already_told")
        if asks:  # it names none of his topics, but asks for a kind of thing: the fact of that kind
            return self.by_ask(state, asks, text)
        if not said.asks and said.self_intro:  # "您好,是赵主任吗?我是…": an opening, not a question yet
            return Decision("ack_intro", lines_from="intro_reply", reason="introduction")
        if not said.asks and ("?" in text or "？" in text):
            # a closed question about something he has no story for ("您看周五可以吗?"): a plain answer
            return Decision("noncommittal", reason="question_off_topic")
        found = self.next_in(cat, state)
        if found is not None:
            return self.disclosed(state, found, text, "broad_question")
        left = [f for f in self.card.facts() if f.id not in state.earned and self.card.category(f.id) == cat]
        if not left:
            return Decision("noncommittal", reason=f"{cat}_exhausted")
        if cat != "expectation" and state.count("expectation_instead") <= 1:
            # 客户总是跟你谈期望: an early broad question asked too soon gets his requirements (once)
            exp = self.next_in("expectation", state)
            if exp is not None:
                state.topic = exp.id
                return Decision(
                    "answer_expectation", facts=self.reveal(state, [exp.id]), reason="expectation_instead"
                )
        return self.too_early(state, min(left, key=self.min_trust))

    def ask_kinds(self, asks: list[str]) -> list[str]:
        """The kinds of facts that answer these asks, best first (engine.yaml `answering.asks`)."""
        table = self.n("answering.asks")
        kinds: list[str] = []
        for ask in asks:
            kinds += [k for k in table.get(ask, ()) if k not in kinds]
        return kinds

    def by_ask(self, state: State, asks: list[str], text: str) -> Decision:
        """A question that names no topic of his, by what it asks (原因, 后果, 谁拍板 …): the easiest fact of the
        first kind that answers it, or a surface answer on that fact's topic when trust is short; once those
        are told, a recap, then a plain answer."""
        # his concern lines answer a proposal ("测试倒是可以,就是…"): named only once the rep has asked for one
        if asks[0] == "worry" and not state.concern and state.counts.get("asks", 0):
            voiced = commit.voice_concern(self.card, state)
            if voiced is not None:
                return voiced
        kinds = self.ask_kinds(asks)
        facts = [f for f in self.card.facts() if f.kind in kinds and not f.id.startswith("m")]
        fresh = [f for f in facts if f.id not in state.earned]
        if fresh:
            first = min(kinds.index(f.kind) for f in fresh)
            group = sorted((f for f in fresh if kinds.index(f.kind) == first), key=self.min_trust)
            found = next((f for f in group if self.eligible(f, state)), None)
            if found is not None:
                return self.disclosed(state, found, text, "asked_kind")
            early = self.too_early(state, group[0])
            if early.move == "surface" or (early.move == "deflect" and early.hint is None):
                # he chose the topic, the rep did not name it: a harmless answer to what was asked
                return Decision("surface", lines_from=f"ask:{asks[0]}", reason="not_enough_trust")
            return early
        told = sorted((f for f in facts if f.id in state.earned), key=lambda f: state.earned.index(f.id))
        if told and told[-1].id in state.last_disclosed:  # about what he just said: he goes on, no repeat
            more = self.next_in(self.card.category(told[-1].id), state)
            if more is not None:
                return self.disclosed(state, more, text, "follow_up_question")
            state.topic = told[-1].id
            return Decision("elaborate", reason="follow_up_question")  # he picked it: no topic named
        if told and told[-1].id not in state.recapped:
            state.recapped.append(told[-1].id)
            state.topic = told[-1].id
            return Decision("recap", facts=(told[-1].id,), reason="asked_kind_told")
        return Decision("noncommittal", reason="asked_kind_exhausted")

    def motive_for(self, state: State, need: str, text: str) -> Decision:
        """A personal question grounded in a told need (通过需求看到动机): the motive tied to it, if trusted."""
        state.topic = need
        motives = [f for f in self.card.hidden.motives if f.id not in state.earned]
        if not motives:
            return Decision("nothing_more", reason="motive_exhausted")
        tied = [m for m in motives if need in m.reveal.requires] or [
            m for m in motives if not m.reveal.requires
        ]
        pool = tied or motives
        pool.sort(key=lambda m: -hits(text, m.reveal.keywords))
        found = next((m for m in pool if self.eligible(m, state)), None)
        if found is not None:
            return self.disclosed(state, found, text, "grounded_motive_question")
        return self.too_early(state, pool[0])

    def no_motive(self, state: State) -> Decision:
        """A personal question about nothing he told: he keeps himself out of it (no card line is used)."""
        return Decision("personal_deflect", reason="motive_needs_grounded_question")

    def disclosed(self, state: State, fact, text: str, reason: str) -> Decision:
        n = self.n
        short = len(text) <= n("question.disclosed.short_chars")
        state.bump(
            "trust", n("question.disclosed.trust_short") if short else n("question.disclosed.trust_long")
        )
        state.bump("patience", n("question.disclosed.patience"))  # his own business keeps him talking
        state.topic = fact.id
        return Decision("answer", facts=self.reveal(state, [fact.id]), reason=reason)

    def too_early(self, state: State, fact) -> Decision:
        """Not enough trust for this fact: a surface answer on its topic (or a deflection naming it), with a
        hint near the threshold; a good question still earns a little trust (提问是信任的手段)."""
        n = self.n
        state.topic = fact.id
        state.bump("trust", n("question.surface.trust"))
        state.bump("patience", n("question.surface.patience"))
        if (
            fact.hint
            and fact.id not in state.hinted
            and state.trust >= self.min_trust(fact) - n("question.hint_window")
        ):
            state.hinted.append(fact.id)
            return Decision("deflect", hint=fact.id, topic_of=fact.id, reason="not_enough_trust")
        if fact.surface:
            return Decision("surface", topic_of=fact.id, reason="not_enough_trust")
        return Decision("deflect", topic_of=fact.id, reason="not_enough_trust")

    @handles("control")
    def on_control(self, state: State, cls, text: str) -> Decision:
        n = self.n
        known = sum(1 for e in state.earned if e[0] in "en")
        if known >= n("control.known_needed"):  # after exploring, a leading question shows expertise
            state.bump("value", n("control.accepted.value"))
            state.bump("trust", n("control.accepted.trust"))
            return Decision("accept_control", reason="control_after_exploration")
        state.bump("pressure", n("control.resisted.pressure"))
        state.bump("trust", n("control.resisted.trust"))
        return Decision("resist_control", reason="control_before_exploration")
