"""Listening rules (倾听与确认): confirmation, extension questions and the golden silence.

- 确认类提问 builds trust once per fact (普通 < 换言 < 麦肯锡式总结); a summary of several points makes the
  customer add one more thing (查遗补缺); confirming what he did not say gets a correction.
- 扩展类提问 ("还有呢?") and 黄金静默 (≥ 4 s of silence after his answer) make the customer go on — at most one
  fact a move, never a motive (a motive needs a personal, grounded question).
A mixin of `customer.rules.Rules`, which provides `card`, `n`, `reveal`, `next_in` and `appointment`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from customer.decision import Decision
from customer.handlers import handles
from customer.state import State
from customer.text import bigrams, hits

if TYPE_CHECKING:
    from customer.cards import Card
    from customer.numbers import Numbers

SUBSTANTIVE = {"answer", "answer_expectation", "continue", "agree", "explain_concern", "correct", "elaborate",
               "surface", "recap", "concern_resolved"}  # fmt: skip
GOLDEN_SILENCE = 4.0
# What a silence or "还有呢" may bring out after the category he was talking about: more of his needs and
# requirements — never a motive (that needs a personal, grounded question), and the buying process only when
# he was already talking about it (otherwise "who signs" would answer a question about his problems).
SILENCE_CATEGORIES = ("need", "expectation")


class ListeningRules:
    if TYPE_CHECKING:  # provided by customer.rules.Rules (this is its mixin)
        card: Card
        n: Numbers
        appointment: bool

        def reveal(self, state: State, fact_ids: list[str]) -> tuple[str, ...]: ...
        def next_in(self, cat: str, state: State, bonus: float = 0) -> Any: ...

    @handles("confirmation")
    def on_confirmation(self, state: State, cls, text: str) -> Decision:
        n = self.n
        c = "listening.confirmation"
        refs = [fid for fid in state.earned if self.refers(text, fid, state)]
        new = [fid for fid in refs if fid not in state.confirmed]
        if not refs:
            heard = " ".join(state.told.values()) or state.last_customer
            if state.last_disclosed and len(bigrams(text) & bigrams(heard)) < 2:
                return Decision("correct", facts=tuple(state.last_disclosed), reason="confirmation_missed")
            return Decision("agree_vague", reason="confirmation_of_nothing_new")
        if not new:
            state.bump("patience", n(f"{c}.repeat_patience"))
            return Decision("agree", reason="already_confirmed")
        summary = cls.form == "summary" and len(refs) >= 2
        if summary:
            gain = n(f"{c}.summary_base") + n(f"{c}.summary_each") * min(
                len(new), n(f"{c}.summary_max_points")
            )
        else:
            gain = n(f"{c}.paraphrase") if cls.form == "paraphrase" else n(f"{c}.plain")
        if state.counts.get("echo", 0):
            gain /= 2  # an echo is a weak confirmation
        state.bump("trust", gain)
        state.bump("value", n(f"{c}.value_each") * len(new))
        state.confirmed.extend(new)
        facts: tuple[str, ...] = ()
        if summary:  # 查遗补缺: the summary reminds the customer of something he had not said
            extra = next(
                (f for cat in ("need", "expectation") for f in [self.next_in(cat, state)] if f), None
            )
            if extra is not None:
                facts = self.reveal(state, [extra.id])
                state.topic = extra.id
        return Decision("agree", facts=facts, reason=f"confirmation_{cls.form or 'plain'}")

    def refers(self, text: str, fact_id: str, state: State | None = None) -> bool:
        """The message mentions this fact: a keyword, or a phrase of it or of the line that told it."""
        fact = self.card.fact(fact_id)
        if hits(text, fact.reveal.keywords):
            return True
        told = state.told.get(fact_id, "") if state is not None else ""
        words = bigrams(text)
        return len(words & bigrams(" ".join([fact.text, *fact.say]))) >= 4 or len(words & bigrams(told)) >= 3

    @handles("extension")
    def on_extension(self, state: State, cls, text: str) -> Decision:
        n = self.n
        streak = state.count("ext_streak")
        if state.last_move in SUBSTANTIVE and streak <= n("listening.extension.streak_max"):
            cats = [self.card.category(state.last_disclosed[-1])] if state.last_disclosed else []
            for cat in [*cats, *SILENCE_CATEGORIES]:
                if cat == "motive":
                    continue
                found = self.next_in(cat, state)
                if found is not None:
                    state.bump("trust", n("listening.extension.trust"))
                    state.topic = found.id
                    return Decision("continue", facts=self.reveal(state, [found.id]), reason="extension")
            return Decision("elaborate", reason="extension_nothing_new")
        if streak > n("listening.extension.streak_max"):
            state.bump("patience", n("listening.extension.tired_patience"))
        return Decision("nothing_more", reason="extension_nothing_left")

    # -- silence ----------------------------------------------------------------------------------------
    def on_silence(self, state: State, seconds: float) -> Decision | None:
        """黄金静默: after an answer, ≥ 4 s of silence makes the customer go on; a long one gets a 喂?."""
        n = self.n
        if seconds < n("listening.golden_silence"):
            return None
        if state.last_move in SUBSTANTIVE and state.count("silence_streak") <= n(
            "listening.silence_streak_max"
        ):
            state.bump("trust", n("listening.silence_trust"))
            if state.last_move != "continue":  # one fact a silence, not one after another
                cats = [self.card.category(state.last_disclosed[-1])] if state.last_disclosed else []
                for cat in [c for c in [*cats, *SILENCE_CATEGORIES] if c != "motive"]:
                    found = self.next_in(cat, state, bonus=n("listening.silence_bonus"))
                    if found is not None:
                        state.topic = found.id
                        return Decision(
                            "continue", facts=self.reveal(state, [found.id]), reason="golden_silence"
                        )
            return Decision("elaborate", reason="golden_silence")
        if seconds >= n(f"listening.long_silence.{self.card.mode}"):
            state.bump("patience", n("listening.long_silence.patience"))
            return Decision("prompt", reason="long_silence")
        return None
