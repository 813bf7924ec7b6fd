"""The xAPI 1.0.3 statement that reports one ended practice session to an LRS.

One statement per session: *actor* (the learner, as an account on this server) *completed* the *scenario*
(an Activity), with the overall score, pass/fail, the duration and the whole scorecard (CONTRACT.md §4) as a
result extension. The statement id and the context registration are derived from the session id (uuid5),
so every retry — and every re-enqueue of the same session — carries the same id and an LRS stores it once.

The shape is checked in the tests with Ralph's xAPI models (`ralph.models.xapi`), not by this module.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from server.db.models import PracticeSession

XAPI_VERSION = "1.0.3"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
# ADL's vocabulary: a role-play with a simulated customer is a simulation.
ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/simulation"
PLATFORM = "Peilian"
LANGUAGE = "zh-CN"
# Overall score (0-100) at or above which `result.success` is true; LMSs use it for pass/fail rules.
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


def build_statement(practice: PracticeSession, *, base_url: str, scenario_title: str | None = None) -> dict[str, Any]:
    """The `completed` statement of an ended session, as a JSON-ready dict.

    Contract: `practice` has ended (`ended_at` set; else `StatementError`) and its `user` is loaded.
    `base_url` is this server's public URL; it is the account homePage and the root of every IRI.
    `scenario_title` names the Activity (falls back to the scenario id). The score part is omitted when the
    session has no `overall_score`. Deterministic: the same session gives the same dict.
    """
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
    result: dict[str, Any] = {
        "completion": True,
        "duration": iso_duration(as_utc(practice.ended_at) - as_utc(practice.started_at)),
    }
    if practice.overall_score is not None:
        overall = max(SCORE_MIN, min(SCORE_MAX, int(practice.overall_score)))
        result["score"] = {"scaled": overall / SCORE_MAX, "raw": overall, "min": SCORE_MIN, "max": SCORE_MAX}
        result["success"] = overall >= PASSING_SCORE
    if practice.scorecard:
        result["extensions"] = {extension_iri(base, "scorecard"): practice.scorecard}

    return {
        "id": statement_id(practice.id),
        "actor": actor,
        "verb": {"id": VERB_COMPLETED, "display": {"zh-CN": "完成", "en-US": "completed"}},
        "object": {
            "objectType": "Activity",
            "id": activity_iri(base, practice.scenario_id),
            "definition": {"name": {LANGUAGE: title}, "type": ACTIVITY_TYPE},
        },
        "result": result,
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
