"""Tell a product pitch (产品陈述) from another statement, for a message that asks nothing.

Contract: `judge(text)` returns (is_pitch, fired rule names). The score is, for each `pitch_*` rule of
lexicons/pitch.yaml, its weight times its distinct matches (capped by the rule's `max_hits`, usually 1),
minus the weights of the `statement_*` rules that fire (case story, self-introduction, company introduction,
the customer's situation); the message is a pitch when the score reaches the weight of `pitch_threshold`.
The caps keep a long message from becoming a pitch by repetition.
"""

from __future__ import annotations

from evaluators.acts import lexicon

_FILE = "pitch"


def judge(text: str) -> tuple[bool, tuple[str, ...]]:
    """(is this statement a pitch?, names of the rules that fired) — see module doc."""
    score = 0
    fired: list[str] = []
    for name, r in lexicon.rules(_FILE).items():
        if name == "pitch_threshold":
            continue
        hits = r.hits(text)
        if not hits:
            continue
        fired.append(name)
        score += r.weight * hits if name.startswith("pitch_") else -r.weight
    is_pitch = score >= lexicon.rule(_FILE, "pitch_threshold").weight
    return is_pitch, tuple(fired)
