"""The xAPI 1.0.3 statements that report a practice session to an LRS.

One statement when the session ends: *actor* (the learner, as an account on this server) *completed* the
*scenario* (an Activity), with the overall score, the duration, the outcome of the call (`result.success` only
when the customer agreed to a commitment, `result.completion` when the call ended in a known way; both left
out when the outcome is unknown) and, as result extensions under this server's IRIs, the outcome and the whole
scorecard (CONTRACT.md §4). The statement id and the context registration are derived from the session id
(uuid5), so every retry — and every re-enqueue of the same session — carries the same id and an LRS stores it
once.

A trainer's adjustment issues a *correction* (`build_correction`): a new statement of the same registration
with the effective scores, whose `context.statement` refers to the session's first statement, timestamped when
the adjustment was made, with the adjustment (who, why, what) as a result extension. Statements are never
changed or voided: the LRS keeps the history, and the latest statement of a registration is its result.

The shape is checked in the tests with Ralph's xAPI models (`ralph.models.xapi`), not by this module.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from server.db.models import PracticeSession, ScoreAdjustment, User
from server.services.outcomes import committed, known, outcome_of

XAPI_VERSION = "1.0.3"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
# ADL's vocabulary: a role-play with a simulated customer is a simulation.
ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/simulation"
PLATFORM = "Peilian"
LANGUAGE = "zh-CN"
# Overall score (0-100) at or above which the webhook's `passed` is true. The xAPI `result.success` follows the
# call's outcome instead: true only when the customer agreed to a commitment.
PASSING_SCORE = 60
SCORE_MIN = 0
SCORE_MAX = 100
# Fixed namespace for Peilian's derived uuids; never change it, or retries would get new statement ids.
ID_NAMESPACE = uuid.UUID("6f1c2a4e-8b3d-5e7f-9a0b-1c2d3e4f5a6b")


class StatementError(ValueError):
    """The session cannot be reported (yet): e.g. it has not ended."""


def statement_id(session_id: str) -> str:
    """The statement id of a session: the same for every call, different for every session."""
    return str(uuid.uuid5(ID_NAMESPACE, f"statement:{session_id}"))


def correction_id(session_id: str, adjustment_id: int) -> str:
    """The id of the statement that corrects a session's result after one adjustment (stable across retries)."""
    return str(uuid.uuid5(ID_NAMESPACE, f"statement:{session_id}:adjustment:{adjustment_id}"))


def registration_id(session_id: str) -> str:
    """The xAPI context registration of a session (groups statements of one attempt)."""
    return str(uuid.uuid5(ID_NAMESPACE, f"registration:{session_id}"))


def extension_iri(base_url: str, name: str) -> str:
    """An extension key under this server's own IRI space, e.g. `{base_url}/xapi/extensions/scorecard`."""
    return f"{normalize_base_url(base_url)}/xapi/extensions/{name}"


def activity_iri(base_url: str, scenario_id: str) -> str:
    """The Activity id of a scenario; the scenario id is percent-encoded so the IRI stays valid."""
    return f"{normalize_base_url(base_url)}/scenarios/{quote(scenario_id, safe='-._~')}"


def normalize_base_url(base_url: str) -> str:
    """`base_url` without a trailing slash; it must be an absolute http(s) URL."""
    url = base_url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise StatementError(f"base_url 必须是 http(s) 绝对地址:{base_url!r}")
    return url


def as_utc(moment: datetime) -> datetime:
    """Aware UTC datetime; naive values (SQLite returns them) are taken as UTC, as the server stores UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_timestamp(moment: datetime) -> str:
    """ISO 8601 with milliseconds and an explicit offset, e.g. `2026-03-01T08:30:00.000+00:00`."""
    return as_utc(moment).isoformat(timespec="milliseconds")


def iso_duration(elapsed: timedelta) -> str:
    """ISO 8601 duration (`PT1H2M3.5S`), to 0.01 s as xAPI requires LRSs to keep; negative → `PT0S`."""
    centis = max(0, round(elapsed.total_seconds() * 100))
    hours, rest = divmod(centis, 360_000)
    minutes, rest = divmod(rest, 6_000)
    seconds = f"{rest // 100}.{rest % 100:02d}".rstrip("0").rstrip(".")
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if seconds != "0" or text == "PT":
        text += f"{seconds}S"
    return text


def learner_account_name(practice: PracticeSession) -> str:
    """How the LMS knows the learner: its own id when it created the user, else our username."""
    return practice.user.external_id or practice.user.username


def build_statement(
    practice: PracticeSession, *, base_url: str, scenario_title: str | None = None
) -> dict[str, Any]:
    """The `completed` statement of an ended session, as a JSON-ready dict.

    Contract: `practice` has ended (`ended_at` set; else `StatementError`) and its `user` is loaded.
    `base_url` is this server's public URL; it is the account homePage and the root of every IRI.
    `scenario_title` names the Activity (falls back to the scenario id). The score part is omitted when the
    session has no `overall_score`. Deterministic: the same session gives the same dict.
    """
    return _statement(
        practice,
        base_url=base_url,
        scenario_title=scenario_title,
        overall=practice.overall_score,
        scorecard=practice.scorecard,
    )


def build_correction(
    practice: PracticeSession,
    adjustment: ScoreAdjustment,
    *,
    author: User,
    scorecard: dict[str, Any],
    base_url: str,
    scenario_title: str | None = None,
) -> dict[str, Any]:
    """The statement that supersedes a session's result after a trainer's `adjustment` (by `author`).

    `scorecard` is the session's scorecard with the effective scores (`scores`) and the scorer's
    (`original_scores`), as services.scores.scorecard_view gives it; `result.score` is its effective overall.
    The statement has its own id (`correction_id`), the session's registration, `context.statement` = a
    StatementRef to the session's first statement (`statement_id`), the adjustment's time as `timestamp`, and
    `{base}/xapi/extensions/adjustment` = {id, dimension, original, adjusted, reason, author, created_at}.
    """
    base = normalize_base_url(base_url)
    statement = _statement(
        practice,
        base_url=base,
        scenario_title=scenario_title,
        overall=(scorecard.get("scores") or {}).get("overall"),
        scorecard=scorecard,
    )
    statement["id"] = correction_id(practice.id, adjustment.id)
    statement["context"]["statement"] = {"objectType": "StatementRef", "id": statement_id(practice.id)}
    statement["result"]["extensions"][extension_iri(base, "adjustment")] = adjustment_view(adjustment, author)
    statement["timestamp"] = iso_timestamp(adjustment.created_at)
    return statement


def adjustment_view(adjustment: ScoreAdjustment, author: User) -> dict[str, Any]:
    """An adjustment as the LMS gets it (xAPI extension and webhook alike)."""
    return {
        "id": adjustment.id,
        "dimension": adjustment.dimension,
        "original": adjustment.original,
        "adjusted": adjustment.adjusted,
        "reason": adjustment.reason,
        "author": {"id": author.id, "username": author.username, "display_name": author.display_name},
        "created_at": iso_timestamp(adjustment.created_at),
    }


def _result(
    practice: PracticeSession, *, base: str, overall: int | None, scorecard: dict[str, Any] | None
) -> dict[str, Any]:
    outcome = outcome_of(scorecard)
    result: dict[str, Any] = {
        "duration": iso_duration(as_utc(practice.ended_at) - as_utc(practice.started_at))
    }
    if known(outcome):  # an unknown outcome (an old scorecard, no rep message) claims neither
        result["completion"] = True
        result["success"] = committed(outcome)
    if overall is not None:
        overall = max(SCORE_MIN, min(SCORE_MAX, int(overall)))
        result["score"] = {"scaled": overall / SCORE_MAX, "raw": overall, "min": SCORE_MIN, "max": SCORE_MAX}
    result["extensions"] = {extension_iri(base, "outcome"): outcome}
    if scorecard:
        result["extensions"][extension_iri(base, "scorecard")] = scorecard
    return result


def _statement(
    practice: PracticeSession,
    *,
    base_url: str,
    scenario_title: str | None,
    overall: int | None,
    scorecard: dict[str, Any] | None,
) -> dict[str, Any]:
    if practice.ended_at is None:
        raise StatementError(f"会话 {practice.id} 尚未结束,不能上报")
    base = normalize_base_url(base_url)
    user = practice.user
    actor: dict[str, Any] = {
        "objectType": "Agent",
        "account": {"homePage": base, "name": learner_account_name(practice)},
    }
    if user.display_name:  # xAPI forbids empty strings
        actor["name"] = user.display_name

    title = scenario_title or practice.scenario_id
    return {
        "id": statement_id(practice.id),
        "actor": actor,
        "verb": {"id": VERB_COMPLETED, "display": {"zh-CN": "完成", "en-US": "completed"}},
        "object": {
            "objectType": "Activity",
            "id": activity_iri(base, practice.scenario_id),
            "definition": {"name": {LANGUAGE: title}, "type": ACTIVITY_TYPE},
        },
        "result": _result(practice, base=base, overall=overall, scorecard=scorecard),
        "context": {
            "registration": registration_id(practice.id),
            "platform": PLATFORM,
            "language": LANGUAGE,
            "extensions": {
                extension_iri(base, "session-id"): practice.id,
                extension_iri(base, "mode"): practice.mode,
            },
        },
        "timestamp": iso_timestamp(practice.ended_at),
    }
