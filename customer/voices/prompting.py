"""The LLM voice's prompt, built from an explicit allow-list of what the customer may say this turn.

    view = prompt_view(data)                 # PromptView: the allow-listed fields of a VoiceInput
    system = render_system(view)             # prompts/customer_system.j2 + prompts/customer_turn.j2
    turns = chat_turns(view)                 # [("user" | "assistant", text), ...] for the chat API

Contract (security): `prompt_view` copies, field by field, only the persona's public face, the conversation,
the decision (move, tone, missing elements, closing) and the texts the decision puts into words *now*: the
facts in `decision.facts`, the hint teaser, the raised concern (its `explain` lines only when the move
explains it) and the accepted commitment's phrasings. It never copies anything by filtering: earned facts not
voiced this turn, other concerns, thresholds and the card's hidden section cannot reach a template, because a
template sees nothing but the `PromptView`. No LangChain import here (the caller converts the turns).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import prompts

if TYPE_CHECKING:
    import jinja2

    from customer.voices.base import VoiceInput

PROMPTS_DIR = Path(prompts.__file__).resolve().parent
SYSTEM_TEMPLATE = "customer_system.j2"
TURN_TEMPLATE = "customer_turn.j2"
MOVES_TEMPLATE = "customer_moves.j2"

# Moves that may name the topic of the question, and moves that may use the card lines the engine chose.
TOPIC_MOVES = frozenset({"surface", "deflect", "elaborate"})
LINE_MOVES = frozenset({"surface", "concern_resolved", "small_talk", "ack_intro"})
# A voiced fact's lead-in, filler and the customer's reaction need room beyond the facts' own length.
SOFT_CHARS = 60
HARD_EXTRA = 60


@dataclass(frozen=True)
class FactLine:
    """A fact the decision voices now: its kind, canonical text and the card's phrasings of it."""

    kind: str
    text: str
    say: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConcernLine:
    """The raised concern; `explain` is filled only when the move explains it."""

    level: str
    text: str
    say: tuple[str, ...] = ()
    explain: tuple[str, ...] = ()


@dataclass(frozen=True)
class PromptView:
    """Everything a prompt template may use — nothing else reaches the model."""

    name: str
    role: str
    organisation: str
    temperament: str
    time_pressure: str
    mode: str
    catchphrases: tuple[str, ...]
    greeting: tuple[str, ...]  # only for the opening line
    move: str
    tone: str
    closing: str | None  # set only when the decision ends the conversation with this reply
    facts: tuple[FactLine, ...]
    hint: str | None
    concern: ConcernLine | None
    missing: tuple[str, ...]
    commitment: tuple[str, ...]
    history: tuple[tuple[str, str], ...]  # (speaker "rep" | "customer", text)
    topic: str | None = None  # what the reply is about (a fact's topic label, never its content)
    lines: tuple[str, ...] = ()  # harmless card lines of this move: surface answers, a cleared concern…
    max_chars: int = SOFT_CHARS


def prompt_view(data: VoiceInput, *, soft_chars: int = SOFT_CHARS) -> PromptView:
    """The allow-listed view of one turn. Raises KeyError if the decision voices a fact not in `data.facts`
    (an engine contract violation: a voice never says a fact the rep has not earned)."""
    d, p = data.decision, data.persona
    facts = tuple(
        FactLine(data.facts[fid].kind, data.facts[fid].text, tuple(data.facts[fid].say)) for fid in d.facts
    )
    concern = None
    if data.concern is not None and d.move in ("concern", "explain_concern"):
        c = data.concern
        explain = tuple(c.explain) if d.move == "explain_concern" else ()
        concern = ConcernLine(c.level, c.text, tuple(c.say), explain)
    # A hint is a teaser of an unearned fact: only the teaser line itself, and only when the engine set one.
    hint = data.hint if d.hint else None
    ends = d.end and d.closing and d.move not in ("hang_up", "close", "accept_commitment")
    return PromptView(
        name=p.name,
        role=p.role,
        organisation=p.organisation,
        temperament=p.temperament,
        time_pressure=p.time_pressure,
        mode=p.mode,
        catchphrases=tuple(p.catchphrases),
        greeting=tuple(p.greeting) if d.move == "greet" else (),
        move=d.move,
        tone=d.tone,
        closing=d.closing if ends else None,
        facts=facts,
        hint=hint,
        concern=concern,
        missing=tuple(d.missing),
        commitment=tuple(data.commitment) if d.move == "accept_commitment" else (),
        history=tuple((t.speaker, t.text) for t in data.conversation if t.speaker in ("rep", "customer")),
        max_chars=reply_caps(facts, soft_chars=soft_chars)[0],
        topic=data.topic if d.move in TOPIC_MOVES else None,
        lines=tuple(data.lines) if d.move in LINE_MOVES else (),
    )


def reply_caps(
    facts: tuple[FactLine, ...], *, soft_chars: int = SOFT_CHARS, max_chars: int | None = None
) -> tuple[int, int]:
    """(soft, hard) length caps for a reply that voices `facts`: each cap plus room for every fact's longest
    phrasing, so that a cap never cuts a fact the engine reports as revealed. `max_chars` defaults to
    `soft_chars` + 60."""
    room = sum(max((len(s) for s in (*f.say, f.text)), default=0) for f in facts)
    hard = soft_chars + HARD_EXTRA if max_chars is None else max(max_chars, soft_chars)
    return soft_chars + room, hard + room


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The prompt templates' environment: StrictUndefined (a typo fails loudly), no HTML escaping."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PROMPTS_DIR)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render_system(view: PromptView) -> str:
    """The system message: the persona and rules, then this turn's instructions."""
    env = environment()
    parts = (env.get_template(SYSTEM_TEMPLATE).render(v=view), env.get_template(TURN_TEMPLATE).render(v=view))
    return "\n\n".join(_tidy(p) for p in parts)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:  # at most one blank line in a row
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out)


@lru_cache(maxsize=1)
def _moves_module() -> object:
    return environment().get_template(MOVES_TEMPLATE).module


def move_instructions() -> dict[str, str]:
    """The plain-Chinese instruction of every move (for tests and documentation)."""
    return dict(_moves_module().moves)  # type: ignore[attr-defined]


def chat_turns(view: PromptView) -> list[tuple[str, str]]:
    """The conversation as chat turns: rep → "user", customer → "assistant", strictly alternating and
    starting and ending with "user" (some local chat templates refuse anything else). Stage cues fill the
    gaps: the call connecting before the greeting, and the rep's silence between two customer lines."""
    cues: dict[str, str] = _moves_module().cues  # type: ignore[attr-defined]
    opening = cues["open_visit"] if view.mode == "visit" else cues["open_appointment"]
    turns: list[tuple[str, str]] = [("user", opening)]
    for speaker, raw in view.history:
        text = raw.strip()
        if not text:
            continue
        role = "user" if speaker == "rep" else "assistant"
        if turns[-1][0] == role:
            if role == "user":  # two rep messages in a row: one turn
                turns[-1] = ("user", f"{turns[-1][1]}\n{text}")
                continue
            turns.append(("user", cues["silence"]))
        turns.append((role, text))
    if turns[-1][0] == "assistant":
        turns.append(("user", cues["silence"]))
    return turns


def speaker_labels(view: PromptView) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(own, rep): labels a model may prefix a line with — "王主任:" is stripped, "销售:" ends the reply."""
    own = (
        view.name,
        view.role,
        f"{view.organisation}{view.role}",
        f"{view.role}{view.name}",
        "客户",
        "顾客",
        "回复",
        "回答",
        "customer",
        "assistant",
        "ai",
    )
    rep = ("销售", "销售代表", "销售员", "客户经理", "rep", "user", "用户", "我方")
    return own, rep
