"""A rep's progress and the team's: every number here is an EFFECTIVE score (services/scores.py), the same
the scorecard, the desk, the API and the LMS show.

- `rep_attempts(db, org_id, user_id)`: the rep's scored sessions, oldest first, with their effective scores.
- `series(attempts)`: per dimension (and the overall) the scores over time, for the charts.
- `weakest(attempts)`: the dimension with the lowest mean over the last `RECENT` attempts, with the finding
  that cost it most often there and that finding's book passage (the scorecard's own citation); when no
  finding of that dimension was made, the passage the first rule of that dimension cites.
- `team_heatmap(db, org_id)`: reps × dimensions, each cell the mean effective score and how many attempts.
- `compare(db, org_id, viewer, session_ids)`: 2–4 attempts on one scenario, side by side.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import PracticeSession, User
from server.services.scores import effective_scores_many

# Dimensions in the scorecard's order (docs/scoring.md); the overall is shown first, apart.
DIMENSIONS = ("appointment", "men", "questioning", "listening", "commitment")
RECENT = 5  # attempts the weakest skill is judged on: what the rep does now, not a month ago
MIN_COMPARE, MAX_COMPARE = 2, 4


class ProgressError(ValueError):
    """A request the progress pages cannot answer: `status` is the HTTP status, the message one line."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Attempt:
    session_id: str
    user_id: str
    scenario_id: str
    mode: str
    started_at: datetime
    scores: dict[str, int]  # effective
    original: dict[str, int]
    adjusted: tuple[str, ...]
    scorecard: dict[str, Any] = field(repr=False)


def _attempts(db: Session, rows: list[PracticeSession]) -> list[Attempt]:
    scores = effective_scores_many(db, rows)
    return [
        Attempt(
            s.id,
            s.user_id,
            s.scenario_id,
            s.mode,
            s.started_at,
            dict(scores[s.id].effective),
            dict(scores[s.id].original),
            scores[s.id].adjusted,
            s.scorecard or {},
        )
        for s in rows
        if scores[s.id].effective.get("overall") is not None
    ]


def _scored(org_id: str) -> Any:
    return (
        select(PracticeSession)
        .where(
            PracticeSession.org_id == org_id,
            PracticeSession.status == "ended",
            PracticeSession.scorecard.is_not(None),
        )
        .order_by(PracticeSession.started_at, PracticeSession.id)
    )


def rep_attempts(db: Session, *, org_id: str, user_id: str) -> list[Attempt]:
    """The rep's scored sessions, oldest first (sessions without a scorecard have nothing to chart)."""
    rows = list(db.scalars(_scored(org_id).where(PracticeSession.user_id == user_id)).unique())
    return _attempts(db, rows)


@dataclass(frozen=True)
class Point:
    session_id: str
    started_at: datetime
    scenario_id: str
    score: int
    adjusted: bool


def _changed(a: Attempt, key: str) -> bool:
    """A trainer changed this score: adjusted itself, or (the overall) recomputed after a dimension was."""
    return key in a.adjusted or (key == "overall" and bool(a.adjusted))


def series(attempts: list[Attempt]) -> dict[str, list[Point]]:
    """Per dimension (overall first, then the scorecard's order) its scores over time; a dimension that no
    attempt scored (约访 for a rep who only visits) is left out."""
    out: dict[str, list[Point]] = {}
    for key in ("overall", *DIMENSIONS):
        points = [
            Point(a.session_id, a.started_at, a.scenario_id, a.scores[key], _changed(a, key))
            for a in attempts
            if key in a.scores
        ]
        if points:
            out[key] = points
    return out


def _mean(values: list[int]) -> int:
    from evaluators.scoring import round_half_up  # as the scorer rounds: 50.5 → 51, not Python's 50

    return round_half_up(sum(values) / len(values))


@dataclass(frozen=True)
class Weakest:
    dimension: str
    average: int  # over `attempts` recent attempts
    attempts: int
    code: str | None  # the finding that cost it most often (None: no finding of that dimension)
    message: str | None
    advice: str | None
    times: int  # how many of the recent attempts had that finding
    reference: dict[str, str]  # {"section", "text"}: the book passage to study


def _fallback_reference(dimension: str, mode: str) -> tuple[str | None, dict[str, str]]:
    """The passage the first rule of `dimension` (for `mode`) cites, when no finding of it was made."""
    from evaluators.findings import specs
    from evaluators.scorecard import reference
    from knowledge.cite import cite

    for spec in specs().values():
        if spec.dimension == dimension and mode in spec.modes:
            return spec.advice, reference(spec, cite, mode)
    return None, {"section": "", "text": ""}


def weakest(attempts: list[Attempt], recent: int = RECENT) -> Weakest | None:
    """The rep's weakest skill now, with what to read; None without a scored attempt."""
    latest = attempts[-recent:]
    means = {
        key: _mean(values)
        for key in DIMENSIONS
        if (values := [a.scores[key] for a in latest if key in a.scores])
    }
    if not means:
        return None
    dimension = min(means, key=lambda k: (means[k], DIMENSIONS.index(k)))  # a tie: the scorecard's order
    counted: Counter[str] = Counter()
    last_seen: dict[str, dict[str, Any]] = {}
    for a in latest:
        codes = set()
        for f in a.scorecard.get("findings") or []:
            if f.get("dimension") == dimension and f.get("code"):
                codes.add(f["code"])
                last_seen[f["code"]] = f  # the newest wording and citation
        counted.update(codes)
    scored = sum(1 for a in latest if dimension in a.scores)
    if counted:
        code, times = min(counted.items(), key=lambda kv: (-kv[1], list(last_seen).index(kv[0])))
        f = last_seen[code]
        ref = f.get("reference") or {}
        return Weakest(
            dimension,
            means[dimension],
            scored,
            code,
            f.get("message"),
            f.get("advice"),
            times,
            {"section": str(ref.get("section", "")), "text": str(ref.get("text", ""))},
        )
    mode = next(a.mode for a in reversed(latest) if dimension in a.scores)
    advice, ref = _fallback_reference(dimension, mode)
    return Weakest(dimension, means[dimension], scored, None, None, advice, 0, ref)


# -- the team -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    average: int | None
    count: int


@dataclass(frozen=True)
class HeatRow:
    user: User
    cells: dict[str, Cell]  # "overall" and each of DIMENSIONS
    attempts: int
    weakest: str | None  # the dimension of `weakest()`, for the row's note


def team_heatmap(db: Session, *, org_id: str) -> list[HeatRow]:
    """Every rep of the organisation (and anyone else who practised), by name: per dimension the mean
    effective score over all their scored attempts and how many attempts scored it."""
    users = list(db.scalars(select(User).where(User.org_id == org_id).order_by(User.display_name, User.id)))
    by_user: dict[str, list[Attempt]] = {}
    for a in _attempts(db, list(db.scalars(_scored(org_id)).unique())):
        by_user.setdefault(a.user_id, []).append(a)
    rows = []
    for user in users:
        mine = by_user.get(user.id, [])
        if user.role != "rep" and not mine:
            continue
        cells = {}
        for key in ("overall", *DIMENSIONS):
            values = [a.scores[key] for a in mine if key in a.scores]
            cells[key] = Cell(_mean(values) if values else None, len(values))
        found = weakest(mine)
        rows.append(HeatRow(user, cells, len(mine), found.dimension if found else None))
    return rows


def heat_columns(rows: list[HeatRow]) -> list[str]:
    """The columns worth showing: the overall and every dimension some rep was scored on."""
    return ["overall", *(k for k in DIMENSIONS if any(r.cells[k].count for r in rows))]


# -- side by side ---------------------------------------------------------------------------------------
def compare(db: Session, *, org_id: str, viewer: User, session_ids: list[str]) -> list[Attempt]:
    """2–4 scored attempts on one scenario, oldest first. A rep may compare only their own; a trainer or
    admin any of the organisation's. A session the viewer may not see reads as missing (404)."""
    ids = list(dict.fromkeys(i.strip() for i in session_ids if i.strip()))
    if not MIN_COMPARE <= len(ids) <= MAX_COMPARE:
        raise ProgressError(422, f"请选择 {MIN_COMPARE}–{MAX_COMPARE} 次对练来比较(现在选了 {len(ids)} 次)")
    query = _scored(org_id).where(PracticeSession.id.in_(ids))
    if viewer.role not in ("trainer", "admin"):
        query = query.where(PracticeSession.user_id == viewer.id)
    rows = list(db.scalars(query).unique())
    if len(rows) != len(ids):
        found = {r.id for r in rows}
        missing = next(i for i in ids if i not in found)
        raise ProgressError(404, f"对练 {missing[:32]} 不存在,或还没有评分卡")
    if len({r.scenario_id for r in rows}) > 1:
        raise ProgressError(422, "只能并排比较同一个场景的对练")
    return _attempts(db, rows)
