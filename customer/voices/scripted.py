"""The scripted voice: natural spoken Chinese from the card's phrasings and customer/phrases.yaml.

Offline and deterministic: every choice is a stable hash of (seed, turn, slot), so the same seed gives the
same conversation. It never says the same line twice in a call: when the composed reply was said before,
the next variant is taken (and when every variant is used up, a spoken filler makes it differ).
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
# Two spoken lead-ins in a row ("说实话，说白了，…") read as stock lines stacked: keep the second.
_FILLER_STACK = re.compile(
    r"^(说实话|主要是|其实吧?|说白了|这么说吧|怎么说呢|嗯……?|唉)[，,…]*(说实话|主要是|其实|说白了|这么说吧|怎么说呢|关键是)"
)


@lru_cache(maxsize=4)
def load_phrases(path: str = str(PHRASES_PATH)) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


class ScriptedVoice:
    """`Voice` implementation; holds no conversation state, so it needs no serialisation."""

    def __init__(self, phrases: dict[str, Any] | None = None) -> None:
        self.phrases = phrases or load_phrases()

    # -- public API -------------------------------------------------------------------------------------
    def speak(self, data: VoiceInput) -> str:
        said = {t.text for t in data.conversation if t.speaker == "customer"}
        first = text = self._compose(data, 0)
        for offset in range(1, 12):
            if text not in said:
                return text
            text = self._compose(data, offset)
        if text not in said:
            return text
        for filler in self.phrases["fillers"]:
            if filler + first not in said:
                return filler + first
        return first

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

    def _options(self, entry: Any, data: VoiceInput) -> list[str]:
        """A list of lines, or a mapping by tone / mode (phone call or meeting) with `any` as the default."""
        if isinstance(entry, list):
            return entry
        return entry.get(data.decision.tone) or entry.get(data.persona.mode) or entry.get("any") or [""]

    def _lines(self, move: str, data: VoiceInput) -> list[str]:
        return self._options(self.phrases["moves"].get(move, [""]), data)

    def _move(self, data: VoiceInput) -> str:
        """Which bank of lines says the decision: card lines when the engine gave some, else generic ones."""
        d = data.decision
        move = d.move
        if move == "deflect":
            return "deflect_hint" if data.hint else "deflect_topic" if data.topic else "deflect"
        if move == "elaborate" and data.topic:
            return "elaborate_topic"  # digging into what he just said: he goes on about that, not in general
        if move == "agree" and d.facts:
            return "agree_more"
        if move in ("surface", "concern_resolved", "small_talk") and not data.lines:
            if move == "surface" and not data.topic:
                return "deflect"
            return f"{move}_generic"
        return move

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
        move = self._move(data)
        if move == "ack_intro" and data.lines:
            return self._pick(list(data.lines), data, "intro_reply", offset)
        line = self._pick(self._lines(move, data), data, move, offset)
        said_before = " ".join(t.text for t in data.conversation if t.speaker == "customer")
        catch = (
            bool(data.persona.catchphrases)
            and move == "answer"
            and all(
                f[0] in "en" for f in d.facts
            )  # "从技术上讲" fits a requirement, not a motive or the budget
            and self._chance(data, "catch", 4)
            and not any(c in said_before for c in data.persona.catchphrases)  # a catchphrase once a call
        )
        if catch and any(
            said.startswith(c)
            for c in data.persona.catchphrases
            for said in [data.facts[f].say[0] if data.facts[f].say else "" for f in d.facts]
        ):
            catch = False  # the line opens with it already: "我跟你讲，我跟你讲" is a stutter
        facts = [self._fact(fid, data, offset, lead=move == "answer" and not catch) for fid in d.facts]
        if move in ("recap", "correct"):  # said before in this call: again briefly, not word for word
            facts = [_brief(_without_lead(f, data.persona.catchphrases)) for f in facts]
        fill = {
            "fact": facts[0] if facts else "",
            "hint": data.hint or "",
            "concern": self._concern(data, offset),
            "explain": self._explain(data, offset),
            "missing": "".join(
                self._pick(self._options(self.phrases["missing"][m], data), data, f"missing:{m}", offset)
                for m in d.missing
            ),
            "topic": data.topic or "这个",
            "line": self._pick(list(data.lines) or [""], data, f"line:{move}", offset),
            "commitment": self._pick(list(data.commitment) or ["行，那就这么定了。"], data, "commit", offset),
        }
        text = _FILLER_STACK.sub(r"\2", line.format(**fill))
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
            options = self._options(self.phrases["concern_generic"][c.level], data)
            return self._pick(options, data, "concern", offset)
        return self._pick(list(c.say) or [c.text], data, f"concern:{c.id}", offset)

    def _explain(self, data: VoiceInput, offset: int) -> str:
        c = data.concern
        options = list(c.explain) if c is not None and c.explain else self.phrases["explain_generic"]
        return self._pick(options, data, "explain", offset)


def _brief(said: str) -> str:
    """The gist of a line said before: its first sentence, cut at a comma when long ("就是我刚才说的,…")."""
    first = re.split(r"(?<=[。！？!?])", said, maxsplit=1)[0].rstrip("。！!")
    if len(first) > 24:
        cut = [m.start() for m in re.finditer(r"[，,；;]", first) if m.start() >= 12]
        if cut:
            first = first[: cut[0]]
    return first + "。"


def _without_lead(said: str, catchphrases: Sequence[str]) -> str:
    """The line without a spoken lead-in ("我跟你讲,…"): "刚才说了,我跟你讲,…" reads as two openers."""
    for lead in catchphrases:
        if said.startswith(lead) and len(said) > len(lead) + 4:
            return said[len(lead) :].lstrip("，,：: ")
    return said
