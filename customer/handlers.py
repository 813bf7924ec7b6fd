"""The registry of the customer's handlers: one function per act of the rep's message, registered by name the
way the scorer's findings are (evaluators/findings/registry.py).

    @handles("pitch")
    def on_pitch(self, state, cls, text) -> Decision: ...

`Rules.on_message` reads the message once (evaluators.reading), applies the rules every message obeys
(arguing, contempt, gaming, pleading, an open concern) and then calls `HANDLERS[act]`. A test checks that
every act of CONTRACT §1 has exactly one handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[..., Any]
HANDLERS: dict[str, Handler] = {}
ACTS: tuple[str, ...] = (
    "exploratory",
    "control",
    "confirmation",
    "extension",
    "commitment",
    "pitch",
    "statement",
)


def handles(act: str) -> Callable[[Handler], Handler]:
    """Register the decorated method as the handler of `act` (once: a second one is a bug)."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}")

    def register(fn: Handler) -> Handler:
        if act in HANDLERS and HANDLERS[act].__qualname__ != fn.__qualname__:
            raise ValueError(
                f"act {act!r} has two handlers: {HANDLERS[act].__qualname__} and {fn.__qualname__}"
            )
        HANDLERS[act] = fn
        return fn

    return register
