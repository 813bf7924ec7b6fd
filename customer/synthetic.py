"""Synthetic reps: a population of scripted sales reps to check that the customer behaves like the book's.

The population and the play loop are in customer/population.py. A rep sees only what a real rep (or a
`peilian chat --json` client) sees: the card's public part and each reply's text, `revealed` ids and
`state`. Each message carries the classification the rep means (the "oracle"), so the engine's rules can
be tested apart from the classifier; `play(..., classifier=classify)` uses a real one instead.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from customer.cards import Card
from customer.engine import Reply
from evaluators.model import Classification, Elements

LINES_PATH = Path(__file__).with_name("synthetic_reps.yaml")
_FILLERS = re.compile(
    r"^(嗯|哦|唉|这个嘛|怎么说呢|说实话|说起来|其实吧|还有一个|哦对了|说到这个|对|没错|这么跟你说吧|"
    r"跟你说实话|不瞒你说|我跟你讲|说白了|这么说吧|关键是|要说要求的话)[，…、]*"
)


@lru_cache(maxsize=1)
def lines() -> dict[str, Any]:
    return yaml.safe_load(LINES_PATH.read_text(encoding="utf-8"))


def cls(
    act: str, focus: str | None = None, form: str | None = None, elements: list[str] | None = None
) -> Classification:
    """An oracle classification."""
    el = Elements(**{e: True for e in elements}) if elements is not None else None
    return Classification(
        act=act, focus=focus, form=form, elements=el, is_question=act not in ("statement", "pitch")
    )


def say(text: str, c: Classification, after: float | None = None) -> dict[str, Any]:
    return {"text": text, "after": after, "cls": c}


def snippet(text: str, size: int = 12) -> str:
    """The most telling clause of a customer line, shortened: what a rep would note down."""
    clauses = [_FILLERS.sub("", c) for c in re.split(r"[，。？！；]", text)]
    clauses = [c for c in clauses if len(c) >= 4]
    return max(clauses, key=len)[:size] if clauses else text[:size]


@dataclass
class View:
    """What the rep knows: the card's public part and the replies so far."""

    card: Card
    replies: list[Reply] = field(default_factory=list)

    @property
    def last(self) -> Reply | None:
        return self.replies[-1] if self.replies else None

    def fill(self, template: str, **extra: str) -> str:
        m = re.search(r"你是(.+?)的(.+?)。", self.card.background)
        company, title = (m.group(1), m.group(2)) if m else ("我们公司", "客户经理")
        topic = re.split(r"[（(]", self.card.product)[0]
        return template.format(
            name=self.card.customer.name, company=company, title=title, topic=topic, **extra
        )

    def disclosures(self) -> list[Reply]:
        return [r for r in self.replies if r.revealed]


class Rep:
    """A synthetic rep: `next(view)` returns the next event ({"text","after","cls"} or {"silence"}) or None."""

    name = "rep"

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.turn = rng, 0

    def next(self, view: View) -> dict[str, Any] | None:
        self.turn += 1
        if (view.last is not None and view.last.state["ended"]) or self.turn > 40:
            return None
        return self.step(view)

    def step(self, view: View) -> dict[str, Any] | None:
        raise NotImplementedError


class Pitcher(Rep):
    name = "pitcher"

    def step(self, view: View) -> dict[str, Any] | None:
        if self.turn == 1:
            return say(view.fill(lines()["intro"]), cls("statement"))
        if self.turn % 3 == 0:
            ask = lines()["pitch_ask"]
            return say(ask["text"], cls("commitment", elements=ask["elements"]))
        return say(view.fill(self.rng.choice(lines()["pitch"])), cls("pitch"))


class RandomAsker(Rep):
    name = "random_asker"

    def step(self, view: View) -> dict[str, Any] | None:
        if self.turn > 16:
            return None
        after = self.rng.choice([None, 1.0, 2.0, 5.0])
        if self.turn > 4 and self.rng.random() < 0.25:
            ask = self.rng.choice(lines()["random_asks"])
            return say(ask["text"], cls("commitment", elements=ask["elements"]), after)
        q = self.rng.choice(lines()["random_questions"])
        return say(q["text"], cls("exploratory", q["focus"]), after)


class Parrot(Rep):
    """Copies the customer's words back as a 'confirmation'; asks for the commitment now and then."""

    name = "parrot"

    def step(self, view: View) -> dict[str, Any] | None:
        if self.turn > 16:
            return None
        if self.turn % 6 == 0:
            return method_ask(view)
        last = view.last.text if view.last is not None else view.card.customer.greeting[0]
        return say(f"{last.rstrip('。？！')}？", cls("confirmation", form="plain"), 5.0)


class Gamer(Rep):
    """Asks for the hidden card, gives the bot instructions, asks for the motive outright (with the most
    favourable classification: a motive question), then asks for the commitment."""

    name = "gamer"

    def step(self, view: View) -> dict[str, Any] | None:
        g = lines()["gaming"]
        if self.turn == 1:
            return say(view.fill(lines()["intro"]), cls("statement"))
        if self.turn - 2 < len(g):
            return say(g[self.turn - 2], cls("exploratory", "motive"), 5.0)
        return method_ask(view) if self.turn < 10 else None


class Closer(Rep):
    """Asks for a complete commitment every turn from the start."""

    name = "closer"

    def step(self, view: View) -> dict[str, Any] | None:
        return method_ask(view) if self.turn <= 8 else None


class BluntProber(Rep):
    """Asks personal-motive questions before earning anything, repeatedly, then asks to commit."""

    name = "blunt_prober"

    def step(self, view: View) -> dict[str, Any] | None:
        if self.turn == 1:
            return say(view.fill(lines()["intro"]), cls("statement"))
        if self.turn <= 6:
            q = lines()["blunt_motive"][self.turn % 2]
            return say(q["text"], cls("exploratory", q["focus"]), 5.0)
        return method_ask(view) if self.turn <= 8 else None


class Repeater(Rep):
    """Asks one good question over and over."""

    name = "repeater"

    def step(self, view: View) -> dict[str, Any] | None:
        if self.turn == 1:
            return say(view.fill(lines()["intro"]), cls("statement"))
        if self.turn <= 7:
            q = lines()["repeat_question"]
            return say(q["text"], cls("exploratory", q["focus"]), 5.0)
        return method_ask(view) if self.turn <= 9 else None


def method_ask(view: View) -> dict[str, Any]:
    ask = lines()["method"]["ask_appointment" if view.card.mode == "appointment" else "ask_visit"]
    return say(ask["text"], cls("commitment", elements=ask["elements"]), 5.0)
