"""The signed webhook for systems that do not speak xAPI.

Payload: a JSON object (`build_webhook`), sent as UTF-8 bytes (`encode_body`). Signature, in the manner of
Stripe's: header `X-Peilian-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the HMAC key is the
organisation's `webhook_secret` and the message is `f"{t}.".encode() + body` (the exact bytes received).
Receivers call `verify(secret, body, header)`: it checks the HMAC in constant time and rejects a timestamp
more than `tolerance_s` (default 5 min) away from now, which stops replays of an old, captured request.
Each attempt is signed anew, so a delivery retried hours later still verifies; the payload's `id` stays the
same across retries, so receivers can drop duplicates by it.

Events: `session.completed` when a session ends (`build_webhook`), `scorecard.adjusted` when a trainer adjusts
one of its scores (`build_adjusted`: the dimension, original and new value, who and why, and the session's
original and effective scores); the latest event of a session carries its current result.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from server.db.models import PracticeSession, ScoreAdjustment, User
from server.lms.xapi import ID_NAMESPACE, PASSING_SCORE, adjustment_view, iso_timestamp, learner_account_name
from server.services.outcomes import outcome_of

EVENT_SESSION_COMPLETED = "session.completed"
EVENT_SCORECARD_ADJUSTED = "scorecard.adjusted"
SIGNATURE_HEADER = "X-Peilian-Signature"
EVENT_HEADER = "X-Peilian-Event"
DELIVERY_HEADER = "X-Peilian-Delivery"
SIGNATURE_SCHEME = "v1"
DEFAULT_TOLERANCE_S = 300
PAYLOAD_VERSION = 1


def event_id(session_id: str) -> str:
    """The webhook event id of a session: stable across retries, for receivers' de-duplication."""
    return str(uuid.uuid5(ID_NAMESPACE, f"webhook:{EVENT_SESSION_COMPLETED}:{session_id}"))


def adjusted_event_id(session_id: str, adjustment_id: int) -> str:
    """The id of the `scorecard.adjusted` event of one adjustment: stable across retries."""
    return str(uuid.uuid5(ID_NAMESPACE, f"webhook:{EVENT_SCORECARD_ADJUSTED}:{session_id}:{adjustment_id}"))


def _passed(overall: int | None) -> bool | None:
    return None if overall is None else overall >= PASSING_SCORE


def _envelope(
    practice: PracticeSession, event: str, event_id: str, scenario_title: str | None
) -> dict[str, Any]:
    """What every event of a session carries: its id and kind, the session, the learner and the scenario."""
    if practice.ended_at is None:
        raise ValueError(f"会话 {practice.id} 尚未结束,不能上报")
    return {
        "id": event_id,
        "event": event,
        "version": PAYLOAD_VERSION,
        "session": {
            "id": practice.id,
            "mode": practice.mode,
            "started_at": iso_timestamp(practice.started_at),
            "ended_at": iso_timestamp(practice.ended_at),
            "end_reason": practice.end_reason,
        },
        "user": {
            "id": practice.user.id,
            "external_id": practice.user.external_id,
            "username": practice.user.username,
            "display_name": practice.user.display_name,
            "account_name": learner_account_name(practice),
        },
        "scenario": {"id": practice.scenario_id, "title": scenario_title or practice.scenario_id},
    }


def build_webhook(practice: PracticeSession, *, scenario_title: str | None = None) -> dict[str, Any]:
    """The `session.completed` payload of an ended session (JSON-ready, deterministic).

    Contract: `practice.ended_at` is set (else `ValueError`) and `practice.user` is loaded. `scores` is the
    scorecard's `scores` (CONTRACT.md §4), `overall` is `overall_score` (0-100 or null), `passed` applies
    `PASSING_SCORE`, `outcome` is the call's outcome (unknown for a scorecard without one); the full
    scorecard follows as it is.
    """
    scorecard = practice.scorecard or {}
    overall = practice.overall_score
    return {
        **_envelope(practice, EVENT_SESSION_COMPLETED, event_id(practice.id), scenario_title),
        "overall": overall,
        "passed": _passed(overall),
        "outcome": outcome_of(scorecard),
        "scores": scorecard.get("scores", {}),
        "scorecard": scorecard,
        "ended_at": iso_timestamp(practice.ended_at),
    }


def build_adjusted(
    practice: PracticeSession,
    adjustment: ScoreAdjustment,
    *,
    author: User,
    scorecard: dict[str, Any],
    scenario_title: str | None = None,
) -> dict[str, Any]:
    """The `scorecard.adjusted` payload of one trainer's adjustment (JSON-ready, deterministic).

    `scorecard` carries the effective `scores` and the scorer's `original_scores` (services.scores'
    scorecard_view). `adjustment` = {id, dimension, original, adjusted, reason, author, created_at};
    `overall` / `passed` are the effective ones; `supersedes` is the id of the session's `session.completed`.
    """
    effective = dict(scorecard.get("scores") or {})
    overall = effective.get("overall")
    return {
        **_envelope(
            practice, EVENT_SCORECARD_ADJUSTED, adjusted_event_id(practice.id, adjustment.id), scenario_title
        ),
        "adjustment": adjustment_view(adjustment, author),
        "original_scores": dict(scorecard.get("original_scores") or {}),
        "effective_scores": effective,
        "overall": overall,
        "original_overall": (scorecard.get("original_scores") or {}).get("overall"),
        "passed": _passed(overall),
        "outcome": outcome_of(scorecard),
        "supersedes": event_id(practice.id),
        "adjusted_at": iso_timestamp(adjustment.created_at),
    }


def encode_body(payload: dict[str, Any]) -> bytes:
    """The bytes that are sent and signed: compact UTF-8 JSON with sorted keys (stable for equal payloads)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _digest(secret: str, body: bytes, timestamp: int) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The `X-Peilian-Signature` header value for `body` sent at `timestamp` (unix seconds): `t=…,v1=…`."""
    if not secret:
        raise ValueError("webhook secret is empty")
    return f"t={int(timestamp)},{SIGNATURE_SCHEME}={_digest(secret, body, int(timestamp))}"


def parse_signature(header: str) -> tuple[int | None, list[str]]:
    """`(t, [v1 signatures…])` from a header value; unknown schemes are ignored, a bad `t` gives None."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return None, []
        elif key == SIGNATURE_SCHEME and value:
            signatures.append(value)
    return timestamp, signatures


def verify(
    secret: str, body: bytes, header: str, *, now: float | None = None, tolerance_s: int = DEFAULT_TOLERANCE_S
) -> bool:
    """True when `header` signs exactly `body` with `secret` and its `t` is within `tolerance_s` of `now`.

    For receivers: pass the raw request body (before any JSON parsing) and the `X-Peilian-Signature`
    header. Several `v1=` entries are accepted (any one matching suffices), which allows secret rotation.
    """
    if not secret or not header:
        return False
    timestamp, signatures = parse_signature(header)
    if timestamp is None or not signatures:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        return False
    expected = _digest(secret, body, timestamp)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
