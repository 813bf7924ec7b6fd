"""The scripted voice: natural spoken Chinese from the card's phrasings and customer/phrases.yaml.

Offline and deterministic: every choice is a stable hash of (seed, turn, slot), so the same seed gives the
same conversation. It never says the same line twice in a row: when the composed reply equals the
customer's previous line, the next variant is taken.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from customer.voices.base import VoiceInput

PHRASES_PATH = Path(__file__).resolve().parent.parent / "phrases.yaml"


@lru_cache(maxsize=4)
def load_phrases(path: str = str(PHRASES_PATH)) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


class ScriptedVoice:
    """`Voice` implementation; holds no conversation state, so it needs no serialisation."""

    def __init__(self, phrases: dict[str, Any] | None = None) -> None:
        self.phrases = phrases or load_phrases()

    # -- public API -------------------------------------------------------------------------------------
    def speak(self, data: VoiceInput) -> str:
        last = next((t.text for t in reversed(data.conversation) if t.speaker == "customer"), None)
        text = ""
        for offset in range(6):
            text = self._compose(data, offset)
            if text != last:
                return text
        return self._pick(self.phrases["fillers"], data, "filler") + text

    def stream(self, data: VoiceInput) -> Iterator[str]:
        """The reply in clause-sized chunks, as a streaming voice would send it."""
        for chunk in re.findall(r"[^，。？！,.?!]*[，。？！,.?!]?", self.speak(data)):
            if chunk:
                yield chunk

    # -- composition ------------------------------------------------------------------------------------
    def _pick(self, options: Sequence[str], data: VoiceInput, slot: str, offset: int = 0) -> str:
        if not options:
            return ""
        h = zlib.crc32(f"{data.seed}|{data.persona.name}|{data.turn}|{slot}".encode())
        return options[(h + offset) % len(options)]

    def _lines(self, move: str, data: VoiceInput) -> list[str]:
        entry = self.phrases["moves"].get(move, [""])
        if isinstance(entry, list):
            return entry
        tone = data.decision.tone
        return entry.get(tone) or entry.get(data.persona.mode) or entry.get("any") or [""]

    def _fact(self, fact_id: str, data: VoiceInput, offset: int, lead: bool) -> str:
        """One phrasing of an earned fact; a bare answer gets a spoken lead-in of its category."""
        fact = data.facts[fact_id]
        said = self._pick(list(fact.say) or [fact.text], data, f"fact:{fact_id}", offset)
        if not lead:
            return said
        cat = {"e": "expectation", "n": "need", "m": "motive", "p": "process"}[fact_id[0]]
        opener = self._pick(self.phrases["lead"][cat], data, f"lead:{fact_id}", offset)
        return said if said.startswith(opener.rstrip("，")) else opener + said

    def _compose(self, data: VoiceInput, offset: int) -> str:
        d = data.decision
        if d.move == "greet":
            return self._pick(list(data.persona.greeting) or ["你好。"], data, "greet", offset)
        move = d.move
        if move == "deflect" and data.hint:
            move = "deflect_hint"
        if move == "agree" and d.facts:
            move = "agree_more"
        line = self._pick(self._lines(move, data), data, move, offset)
        catch = bool(data.persona.catchphrases) and move == "answer" and self._chance(data, "catch", 4)
        facts = [self._fact(fid, data, offset, lead=move == "answer" and not catch) for fid in d.facts]
        fill = {
            "fact": facts[0] if facts else "",
            "hint": data.hint or "",
            "concern": self._concern(data, offset),
            "explain": self._explain(data, offset),
            "missing": "".join(
                self._pick(self.phrases["missing"][m], data, f"missing:{m}", offset) for m in d.missing
            ),
            "commitment": self._pick(list(data.commitment) or ["行，那就这么定了。"], data, "commit", offset),
        }
        text = line.format(**fill)
        if len(facts) > 1:
            text += "".join(facts[1:])
        if catch:
            text = self._pick(list(data.persona.catchphrases), data, "catchphrase", offset) + "，" + text
        if d.end and d.closing and move not in ("hang_up", "close", "accept_commitment"):
            closing = self.phrases["closing"][d.closing]
            options = closing if isinstance(closing, list) else closing[data.persona.mode]
            text += self._pick(options, data, "closing", offset)
        return text

    def _chance(self, data: VoiceInput, slot: str, one_in: int) -> bool:
        return zlib.crc32(f"{data.seed}|{data.persona.name}|{data.turn}|{slot}".encode()) % one_in == 0

    def _concern(self, data: VoiceInput, offset: int) -> str:
        c = data.concern
        if c is None:
            return ""
        if c.id is None:
            return self._pick(self.phrases["concern_generic"][c.level], data, "concern", offset)
        return self._pick(list(c.say) or [c.text], data, f"concern:{c.id}", offset)

    def _explain(self, data: VoiceInput, offset: int) -> str:
        c = data.concern
        options = list(c.explain) if c is not None and c.explain else self.phrases["explain_generic"]
        return self._pick(options, data, "explain", offset)
