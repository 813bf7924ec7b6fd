"""Effective scores: a session's scorecard with the trainer's adjustments applied.

The scorecard computed when the session ended is never changed; a trainer's adjustment is a row of its own
(`score_adjustments`, see services/review.py). What every reader is shown — the rep's list, the trainer desk,
the API, the reports and the LMS — is the *effective* score:

- a dimension's effective score is its latest adjustment, else the scorecard's;
- the overall is the latest adjustment of the overall itself when a trainer set it directly; otherwise, once
  any dimension was adjusted, it is recomputed from the effective dimensions by the mode's weights
  (`evaluators.scoring.overall_of`) and keeps what the scorer did to the weighted mean for the call's
  outcome (× 0.5 after a hang-up, the cap of a call too short to judge …, docs/scoring.md §5): the scorer's
  overall × weighted(effective) ÷ weighted(original). Where no outcome rule applied this is simply the
  weighted mean of the effective dimensions; after a hang-up it stays half of it, so a dimension's
  adjustment does not undo the outcome. Without adjustments the overall is the scorecard's.

`effective_scores(db, session)` gives one session's, `effective_scores_many(db, sessions)` those of a list in
one query per `CHUNK` sessions (never one per session). The effective overall is also kept on the session row
(`adjusted_overall`, NULL until the first adjustment; written by `record` in the adjustment's transaction), so
that filters and averages over many sessions run in SQL: `effective_overall()` is that expression.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from server.db.models import PracticeSession, ScoreAdjustment
from server.services.outcomes import api_outcome

CHUNK = 500  # sessions per IN (…) query: well under every backend's limit on bound parameters


def effective_overall() -> ColumnElement[int]:
    """The effective overall of a session in SQL, for filters, ordering and averages."""
    return func.coalesce(PracticeSession.adjusted_overall, PracticeSession.overall_score)


@dataclass(frozen=True)
class Effective:
    """The scores of one session: as scored (`original`), as they stand (`effective`), and which dimensions
    a trainer adjusted (`adjusted`, in the order first adjusted; "overall" only when set directly)."""

    original: dict[str, int]
    effective: dict[str, int]
    adjusted: tuple[str, ...] = ()

    @property
    def overall(self) -> int | None:
        return self.effective.get("overall")

    @property
    def original_overall(self) -> int | None:
        return self.original.get("overall")

    @property
    def recomputed(self) -> bool:
        """The overall follows adjusted dimensions (a trainer changed a dimension, not the overall)."""
        return bool(self.adjusted) and "overall" not in self.adjusted


def _original(session: PracticeSession) -> dict[str, int]:
    return dict((session.scorecard or {}).get("scores") or {})


class Change(Protocol):
    """What an adjustment contributes (a `ScoreAdjustment`, or a row of a migration)."""

    dimension: str
    adjusted: int


def recomputed_overall(mode: str, original: dict[str, int], effective: dict[str, int]) -> int | None:
    """The overall after dimension changes: the scorer's overall scaled by the change of the weighted mean,
    so the outcome's factor and caps carry over; None when the mode's weights are unknown."""
    from evaluators.scoring import overall_of, round_half_up

    try:
        before = overall_of(mode, {k: v for k, v in original.items() if k != "overall"})
        after = overall_of(mode, {k: v for k, v in effective.items() if k != "overall"})
    except KeyError:
        return None
    scored = original.get("overall")
    if before <= 0 and after <= 0:  # no weighted dimension (or all zero): nothing to scale
        return scored
    if scored is None or before <= 0:
        return after
    return max(0, min(100, round_half_up(scored * after / before)))


def effective_from(mode: str, original: dict[str, int], adjustments: Iterable[Change]) -> Effective:
    """Apply `adjustments` (oldest first) to the `original` scores of a session in `mode` (no database)."""
    effective = dict(original)
    adjusted: list[str] = []
    for a in adjustments:
        effective[a.dimension] = a.adjusted
        if a.dimension not in adjusted:
            adjusted.append(a.dimension)
    if original and adjusted and "overall" not in adjusted:
        overall = recomputed_overall(mode, original, effective)
        if overall is not None:  # a mode the weights do not know: the scorecard's overall stays
            effective["overall"] = overall
    return Effective(original, effective, tuple(adjusted))


def adjustments_of(db: Session, session_ids: Sequence[str]) -> dict[str, list[ScoreAdjustment]]:
    """The adjustments of these sessions, oldest first, by session id (one query per `CHUNK` ids)."""
    out: dict[str, list[ScoreAdjustment]] = {}
    ids = list(dict.fromkeys(session_ids))
    for start in range(0, len(ids), CHUNK):
        rows = db.scalars(
            select(ScoreAdjustment)
            .where(ScoreAdjustment.session_id.in_(ids[start : start + CHUNK]))
            .order_by(ScoreAdjustment.id)
        )
        for row in rows:
            out.setdefault(row.session_id, []).append(row)
    return out


def effective_scores(db: Session, session: PracticeSession) -> Effective:
    """One session's effective scores (no query when it has no scorecard, so nothing to adjust)."""
    if not _original(session):
        return Effective({}, {})
    return effective_from(
        session.mode, _original(session), adjustments_of(db, [session.id]).get(session.id, [])
    )


def effective_scores_many(db: Session, sessions: Sequence[PracticeSession]) -> dict[str, Effective]:
    """The effective scores of each session, by id (sessions without a scorecard are not looked up)."""
    adjusted = adjustments_of(db, [s.id for s in sessions if _original(s)])
    return {s.id: effective_from(s.mode, _original(s), adjusted.get(s.id, [])) for s in sessions}


def record(db: Session, session: PracticeSession) -> Effective:
    """After an adjustment was added (flushed): the session's effective scores, kept on its row."""
    scores = effective_scores(db, session)
    session.adjusted_overall = scores.overall if scores.adjusted else None
    db.flush()
    return scores


def scorecard_view(scorecard: dict[str, Any], scores: Effective) -> dict[str, Any]:
    """A scorecard as the API and the LMS give it: `scores` are the effective ones, `original_scores` the
    scorer's, `adjusted` the dimensions a trainer changed, and `outcome` always present (unknown when the
    scorecard predates it)."""
    return {
        **scorecard,
        "scores": dict(scores.effective),
        "original_scores": dict(scores.original),
        "adjusted": list(scores.adjusted),
        "outcome": api_outcome(scorecard),
    }
