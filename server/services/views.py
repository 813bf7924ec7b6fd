"""JSON views of stored sessions and messages (what the API returns and the pages render)."""

from __future__ import annotations

from typing import Any

from server.db.models import Message, PracticeSession
from server.services.outcomes import api_outcome
from server.services.scores import Effective


def message_view(m: Message) -> dict[str, Any]:
    view: dict[str, Any] = {"seq": m.seq, "speaker": m.speaker, "text": m.text, "t": m.t, "end": m.end}
    if m.speaker == "rep":
        view["act"] = {k: m.meta.get(k) for k in ("act", "focus", "form", "elements")}
    else:
        view["revealed"] = list(m.revealed or [])
    return view


def session_view(s: PracticeSession, scores: Effective, *, messages: bool = False) -> dict[str, Any]:
    """A session with its effective scores (services/scores.py): `overall_score` is the effective overall,
    `original_overall_score` the scorer's, `scores` every effective dimension (null before the scorecard)."""
    ended = s.status == "ended" and s.scorecard is not None
    view: dict[str, Any] = {
        "id": s.id,
        "scenario_id": s.scenario_id,
        "mode": s.mode,
        "voice": s.voice,
        "status": s.status,
        "user": {"id": s.user.id, "username": s.user.username, "display_name": s.user.display_name},
        "started_at": s.started_at.isoformat(),
        "ended_at": s.ended_at.isoformat() if s.ended_at else None,
        "end_reason": s.end_reason,
        "overall_score": scores.overall if scores.effective else s.overall_score,
        "original_overall_score": s.overall_score,
        "adjusted": bool(scores.adjusted),
        "scores": dict(scores.effective) if scores.effective else None,
        "outcome": api_outcome(s.scorecard) if ended else None,
        "state": (s.engine_state or {}).get("public", {}),
        "real_call": bool(s.real_call),  # a real call's transcript, scored (services/realcalls.py)
        "card_version": s.card_hash,  # the card version played (services/scenarios.py), null before 0006
    }
    if messages:
        view["messages"] = [message_view(m) for m in s.messages]
    return view


def transcript_of(s: PracticeSession) -> dict[str, Any]:
    """The session as a CONTRACT §3 transcript, with the server's times."""
    turns = []
    for m in s.messages:
        turn: dict[str, Any] = {"speaker": m.speaker, "text": m.text}
        if m.t is not None and m.end is not None:
            turn.update(t=m.t, end=m.end)
        turns.append(turn)
    return {"mode": s.mode, "turns": turns}
