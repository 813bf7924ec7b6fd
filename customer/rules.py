"""The customer's rules, written from 崔建中《价值型销售》. They read one classified rep message (or a
silence), change the `State` and return the `Decision` a voice will say. The numbers are in
customer/engine.yaml (at the conversation's difficulty level); the handlers per act are registered by name
(customer/handlers.py).

What the book says, and where it shows up here:
- 约访五大障碍 (成本/怀疑/压力/失控/竞争): every appointment turn costs patience; a pitch raises pressure and
  costs trust and patience until the customer hangs up; a monologue (失控) costs patience.
- 期望 → 需求 → 动机 as a measure of trust: expectations come at low trust, needs with some trust, a
  motive only with high trust, after a need, to a personal question grounded in it (customer/answers.py).
- 确认类提问 builds trust; 黄金静默 / 扩展类提问 make him go on (customer/listening.py).
- 控制类提问必须在探索类之后; 永远不能与客户的认知争辩; contempt costs 专业信任.
- 顾虑 follow the rep: raised by what he did, explored by questions about them, cleared only when a plan
  removes them (customer/commit.py); other questions are answered meanwhile.
- Asking for hidden information or giving the bot instructions earns nothing (a real customer has none).
"""

from __future__ import annotations

from typing import Any

from customer import commit
from customer.answers import AnsweringRules
from customer.cards import Card
from customer.decision import Decision
from customer.handlers import HANDLERS, handles
from customer.listening import SUBSTANTIVE, ListeningRules
from customer.numbers import Numbers
from customer.state import State
from customer.text import echo_ratio, similarity
from evaluators.reading import cues


class Rules(AnsweringRules, ListeningRules):
    """The rules for one card. Stateless apart from the card: all memory is in the `State` passed in."""

    def __init__(self, card: Card, numbers: Numbers | None = None) -> None:
        self.card = card
        self.n = numbers or Numbers(card.difficulty)
        self.by_cat = {
            cat: [f for f in card.facts() if card.category(f.id) == cat]
            for cat in ("expectation", "need", "motive", "process")
        }
        self.appointment = card.mode == "appointment"
        self.mode = card.mode

    # -- facts ------------------------------------------------------------------------------------------
    def min_trust(self, fact: Any) -> float:
        n = self.n
        base = (
            fact.reveal.min_trust if fact.reveal.min_trust is not None else n(f"min_trust.kinds.{fact.kind}")
        )
        if self.appointment and fact.id.startswith("p") and fact.reveal.min_trust is None:
            base += n("min_trust.appointment_process_extra")  # 沟通开始阶段客户往往不愿透露流程类信息
        return self.n.min_trust(base)

    def eligible(self, fact: Any, state: State, bonus: float = 0) -> bool:
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

    def reveal(self, state: State, fact_ids: list[str]) -> tuple[str, ...]:
        """Mark facts earned: value, stage and the last disclosure follow."""
        for fid in fact_ids:
            state.earned.append(fid)
            state.bump("value", self.n(f"value_gain.{self.card.category(fid)}"))
            target = self.n("stage_of_kind").get(self.card.fact(fid).kind, 0)
            if target > state.stage:
                state.stage += 1
        state.last_disclosed = list(fact_ids)
        return tuple(fact_ids)

    def next_in(self, cat: str, state: State, bonus: float = 0) -> Any:
        return next(
            (f for f in sorted(self.by_cat[cat], key=self.min_trust) if self.eligible(f, state, bonus)), None
        )

    # -- one rep message --------------------------------------------------------------------------------
    def on_message(self, state: State, cls, text: str, after: float | None) -> Decision:
        """One rep message (already classified): update `state`, return the decision."""
        n = self.n
        state.turn += 1
        state.counts["silence_streak"] = 0
        state.bump("patience", -n.drain(self.mode, self.card.customer.time_pressure))
        if after is not None and after >= n("listening.golden_silence") and state.last_move in SUBSTANTIVE:
            state.bump("trust", n("turn.golden_silence_trust"))  # 黄金静默: the rep let him finish
        if len(text) > n("turn.monologue_chars") and cls.form != "summary":
            state.bump("patience", n("turn.monologue.patience"))  # 失控: no room left for him
            state.bump("pressure", n("turn.monologue.pressure"))
        act = cls.act if cls.act in HANDLERS else "statement"
        if act != "extension":
            state.counts["ext_streak"] = 0
        said = cues(text)  # the one reading of the message, shared with the scorer
        if state.last_move == "ask_detail" and not cls.is_question:
            # he asked "见面对我们有什么用?" and the rep answered it: he has heard that part of the ask
            state.heard_elements = sorted({*state.heard_elements, *state.counts_missing()})
        if said.benefit or said.soft_value:
            state.counts["benefit_turn"] = state.turn  # he remembers what the rep said he would gain
        if said.gaming:
            return self.gaming(state)
        if said.argue:
            return self.offended(state, "argue", "argued_with_customer")
        if said.contempt:  # running down the customer or a competitor costs trust (专业信任)
            return self.offended(state, "contempt", "contempt")
        if said.self_intro and "intro" not in state.counts:
            self.introduced(state)
            if act in ("commitment", "statement") or not cls.is_question or not said.asks:
                # 释疑: company, role, name and purpose (in a call: the meeting) — the method, not an ask yet
                return Decision("ack_intro", lines_from="intro_reply", reason="introduction")
        for cue in ("pleading", "pressure_close"):  # begging or pushing for the yes (坚韧不拔 or 死不要脸?)
            if getattr(said, cue):
                for score in ("trust", "pressure", "patience"):
                    state.bump(score, n(f"{cue}.{score}"))
        if said.pressure_close and act != "commitment":
            return Decision("resist_control", reason="pressure_close")
        if state.concern and act != "commitment":
            handled = commit.follow_concern(self.card, state, cls, text, n)
            if handled is not None:
                return handled
        if act == "commitment":
            return self.on_commitment(state, cls, text)
        parrot = self.parrot(state, text, cls)
        if parrot is not None:
            return parrot
        if cls.is_question and self.builds_on(state, text):
            state.bump("trust", n("listening.builds_on.trust"))  # 倾听: the question starts from his words
        needs_known = sum(1 for e in state.earned if e.startswith("n"))
        if (
            act in ("exploratory", "control")
            and said.offer
            and not said.soft_value
            and (self.appointment or needs_known < n("pitch.before_needs.needs_known"))
        ):
            # "…话筒一套才八万多,您要不要了解一下?": a pitch with a question tacked on is still a pitch
            return self.on_pitch(state, cls, text)
        if act in ("exploratory", "control") and self.repeated(state, text):
            state.bump("patience", n("question.repeated.patience"))
            state.bump("trust", n("question.repeated.trust"))
            return Decision("already_said", reason="repeated_question")
        return HANDLERS[act](self, state, cls, text)

    def introduced(self, state: State) -> None:
        state.count("intro")
        state.bump("trust", self.n(f"intro.{self.mode}"))

    def offended(self, state: State, key: str, reason: str) -> Decision:
        for score in ("trust", "pressure", "patience"):
            state.bump(score, self.n(f"{key}.{score}"))
        return Decision("push_back", reason=reason)

    def gaming(self, state: State) -> Decision:
        n = self.n
        count = state.count("gaming")
        state.bump("trust", n("gaming.trust"))
        state.bump("pressure", n("gaming.pressure"))
        state.bump("patience", n("gaming.patience"))
        if count >= n(f"gaming.hang_up_after.{self.mode}"):
            return commit.finish(state, "hung_up", Decision("hang_up", reason="gaming"))
        return Decision("confused", reason="gaming")

    def parrot(self, state: State, text: str, cls) -> Decision | None:
        """Copying the customer's words back (no summary of several points) gains little, then annoys."""
        n = self.n
        if cls.form == "summary" or len(state.last_customer) < 6:
            return None
        if echo_ratio(text, state.last_customer) < n("listening.echo.ratio"):
            return None
        count = state.count("echo")
        if count == 1 and cls.act == "confirmation":
            return None  # a first echo reads as a plain confirmation
        state.bump("patience", n("listening.echo.patience"))
        state.bump("trust", n("listening.echo.trust_later") if count > 1 else 0)
        return Decision("parrot", reason="echo")

    def builds_on(self, state: State, text: str) -> bool:
        """A question that takes up some of his last words without copying them (a few times a call)."""
        n = self.n
        if len(state.last_customer) < 6 or state.counts.get("builds_on", 0) >= n("listening.builds_on.max"):
            return False
        if echo_ratio(text, state.last_customer) < n("listening.builds_on.ratio"):
            return False
        state.count("builds_on")
        return True

    def repeated(self, state: State, text: str) -> bool:
        repeat = any(similarity(text, old) >= self.n("question.repeated.similarity") for old in state.asked)
        state.asked = [*state.asked[-29:], text]
        return repeat

    # -- acts -------------------------------------------------------------------------------------------
    @handles("commitment")
    def on_commitment(self, state: State, cls, text: str) -> Decision:
        return commit.ask(self.card, state, cls, text, self.n)

    @handles("pitch")
    def on_pitch(self, state: State, cls, text: str) -> Decision:
        n = self.n
        if state.last_move in ("ask_detail", "explain_concern") or (
            state.last_move == "concern" and state.last_customer.rstrip().endswith(("?", "？"))
        ):
            # he asked what the rep brings ("见面对我们有什么用?"): describing it answers him, it is no pitch
            return Decision("ack_pitch", reason="answered_his_question")
        count = state.count("pitch")
        extra = int(n.mod["pitch_hang_up_after"])
        if self.appointment:  # 约访电话里严禁介绍产品: 压力 and 怀疑
            p = "pitch.appointment"
            state.bump("pressure", n(f"{p}.pressure"))
            state.bump("patience", n(f"{p}.patience"))
            state.bump("trust", n(f"{p}.trust"))
            if count >= n(f"{p}.hang_up_after") + extra or state.pressure >= n(f"{p}.hang_up_pressure"):
                return commit.finish(state, "hung_up", Decision("hang_up", reason="pitch_in_appointment"))
            return Decision("brush_off", reason="pitch_in_appointment")
        needs_known = sum(1 for e in state.earned if e.startswith("n"))
        if needs_known < n("pitch.before_needs.needs_known"):  # presenting before understanding the need
            p = "pitch.before_needs"
            state.bump("pressure", n(f"{p}.pressure"))
            state.bump("patience", n(f"{p}.patience"))
            state.bump("trust", n(f"{p}.trust"))
            if count >= n(f"{p}.hang_up_after") + extra:
                return commit.finish(state, "hung_up", Decision("hang_up", reason="pitch_before_needs"))
            return Decision("brush_off", reason="pitch_before_needs")
        state.bump("pressure", n("pitch.after_needs.pressure"))
        state.bump("patience", n("pitch.after_needs.patience"))
        return Decision("ack_pitch", reason="pitch_after_needs")

    @handles("statement")
    def on_statement(self, state: State, cls, text: str) -> Decision:
        n = self.n
        said = cues(text)
        if said.soft_value:
            count = state.count("value_statement")
            if count <= n("soft_value.max"):  # 提供软价值 (案例、同行、政策): curiosity, diminishing returns
                state.bump("value", n("soft_value.value") / count)
                state.bump("trust", n("soft_value.trust"))
                return Decision("ack_value", reason="soft_value")
        if said.empathy and state.count("empathy") <= n("empathy.max"):
            state.bump("trust", n("empathy.trust"))
            return Decision("empathy_ack", reason="empathy")
        if said.small_talk and state.count("small_talk") <= 2:
            state.bump("patience", n("small_talk.patience"))
            return Decision("small_talk", lines_from="small_talk", reason="small_talk")
        if said.pleading:
            return Decision("impatient", reason="pleading")
        if cls.is_question or text.rstrip().endswith(("?", "？")):
            return Decision("noncommittal", reason="question_without_topic")  # asked something: he answers
        if state.count("idle") > n("idle.after"):
            state.bump("patience", n("idle.patience"))
            return Decision("impatient", reason="idle_statement")
        return Decision("ack", reason="statement")
