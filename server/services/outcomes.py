"""The outcome of a scored call, as the server shows and reports it.

The scorer (`evaluators.scorecard.score_transcript`) writes `scorecard["outcome"]`: how the call ended
(`result`: committed | hung_up | time_up | ended | unknown), the commitment level and its elements, why the
customer left, and the hidden facts earned of those the card holds (null for an imported transcript, which
has no card). Scorecards stored before that field existed have no `outcome`: they read as `unknown`.

- `outcome_of(scorecard)` — the documented fields, checked one by one: a value that does not fit reads as
  unknown / null, so a page or an LMS statement never fails on a malformed or old scorecard.
- `api_outcome(scorecard)` — what the API passes through: the same, plus any other field the scorer wrote.
"""

from __future__ import annotations

from typing import Any

RESULTS: tuple[str, ...] = ("committed", "hung_up", "time_up", "ended", "unknown")
LEVELS: tuple[str, ...] = ("highest", "lowest")
CATEGORIES: tuple[str, ...] = ("expectation", "need", "motive", "process")
UNKNOWN: dict[str, Any] = {
    "result": "unknown",
    "commitment": None,
    "elements": None,
    "reason": None,
    "facts_earned": None,
    "facts_total": None,
    "earned": None,
}


def recorded(scorecard: dict[str, Any] | None) -> bool:
    """Whether the scorecard has an outcome at all (False for scorecards stored before the field)."""
    return isinstance((scorecard or {}).get("outcome"), dict)


def api_outcome(scorecard: dict[str, Any] | None) -> dict[str, Any]:
    """The scorecard's `outcome` as the API gives it: the documented fields checked (`outcome_of`), any other
    field the scorer wrote passed through; the unknown outcome when there is none."""
    raw = (scorecard or {}).get("outcome")
    return {**(raw if isinstance(raw, dict) else {}), **outcome_of(scorecard)}


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def outcome_of(scorecard: dict[str, Any] | None) -> dict[str, Any]:
    """The outcome's documented fields, each checked; anything missing or malformed is unknown / null."""
    raw = (scorecard or {}).get("outcome")
    if not isinstance(raw, dict):
        return dict(UNKNOWN)
    elements = raw.get("elements")
    earned = raw.get("earned")
    reason = raw.get("reason")
    return {
        "result": raw.get("result") if raw.get("result") in RESULTS else "unknown",
        "commitment": raw.get("commitment") if raw.get("commitment") in LEVELS else None,
        "elements": [str(e) for e in elements] if isinstance(elements, list) else None,
        "reason": (reason.strip() or None) if isinstance(reason, str) else None,
        "facts_earned": _count(raw.get("facts_earned")),
        "facts_total": _count(raw.get("facts_total")),
        "earned": {k: _count(earned.get(k)) or 0 for k in CATEGORIES} if isinstance(earned, dict) else None,
    }


def committed(outcome: dict[str, Any]) -> bool:
    return outcome.get("result") == "committed"


def known(outcome: dict[str, Any]) -> bool:
    """The call ended in a way we know (agreed, hung up, time up, ended by the rep)."""
    return outcome.get("result", "unknown") != "unknown"
