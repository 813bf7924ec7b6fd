"""Listening rules (倾听与确认): confirmation, extension questions and the golden silence.

- 确认类提问 builds trust once per fact (普通 < 换言 < 麦肯锡式总结); a summary of several points makes the
  customer add one more thing (查遗补缺); confirming what he did not say gets a correction.
- 扩展类提问 ("还有呢?") and 黄金静默 (≥ 4 s of silence after his answer) make the customer go on.
A mixin of `customer.rules.Rules`, which provides `card`, `reveal`, `next_in` and `appointment`.
"""

from __future__ import annotations

from customer.decision import Decision
from customer.state import State
from customer.text import bigrams, hits

SUBSTANTIVE = {"answer", "answer_expectation", "continue", "agree", "explain_concern", "correct", "elaborate"}
GOLDEN_SILENCE = 4.0


class ListeningRules:
    def on_confirmation(self, state: State, cls, text: str) -> Decision:
        refs = [fid for fid in state.earned if self.refers(text, fid)]
        new = [fid for fid in refs if fid not in state.confirmed]
        if not refs:
            if state.last_disclosed:
                return Decision("correct", facts=tuple(state.last_disclosed), reason="confirmation_missed")
            return Decision("ack", reason="confirmation_of_nothing")
        if not new:
            state.bump("patience", -3)
            return Decision("agree", reason="already_confirmed")
        summary = cls.form == "summary" and len(refs) >= 2
        gain = 4 + 4 * min(len(new), 3) if summary else (6 if cls.form == "paraphrase" else 4)
        if state.counts.get("echo", 0):
            gain /= 2  # an echo is a weak confirmation
        state.bump("trust", gain)
        state.bump("value", 2 * len(new))
        state.confirmed.extend(new)
        facts: tuple[str, ...] = ()
        if summary:  # 查遗补缺: the summary reminds the customer of something he had not said
            cats = {self.card.category(f) for f in refs}
            extra = next(
                (
                    f
                    for c in ("need", "expectation", "motive")
                    if c in cats
                    for f in [self.next_in(c, state)]
                    if f
                ),
                None,
            )
            if extra is not None:
                facts = self.reveal(state, [extra.id])
        return Decision("agree", facts=facts, reason=f"confirmation_{cls.form or 'plain'}")

    def refers(self, text: str, fact_id: str) -> bool:
        """The message mentions this fact: one of its keywords, or a phrase of it (≥ 4 shared bigrams)."""
        fact = self.card.fact(fact_id)
        if hits(text, fact.reveal.keywords):
            return True
        return len(bigrams(text) & bigrams(" ".join([fact.text, *fact.say]))) >= 4

    def on_extension(self, state: State, cls, text: str) -> Decision:
        streak = state.count("ext_streak")
        if state.last_move in SUBSTANTIVE and state.last_disclosed and streak <= 2:
            cat = self.card.category(state.last_disclosed[-1])
            found = self.next_in(cat, state)
            if found is not None:
                state.bump("trust", 1)
                return Decision("continue", facts=self.reveal(state, [found.id]), reason="extension")
        if streak >= 3:
            state.bump("patience", -5)
        return Decision("nothing_more", reason="extension_nothing_left")

    # -- silence ----------------------------------------------------------------------------------------
    def on_silence(self, state: State, seconds: float) -> Decision | None:
        """黄金静默: after an answer, ≥ 4 s of silence makes the customer go on; a long one gets a 喂?."""
        if seconds < GOLDEN_SILENCE:
            return None
        if state.last_move in SUBSTANTIVE and state.count("silence_streak") <= 2:
            state.bump("trust", 3)
            cats = [self.card.category(state.last_disclosed[-1])] if state.last_disclosed else []
            for cat in [*cats, "need", "expectation"]:
                found = self.next_in(cat, state, bonus=5)
                if found is not None:
                    return Decision("continue", facts=self.reveal(state, [found.id]), reason="golden_silence")
            return Decision("elaborate", reason="golden_silence")
        if seconds >= (8 if self.appointment else 12):
            state.bump("patience", -4)
            return Decision("prompt", reason="long_silence")
        return None
