"""The xAPI statement of an exam's result: *actor* `passed` / `failed` the scenario, with the effective score
and the pass mark (docs/lms.md).

It comes beside the session's `completed` statement (server/lms/xapi.py), in the same registration: one when
the exam ends, and one after each trainer's adjustment of its score (which may turn a fail into a pass), with
`context.statement` referring to the first. Ids are derived from the session (and the adjustment), so retries
and re-enqueues carry the same id and an LRS stores each once.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import Organization, OutboxItem, PracticeSession, ScoreAdjustment
from server.lms.xapi import (
    ID_NAMESPACE,
    SCORE_MAX,
    SCORE_MIN,
    build_statement,
    extension_iri,
    iso_timestamp,
    normalize_base_url,
)

VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
VERB_FAILED = "http://adlnet.gov/expapi/verbs/failed"
KIND_XAPI = "xapi"


def exam_statement_id(session_id: str, adjustment_id: int | None = None) -> str:
    suffix = f":adjustment:{adjustment_id}" if adjustment_id is not None else ""
    return str(uuid.uuid5(ID_NAMESPACE, f"exam:{session_id}{suffix}"))


def build_exam_statement(
    practice: PracticeSession,
    *,
    passed: bool,
    score: int | None,
    pass_mark: int,
    assignment_id: str,
    base_url: str,
    scenario_title: str | None = None,
    adjustment: ScoreAdjustment | None = None,
) -> dict[str, Any]:
    """The `passed` / `failed` statement of an ended exam session; `score` is its effective overall (None:
    no scorecard, a fail without a score). After an `adjustment` the statement has its own id, the adjustment's
    time and a StatementRef to the exam's first statement."""
    base = normalize_base_url(base_url)
    statement = build_statement(practice, base_url=base, scenario_title=scenario_title)
    statement["id"] = exam_statement_id(practice.id, adjustment.id if adjustment else None)
    statement["verb"] = (
        {"id": VERB_PASSED, "display": {"zh-CN": "通过", "en-US": "passed"}}
        if passed
        else {"id": VERB_FAILED, "display": {"zh-CN": "未通过", "en-US": "failed"}}
    )
    result: dict[str, Any] = {
        "success": passed,
        "completion": True,
        "duration": statement["result"]["duration"],
        "extensions": {
            extension_iri(base, "pass-mark"): pass_mark,
            extension_iri(base, "assignment-id"): assignment_id,
        },
    }
    if score is not None:
        raw = max(SCORE_MIN, min(SCORE_MAX, int(score)))
        result["score"] = {"scaled": raw / SCORE_MAX, "raw": raw, "min": SCORE_MIN, "max": SCORE_MAX}
    statement["result"] = result
    statement["context"]["extensions"][extension_iri(base, "assignment-id")] = assignment_id
    if adjustment is not None:
        statement["context"]["statement"] = {
            "objectType": "StatementRef",
            "id": exam_statement_id(practice.id),
        }
        statement["timestamp"] = iso_timestamp(adjustment.created_at)
    return statement


def enqueue_exam_result(
    db: Session, practice: PracticeSession, statement: dict[str, Any]
) -> list[OutboxItem]:
    """Queue the statement for the organisation's LRS, in the caller's transaction (nothing without an LRS;
    nothing twice for the same statement id)."""
    org = db.get(Organization, practice.org_id)
    if org is None or not org.lrs_endpoint:
        return []
    taken = db.scalar(
        select(OutboxItem.id).where(
            OutboxItem.session_id == practice.id,
            OutboxItem.kind == KIND_XAPI,
            OutboxItem.target == org.lrs_endpoint,
            OutboxItem.payload["id"].as_string() == statement["id"],
        )
    )
    if taken is not None:
        return []
    item = OutboxItem(
        org_id=org.id,
        session_id=practice.id,
        kind=KIND_XAPI,
        target=org.lrs_endpoint,
        payload=statement,
        attempts=0,
    )
    db.add(item)
    db.flush()
    return [item]
