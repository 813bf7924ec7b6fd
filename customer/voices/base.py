"""The seam between the engine and a voice.

The engine decides; a voice only speaks. A voice receives a `VoiceInput` built by the engine that holds the
decision, the public persona, the conversation so far, and only the hidden facts the rep has earned (before
or in this turn): an unearned fact never reaches a voice, so no voice — scripted or LLM — can leak one.
A hint is passed as its teaser line only, a concern only when the decision raises or explains it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from customer.decision import Decision


@dataclass(frozen=True)
class Persona:
    """What anyone may know about the customer (card `customer` plus the mode of the conversation)."""

    name: str
    role: str
    organisation: str
    temperament: str
    time_pressure: str
    mode: str
    greeting: tuple[str, ...] = ()
    catchphrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactView:
    """An earned hidden fact: its id, kind, canonical text and the customer's phrasings of it."""

    id: str
    kind: str
    text: str
    say: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConcernView:
    id: str | None
    level: str
    text: str
    say: tuple[str, ...] = ()
    explain: tuple[str, ...] = ()


@dataclass(frozen=True)
class Turn:
    speaker: str  # rep | customer
    text: str


@dataclass(frozen=True)
class VoiceInput:
    """Everything a voice may use. `facts` holds earned facts only; `decision.facts` are among them."""

    decision: Decision
    persona: Persona
    conversation: tuple[Turn, ...]
    facts: Mapping[str, FactView]
    hint: str | None = None
    concern: ConcernView | None = None
    commitment: tuple[str, ...] = ()  # the accepted commitment's phrasings, when the decision accepts one
    seed: int = 0
    turn: int = 0
    topic: str | None = None  # what the reply is about, in the customer's words ("设备的事"); never a fact
    lines: tuple[str, ...] = ()  # harmless card lines this move may use (surface answers, a cleared concern…)


@runtime_checkable
class Voice(Protocol):
    """Says what the engine decided. `speak` returns the whole reply; `stream` yields it in chunks."""

    def speak(self, data: VoiceInput) -> str: ...

    def stream(self, data: VoiceInput) -> Iterator[str]: ...
