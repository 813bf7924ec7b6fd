"""What every finding rule and metric reads: the transcript, each rep turn's act, and the measured pauses.

Pauses are measured, never guessed: a pause exists only where both of its time stamps were given.
- a *reply* is a rep turn directly after a customer turn; its pause is `t(rep) - end(customer)`
  (黄金静默·客户回答阶段:客户回答完毕后不要立刻接话,憋4秒); a reply to "喂?听得到吗?" (a line check) is none;
- a *follow-up* is a rep turn directly after a rep turn that asked a question; its gap is
  `t(next) - end(question)` (黄金静默·销售提问阶段:提问之后立刻闭嘴).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from evaluators.findings.limits import Limits, limits
from evaluators.model import QUESTION_ACTS, Classification
from evaluators.outcome import Outcome
from evaluators.reading import Cues, cues
from evaluators.transcript import Transcript, Turn

Classifier = Callable[[str], Classification]


@dataclass(frozen=True, slots=True)
class Pause:
    """The silence before rep turn `turn` after turn `after`; `seconds` is None when not measurable."""

    turn: int
    after: int
    seconds: float | None


@dataclass(frozen=True, slots=True)
class Context:
    """A transcript with its rep turns classified. `labels[i]` is None for customer turns."""

    transcript: Transcript
    labels: tuple[Classification | None, ...]
    readings: tuple[Cues, ...]
    limits: Limits
    rep: tuple[int, ...]
    questions: frozenset[int]
    replies: tuple[Pause, ...]
    followups: tuple[Pause, ...]
    rep_chars: int
    customer_chars: int
    outcome: Outcome = Outcome()

    @property
    def mode(self) -> str:
        return self.transcript.mode

    @property
    def turns(self) -> tuple[Turn, ...]:
        return self.transcript.turns

    def label(self, index: int) -> Classification:
        """The classification of rep turn `index`; asking for a customer turn is a bug (AssertionError)."""
        label = self.labels[index]
        assert label is not None, f"turn {index} is not a rep turn"
        return label

    def cue(self, index: int) -> Cues:
        """The cues of turn `index` (rep or customer: one reading for every message)."""
        return self.readings[index]

    def rep_with_act(self, *acts: str) -> list[int]:
        return [i for i in self.rep if self.label(i).act in acts]

    @property
    def first_rep(self) -> int:
        return self.rep[0]

    @property
    def last_rep(self) -> int:
        return self.rep[-1]

    @property
    def talk_ratio(self) -> float:
        return self.rep_chars / (self.rep_chars + self.customer_chars)

    @property
    def question_rate(self) -> float:
        return len(self.questions) / len(self.rep)

    @property
    def replies_measured(self) -> bool:
        """True when there is at least one reply and every reply's pause could be measured."""
        return bool(self.replies) and all(p.seconds is not None for p in self.replies)

    def golden(self, seconds: float) -> bool:
        """True when a pause reaches the golden silence (4 s; 100.8 - 96.8 = 3.99999… still counts)."""
        return seconds >= self.limits.golden_silence - 1e-6

    def anchor_for_ask(self) -> int:
        """Where a missing part of the ask belongs: the first commitment ask, else the rep's last turn."""
        asks = self.rep_with_act("commitment")
        return asks[0] if asks else self.last_rep


def _gap(before: Turn, after: Turn) -> float | None:
    if before.end is None or after.t is None:
        return None
    return after.t - before.end


def is_question(label: Classification) -> bool:
    """A question for the silence rules: the classifier says so, or the act is a question act."""
    return label.is_question or label.act in QUESTION_ACTS


def build_context(transcript: Transcript, classifier: Classifier, outcome: Outcome | None = None) -> Context:
    """Classify each rep turn once (identical texts share one call) and measure the pauses."""
    cache: dict[str, Classification] = {}
    labels: list[Classification | None] = []
    for turn in transcript.turns:
        if not turn.is_rep:
            labels.append(None)
            continue
        if turn.text not in cache:
            cache[turn.text] = classifier(turn.text)
        labels.append(cache[turn.text])
    turns = transcript.turns
    readings = tuple(cues(turn.text) for turn in turns)
    rep = tuple(turn.index for turn in turns if turn.is_rep)
    questions = frozenset(i for i in rep if is_question(labels[i]))  # type: ignore[arg-type]
    replies, followups = [], []
    for prev, turn in zip(turns, turns[1:], strict=False):
        if not turn.is_rep:
            continue
        if not prev.is_rep:
            # "喂?听得到吗?" checks the line: answering it at once is no rushed reply (nothing to wait out).
            if not readings[prev.index].nudge:
                replies.append(Pause(turn.index, prev.index, _gap(prev, turn)))
        elif prev.index in questions:
            followups.append(Pause(turn.index, prev.index, _gap(prev, turn)))
    return Context(
        transcript=transcript,
        labels=tuple(labels),
        readings=readings,
        limits=limits(),
        rep=rep,
        questions=questions,
        replies=tuple(replies),
        followups=tuple(followups),
        rep_chars=sum(turns[i].chars for i in rep),
        customer_chars=sum(turn.chars for turn in turns if not turn.is_rep),
        outcome=outcome or Outcome(),
    )
