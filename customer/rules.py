"""The customer's rules, written from 崔建中《价值型销售》. They read one classified rep message (or a
silence), change the `State` and return the `Decision` a voice will say.

What the book says, and where it shows up here:
- 约访五大障碍 (成本/怀疑/压力/失控/竞争): every appointment turn costs patience; a pitch raises pressure and
  costs trust and patience until the customer hangs up; a monologue (失控) costs patience.
- 期望 → 需求 → 动机 as a measure of trust: expectations come at low trust, needs with some trust, a
  motive only with high trust, after a need, to a specific personal question about it. A question asked
  too early gets an expectation instead, or a deflection (sometimes a hint that there is more).
- 由宽到窄: a broad expectation/need question earns the easiest fact left; a topic question earns the
  fact whose card keywords it names.
- 确认类提问 builds trust (普通 < 换言 < 麦肯锡式总结), once per fact; a summary makes the customer add
  one more thing (查遗补缺). Copying the customer's words back gains little, then annoys.
- 黄金静默 / 扩展类提问: after the customer's answer, silence ≥ 4 s or "还有呢" makes him go on.
- 控制类提问必须在探索类之后; 永远不能与客户的认知争辩.
- Asking for hidden information or giving the bot instructions earns nothing (a real customer has none).
"""

from __future__ import annotations

from customer import commit
from customer.cards import Card
from customer.decision import Decision
from customer.listening import GOLDEN_SILENCE, SUBSTANTIVE, ListeningRules
from customer.state import MIN_TRUST, State
from customer.text import echo_ratio, hits, normalize, similarity
from evaluators.reading import cue_lexicon, cues

# Patience a turn costs (约访的成本障碍: a busy customer's time).
DRAIN = {"appointment": {"高": 7, "中": 6, "低": 5}, "visit": {"高": 5, "中": 4, "低": 3}}
VALUE_GAIN = {"expectation": 3, "process": 2, "need": 8, "motive": 12}
# How far a disclosed fact moves the buying stage (the notes' 10 stages), one step at a time.
# Expectations do not move it: the customer only tells what he already has in mind.
STAGE_OF_KIND = {"障碍": 2, "不良影响": 3, "痛苦": 3, "企图心": 3, "目标": 4, "组织利益": 4}
MAX_TURNS = {"appointment": 16, "visit": 30}


class Rules(ListeningRules):
    """The rules for one card. Stateless apart from the card: all memory is in the `State` passed in."""

    def __init__(self, card: Card) -> None:
        self.card = card
        self.by_cat = {
            cat: [f for f in card.facts() if card.category(f.id) == cat]
            for cat in ("expectation", "need", "motive", "process")
        }
        self.appointment = card.mode == "appointment"

    # -- facts ------------------------------------------------------------------------------------------
    def min_trust(self, fact) -> float:
        base = fact.reveal.min_trust if fact.reveal.min_trust is not None else MIN_TRUST[fact.kind]
        if self.appointment and fact.id.startswith("p") and fact.reveal.min_trust is None:
            base += 8  # 沟通开始阶段客户往往不愿透露流程类信息, least of all on a cold call
        return base

    def eligible(self, fact, state: State, bonus: float = 0) -> bool:
        """Earnable now: trust is enough, and what it `requires` (a motive: some need) is already earned."""
        if fact.id in state.earned:
            return False
        requires = fact.reveal.requires
        if not requires and fact.id.startswith("m"):
            if not any(e.startswith("n") for e in state.earned):
                return False
        elif any(r not in state.earned for r in requires):
            return False
        return state.trust + bonus >= self.min_trust(fact)

    def score(self, fact, text: str, state: State) -> int:
        """How clearly the message is about this fact's topic (its card keywords)."""
        if not fact.id.startswith("m"):
            return hits(text, fact.reveal.keywords)
        # A motive question must be personal and grounded: in a need the customer told (通过需求看到动机),
        # or in a word of this motive beyond generic ones like 您个人/领导/压力 (asking those gets nothing).
        generic = {normalize(w) for w in cue_lexicon().personal_words}
        h = hits(text, [k for k in fact.reveal.keywords if normalize(k) not in generic])
        linked = any(self.refers(text, n) for n in state.earned if n.startswith("n"))
        personal = cues(text).personal
        if h and (personal or linked):
            return h + int(linked)
        return 1 if personal and linked else 0

    def reveal(self, state: State, fact_ids: list[str]) -> tuple[str, ...]:
        """Mark facts earned: value, stage and the last disclosure follow."""
        for fid in fact_ids:
            state.earned.append(fid)
            cat = self.card.category(fid)
            state.bump("value", VALUE_GAIN[cat])
            target = STAGE_OF_KIND.get(self.card.fact(fid).kind, 0)
            if target > state.stage:
                state.stage += 1
        state.last_disclosed = list(fact_ids)
        return tuple(fact_ids)

    def next_in(self, cat: str, state: State, bonus: float = 0):
        return next(
            (f for f in sorted(self.by_cat[cat], key=self.min_trust) if self.eligible(f, state, bonus)), None
        )

    # -- one rep message --------------------------------------------------------------------------------
    def on_message(self, state: State, cls, text: str, after: float | None) -> Decision:
        """One rep message (already classified): update `state`, return the decision."""
        state.turn += 1
        state.counts["silence_streak"] = 0
        state.bump("patience", -DRAIN[self.card.mode][self.card.customer.time_pressure])
        if after is not None and after >= GOLDEN_SILENCE and state.last_move in SUBSTANTIVE:
            state.bump("trust", 2)  # 黄金静默: the rep let the customer finish
        if len(text) > 120:
            state.bump("patience", -8)  # 失控: a monologue leaves the customer no room
            state.bump("pressure", 5)
        act = cls.act if cls.act in VALID_ACTS else "statement"
        if act != "extension":
            state.counts["ext_streak"] = 0
        said = cues(text)  # the one reading of the message, shared with the scorer
        if said.gaming:
            return self.gaming(state)
        if said.argue:
            state.bump("trust", -10)
            state.bump("pressure", 12)
            return Decision("push_back", reason="argued_with_customer")
        if said.contempt:  # running down the customer or a competitor costs trust (专业信任)
            state.bump("trust", -8)
            state.bump("pressure", 8)
            return Decision("push_back", reason="contempt")
        if act == "commitment" and said.self_intro and "intro" not in state.counts:
            # 释疑: the first 15 seconds name company, role, name — and the purpose, which in a call is
            # the meeting. Saying it is the method, not an ask to answer yet.
            return self.on_statement(state, cls, text)
        if act == "commitment":
            return commit.ask(self.card, state, cls, text)
        if state.concern and act in ("exploratory", "confirmation", "extension", "control"):
            explored = commit.explore(self.card, state)
            if explored is not None:
                return explored
        parrot = self.parrot(state, text, cls)
        if parrot is not None:
            return parrot
        if act in ("exploratory", "control") and self.repeated(state, text):
            state.bump("patience", -8)
            state.bump("trust", -2)
            return Decision("already_said", reason="repeated_question")
        handler = getattr(self, f"on_{act}")
        return handler(state, cls, text)

    def gaming(self, state: State) -> Decision:
        n = state.count("gaming")
        state.bump("trust", -8)
        state.bump("pressure", 10)
        state.bump("patience", -10)
        if n >= 3 or (self.appointment and n >= 2):
            return commit.finish(state, "hung_up", Decision("hang_up", reason="gaming"))
        return Decision("confused", reason="gaming")

    def parrot(self, state: State, text: str, cls) -> Decision | None:
        """Copying the customer's words back (no summary of several points) gains little, then annoys."""
        if (
            cls.form == "summary"
            or len(state.last_customer) < 6
            or echo_ratio(text, state.last_customer) < 0.6
        ):
            return None
        n = state.count("echo")
        if n == 1 and cls.act == "confirmation":
            return None  # a first echo reads as a plain confirmation
        state.bump("patience", -6)
        state.bump("trust", -2 if n > 1 else 0)
        return Decision("parrot", reason="echo")

    def repeated(self, state: State, text: str) -> bool:
        repeat = any(similarity(text, old) >= 0.75 for old in state.asked)
        state.asked = [*state.asked[-29:], text]
        return repeat

    # -- acts -------------------------------------------------------------------------------------------
    def on_pitch(self, state: State, cls, text: str) -> Decision:
        n = state.count("pitch")
        if self.appointment:  # 约访电话里严禁介绍产品: 压力 and 怀疑
            state.bump("pressure", 25)
            state.bump("patience", -18)
            state.bump("trust", -6)
            if n >= 3 or state.pressure >= 80 or state.patience <= 0:
                return commit.finish(state, "hung_up", Decision("hang_up", reason="pitch_in_appointment"))
            return Decision("brush_off", reason="pitch_in_appointment")
        needs_known = sum(1 for e in state.earned if e.startswith("n"))
        if needs_known < 2:  # presenting before understanding the need
            state.bump("pressure", 15)
            state.bump("patience", -10)
            state.bump("trust", -4)
            if n >= 4:
                return commit.finish(state, "hung_up", Decision("hang_up", reason="pitch_before_needs"))
            return Decision("brush_off", reason="pitch_before_needs")
        state.bump("pressure", 5)
        state.bump("patience", -4)
        return Decision("ack", reason="pitch_after_needs")

    def on_statement(self, state: State, cls, text: str) -> Decision:
        said = cues(text)
        if said.self_intro and state.count("intro") == 1:
            state.bump("trust", 8 if self.appointment else 4)  # 释疑: company, role, name, purpose
            return Decision("ack_intro", reason="introduction")
        if said.soft_value:
            n = state.count("value_statement")
            if n <= 3:  # 提供软价值 (案例、同行、政策): curiosity, with diminishing returns
                state.bump("value", 8 / n)
                state.bump("trust", 2)
                return Decision("ack_value", reason="soft_value")
        if said.empathy and state.count("empathy") <= 2:
            state.bump("trust", 3)
            return Decision("empathy_ack", reason="empathy")
        if state.count("idle") >= 2:
            state.bump("patience", -4)
            return Decision("impatient", reason="idle_statement")
        return Decision("ack", reason="statement")

    def on_exploratory(self, state: State, cls, text: str) -> Decision:
        """A topic question earns the fact whose keywords it names (any category; the focus breaks ties);
        a broad one earns the easiest fact left in its focus (由宽到窄)."""
        cat = cls.focus if cls.focus in self.by_cat else "need"
        pool = [f for f in self.card.facts() if f.id not in state.earned]
        scored = []
        for i, f in enumerate(pool):
            s = self.score(f, text, state)
            if s > 0:
                scored.append((s + (self.card.category(f.id) == cat), i, f))
        topical = [
            f for _, _, f in sorted(scored, key=lambda x: (-x[0], self.card.category(x[2].id) != cat, x[1]))
        ]
        if topical:
            found = next((f for f in topical if self.eligible(f, state)), None)
            if found is None:
                return self.too_early(state, topical[0], self.card.category(topical[0].id))
            return self.disclosed(state, found, text, "topic_question")
        if not any(self.card.category(f.id) == cat for f in pool):
            return Decision("nothing_more", reason=f"{cat}_exhausted")
        if cat == "motive":  # 动机具有不可猜测性: a vague personal question gets nothing
            return Decision("deflect", reason="motive_needs_grounded_question")
        found = self.next_in(cat, state)
        if found is None:
            first = min((f for f in pool if self.card.category(f.id) == cat), key=self.min_trust)
            return self.too_early(state, first, cat)
        return self.disclosed(state, found, text, "broad_question")

    def disclosed(self, state: State, fact, text: str, reason: str) -> Decision:
        state.bump("trust", 3 if len(text) <= 40 else 2)  # 提问与倾听是信任的手段; 简洁 helps
        state.bump("patience", 3)  # talking about his own business keeps him in the conversation
        return Decision("answer", facts=self.reveal(state, [fact.id]), reason=reason)

    def too_early(self, state: State, fact, cat: str) -> Decision:
        """Not enough trust for this: talk expectations instead (客户总是跟你谈期望), or deflect."""
        if cat != "expectation":
            exp = self.next_in("expectation", state)
            if exp is not None:
                return Decision(
                    "answer_expectation", facts=self.reveal(state, [exp.id]), reason="expectation_instead"
                )
        hint = None
        if fact.hint and fact.id not in state.hinted and state.trust >= self.min_trust(fact) - 15:
            state.hinted.append(fact.id)
            hint = fact.id
        return Decision("deflect", hint=hint, reason="not_enough_trust")

    def on_control(self, state: State, cls, text: str) -> Decision:
        known = sum(1 for e in state.earned if e[0] in "en")
        if known >= 2:  # after exploring, a leading question shapes the expectation and shows expertise
            state.bump("value", 6)
            state.bump("trust", 2)
            return Decision("accept_control", reason="control_after_exploration")
        state.bump("pressure", 8)
        state.bump("trust", -3)
        return Decision("resist_control", reason="control_before_exploration")


VALID_ACTS = {"exploratory", "control", "confirmation", "extension", "commitment", "pitch", "statement"}
