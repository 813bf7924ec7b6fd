"""The synthetic-rep population and the loop that plays one rep against one customer.

    from customer.population import POPULATION, play
    result = play(card, MethodFollower, seed=0)     # outcome, commitment, earned ids, refusals, transcript

`MethodFollower` follows the book; the other reps (customer/synthetic.py) pitch, ask at random, parrot, or
try to game the rules. Used by benchmarks/bench_customer.py and tests/customer.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from customer.cards import Card
from customer.engine import Conversation
from customer.synthetic import (
    BluntProber,
    Closer,
    Gamer,
    Parrot,
    Pitcher,
    RandomAsker,
    Rep,
    Repeater,
    View,
    cls,
    lines,
    method_ask,
    say,
    snippet,
)


class MethodFollower(Rep):
    """Follows the book: introduce, offer soft value, explore broad → narrow, golden silence, confirm,
    summarise, probe the motive through a need, explore a concern, ask for a complete commitment."""

    name = "method_follower"
    APPOINTMENT = (
        "intro",
        "value",
        "need_broad",
        "silence",
        "confirm",
        "obstacle",
        "silence",
        "summary",
        "ask",
    )
    VISIT = (
        "intro_visit",
        "value",
        "need_broad",
        "silence",
        "confirm",
        "obstacle",
        "silence",
        "impact",
        "silence",
        "summary",
        "motive_pain",
        "silence",
        "motive_gain",
        "silence",
        "summary",
        "ask",
    )

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng)
        self.plan: list[str] = []
        self.asks = 0
        self.explored = False

    def step(self, view: View) -> dict[str, Any] | None:
        if self.turn == 1:
            self.plan = list(self.APPOINTMENT if view.card.mode == "appointment" else self.VISIT)
        last = view.last
        if last is not None and last.state["concern"] and last.decision.move in ("concern", "ask_detail"):
            if not self.explored and last.decision.move == "concern":
                self.explored = True  # 探寻异议 before asking again
                q = lines()["method"]["explore_concern"]
                return say(q["text"], cls("exploratory", q["focus"]), 5.0)
            if self.asks < 3:
                self.plan.insert(0, "ask")
        while self.plan:
            event = self.make(self.plan.pop(0), view)
            if event is not None:
                return event
        return None

    def make(self, step: str, view: View) -> dict[str, Any] | None:
        m = lines()["method"]
        last = view.last
        if step in ("intro", "intro_visit", "value"):
            return say(view.fill(lines()[step]), cls("statement"), 5.0)
        if step == "silence":
            return {"silence": 5.0} if last is not None and last.revealed else None
        if step == "confirm":
            told = view.disclosures()
            if not told:
                return None
            return say(
                m["confirm"].format(snippet=snippet(told[-1].text)), cls("confirmation", form="plain"), 5.0
            )
        if step == "summary":
            told = view.disclosures()[-3:]
            if len(told) < 2:
                return None
            points = "，".join(f"{n}是{snippet(r.text, 10)}" for n, r in zip("一二三", told, strict=False))
            return say(m["summary"].format(points=points), cls("confirmation", form="summary"), 5.0)
        if step == "motive_pain":
            told = [r for r in view.disclosures() if any(f.startswith("n") for f in r.revealed)]
            if not told:
                return None
            q = m["motive_pain"]
            return say(
                q["text"].format(snippet=snippet(told[-1].text, 10)), cls("exploratory", q["focus"]), 5.0
            )
        if step == "ask":
            self.asks += 1
            self.explored = False
            return method_ask(view)
        q = m[step]
        return say(view.fill(q["text"]), cls("exploratory", q["focus"]), 5.0)


POPULATION: tuple[type[Rep], ...] = (
    Pitcher,
    RandomAsker,
    MethodFollower,
    Parrot,
    Gamer,
    Closer,
    BluntProber,
    Repeater,
)


@dataclass
class Result:
    rep: str
    card: str
    mode: str
    outcome: str | None
    commitment: str | None
    earned: list[str]
    refusals: int
    turns: int
    latencies: list[float]
    transcript: list[tuple[str, str]]


def play(
    card: Card, rep_type: type[Rep], seed: int = 0, classifier: Callable[[str], Any] | None = None
) -> Result:
    """One conversation of a synthetic rep with the card's customer (oracle classifications by default)."""
    rep = rep_type(random.Random(f"{rep_type.name}:{card.id}:{seed}"))
    conv = Conversation(card, seed=seed, classifier=classifier or (lambda text: cls("statement")))
    view = View(card)
    lat: list[float] = []
    log = [("客户", conv.opening.text)]
    refusals = 0
    while (event := rep.next(view)) is not None:
        start = time.perf_counter()
        if "silence" in event:
            reply = conv.rep_silent(event["silence"])
            log.append(("销售", f"(沉默 {event['silence']:.0f} 秒)"))
        else:
            given = None if classifier is not None else event["cls"]
            reply = conv.rep_says(event["text"], after=event["after"], classification=given)
            log.append(("销售", event["text"]))
        lat.append(time.perf_counter() - start)
        if reply is None:
            continue
        if reply.decision.move in ("concern", "ask_detail"):
            refusals += 1
        log.append(("客户", reply.text))
        view.replies.append(reply)
    s = conv.state
    return Result(
        rep_type.name, card.id, card.mode, s.outcome, s.commitment, list(s.earned), refusals, s.turn, lat, log
    )
