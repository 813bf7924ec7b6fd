"""The outbox: results for an organisation's LMS are stored first and delivered later, with retries.

`enqueue_results` adds the items in the caller's transaction, so a result exists exactly when the ended
session does; `enqueue_adjustment` likewise adds the corrected result when a trainer adjusts a score (a
superseding xAPI statement, a `scorecard.adjusted` webhook). `deliver_due` sends due items; any number of workers (threads or processes, SQLite or
PostgreSQL) may run it at once, since an item is *claimed* by a conditional UPDATE before it is sent:

    UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now + lease
    WHERE id = :id AND attempts = :seen AND delivered_at IS NULL AND next_attempt_at <= now

Only one worker's UPDATE can match (the other sees `attempts` changed and updates no row), and the lease
hides the item from the others while it is being sent; if the worker dies mid-send, the item comes back
when the lease runs out. On PostgreSQL the due items are first selected `FOR UPDATE SKIP LOCKED`: N server
processes polling at once each take a different batch instead of racing for the same rows (the same
conditional UPDATE then leases them). Items are never deleted: an item that failed `max_attempts` times, or that the
receiver rejected for good, stays with `delivered_at` NULL, `attempts >= max_attempts` and `last_error`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from server.db.models import Organization, OutboxItem, PracticeSession, ScoreAdjustment, User, utcnow
from server.lms import transport
from server.lms.transport import Job
from server.lms.webhook import build_adjusted, build_webhook
from server.lms.xapi import as_utc, build_correction, build_statement

log = logging.getLogger("peilian.lms.outbox")

KIND_XAPI = "xapi"
KIND_WEBHOOK = "webhook"


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again: `base_delay_s · 2^(attempts-1)`, capped at `max_delay_s`; at most `max_attempts`.

    With the defaults the retries come after 30 s, 1, 2, 4 … 32 min, then hourly: 20 attempts span about
    14 hours, long enough for an LRS maintenance window. `lease_s` must exceed the HTTP timeout.
    """

    base_delay_s: float = 30.0
    max_delay_s: float = 3600.0
    max_attempts: int = 20
    lease_s: float = 300.0

    def delay(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt (1-based)."""
        exponent = min(max(attempts - 1, 0), 32)  # no float overflow, the cap applies long before
        return timedelta(seconds=min(self.max_delay_s, self.base_delay_s * 2**exponent))


DEFAULT_POLICY = RetryPolicy()


@dataclass
class DeliveryReport:
    """What one `deliver_due` pass did, by outbox item id."""

    delivered: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)  # failed, scheduled again
    failed: list[int] = field(default_factory=list)  # given up (max attempts or rejected for good)
    lost_claims: int = 0  # due items another worker claimed first
    errors: dict[int, str] = field(default_factory=dict)

    @property
    def attempted(self) -> int:
        return len(self.delivered) + len(self.retrying) + len(self.failed)


def enqueue_results(
    db: Session,
    practice: PracticeSession,
    *,
    base_url: str,
    scenario_title: str | None = None,
    now: datetime | None = None,
) -> list[OutboxItem]:
    """Add one outbox item per target the organisation configured (LRS and/or webhook); send nothing.

    Contract: `practice` has ended; the items join the caller's transaction (flushed, not committed), so
    they are committed — or rolled back — together with the session's end. Idempotent: a payload already in
    the outbox for that (session, kind, target) is not added again (its id is derived from the session).
    Returns the items added (empty: no target).
    """
    org = _org(db, practice)
    wanted: list[tuple[str, str, dict[str, Any]]] = []
    if org.lrs_endpoint:
        statement = build_statement(practice, base_url=base_url, scenario_title=scenario_title)
        wanted.append((KIND_XAPI, org.lrs_endpoint, statement))
    if org.webhook_url:
        wanted.append((KIND_WEBHOOK, org.webhook_url, build_webhook(practice, scenario_title=scenario_title)))
    return _add(db, org, practice, wanted, now=now)


def enqueue_adjustment(
    db: Session,
    practice: PracticeSession,
    adjustment: ScoreAdjustment,
    *,
    author: User,
    scorecard: dict[str, Any],
    base_url: str,
    scenario_title: str | None = None,
    now: datetime | None = None,
) -> list[OutboxItem]:
    """Add the corrected result of `practice` after a trainer's `adjustment`, per configured target: the
    xAPI statement that supersedes the session's first one (`xapi.build_correction`) and/or the signed
    `scorecard.adjusted` webhook (`webhook.build_adjusted`); send nothing.

    `scorecard` is the session's scorecard with the effective scores (services.scores.scorecard_view). Same
    contract as `enqueue_results`: the caller's transaction, idempotent per adjustment, returns what it added.
    """
    org = _org(db, practice)
    wanted: list[tuple[str, str, dict[str, Any]]] = []
    if org.lrs_endpoint:
        statement = build_correction(
            practice,
            adjustment,
            author=author,
            scorecard=scorecard,
            base_url=base_url,
            scenario_title=scenario_title,
        )
        wanted.append((KIND_XAPI, org.lrs_endpoint, statement))
    if org.webhook_url:
        wanted.append(
            (
                KIND_WEBHOOK,
                org.webhook_url,
                build_adjusted(
                    practice, adjustment, author=author, scorecard=scorecard, scenario_title=scenario_title
                ),
            )
        )
    return _add(db, org, practice, wanted, now=now)


def _org(db: Session, practice: PracticeSession) -> Organization:
    org = db.get(Organization, practice.org_id)
    if org is None:
        raise ValueError(f"organisation {practice.org_id} not found")
    return org


def _add(
    db: Session,
    org: Organization,
    practice: PracticeSession,
    wanted: list[tuple[str, str, dict[str, Any]]],
    *,
    now: datetime | None,
) -> list[OutboxItem]:
    """Add the `wanted` (kind, target, payload) items not in the outbox yet (same session, kind, target and
    payload id), due at `now`; flushed in the caller's transaction."""
    if not wanted:
        return []
    due = as_utc(now) if now else utcnow()
    existing = {
        (kind, target, payload_id)
        for kind, target, payload_id in db.execute(
            select(OutboxItem.kind, OutboxItem.target, OutboxItem.payload["id"].as_string()).where(
                OutboxItem.session_id == practice.id
            )
        )
    }
    items = [
        OutboxItem(
            org_id=org.id,
            session_id=practice.id,
            kind=kind,
            target=target,
            payload=payload,
            attempts=0,
            next_attempt_at=due,
        )
        for kind, target, payload in wanted
        if (kind, target, payload["id"]) not in existing
    ]
    db.add_all(items)
    db.flush()
    return items


def deliver_due(
    db_factory: sessionmaker[Session],
    *,
    client: httpx.Client,
    now: datetime | None = None,
    limit: int = 50,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> DeliveryReport:
    """Claim up to `limit` due, undelivered items and POST each one; record every outcome.

    2xx — and 409 from an LRS, which means it already stores that statement id — marks the item
    delivered. Connection errors, 5xx, 408, 425, 429 (honouring Retry-After), 401 and 403 (credentials an
    admin can fix) are retried after `policy.delay`. Any other status is a rejection of the payload itself:
    the item is given up at once. `now` (tests) fixes the clock for claiming and scheduling; webhook
    signatures always use the real time, since receivers check it. Never raises for a failed delivery.
    """
    fixed = as_utc(now) if now else None
    report = DeliveryReport()
    jobs = _claim_due(db_factory, now=fixed or utcnow(), limit=limit, policy=policy, report=report)
    for job in jobs:
        outcome = transport.send(job, client=client)
        _record(db_factory, job, outcome, now=fixed or utcnow(), policy=policy, report=report)
    return report


def _claim_due(
    db_factory: sessionmaker[Session],
    *,
    now: datetime,
    limit: int,
    policy: RetryPolicy,
    report: DeliveryReport,
) -> list[Job]:
    with db_factory() as db:
        due = (
            select(OutboxItem.id, OutboxItem.attempts)
            .where(
                OutboxItem.delivered_at.is_(None),
                OutboxItem.attempts < policy.max_attempts,
                OutboxItem.next_attempt_at <= now,
            )
            .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
            .limit(limit)
        )
        if db.get_bind().dialect.name == "postgresql":
            # Rows another worker is claiming right now are skipped, not waited for (held until commit).
            due = due.with_for_update(skip_locked=True)
        candidates = db.execute(due).all()
        claimed: list[int] = []
        for item_id, seen in candidates:
            if claim(db, item_id=item_id, seen_attempts=seen, now=now, policy=policy):
                claimed.append(item_id)
            else:
                report.lost_claims += 1
        db.commit()
        if not claimed:
            return []
        rows = db.execute(
            select(OutboxItem, Organization)
            .join(Organization, Organization.id == OutboxItem.org_id)
            .where(OutboxItem.id.in_(claimed))
            .order_by(OutboxItem.id)
        ).all()
        return [
            Job(
                id=item.id,
                kind=item.kind,
                target=item.target,
                payload=item.payload,
                attempts=item.attempts,
                lrs_auth=org.lrs_auth,
                webhook_secret=org.webhook_secret,
            )
            for item, org in rows
        ]


def claim(db: Session, *, item_id: int, seen_attempts: int, now: datetime, policy: RetryPolicy) -> bool:
    """Claim one item for sending: True for exactly one of any number of concurrent callers.

    Counts the attempt and leases the item (`next_attempt_at = now + lease`); the caller commits.
    """
    result = db.execute(
        update(OutboxItem)
        .where(
            OutboxItem.id == item_id,
            OutboxItem.attempts == seen_attempts,
            OutboxItem.delivered_at.is_(None),
            OutboxItem.next_attempt_at <= now,
        )
        .values(attempts=seen_attempts + 1, next_attempt_at=now + timedelta(seconds=policy.lease_s))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def _record(
    db_factory: sessionmaker[Session],
    job: Job,
    outcome: transport.Outcome,
    *,
    now: datetime,
    policy: RetryPolicy,
    report: DeliveryReport,
) -> None:
    mine = (OutboxItem.id == job.id, OutboxItem.delivered_at.is_(None))
    with db_factory() as db:
        if outcome.delivered:
            db.execute(
                update(OutboxItem)
                .where(*mine)
                .values(delivered_at=now, last_error=None)
                .execution_options(synchronize_session=False)
            )
            report.delivered.append(job.id)
        else:
            error = outcome.error or "unknown error"
            report.errors[job.id] = error
            if outcome.retry and job.attempts < policy.max_attempts:
                wait = max(policy.delay(job.attempts), timedelta(seconds=outcome.retry_after_s or 0))
                values: dict[str, Any] = {
                    "next_attempt_at": now + min(wait, timedelta(seconds=policy.max_delay_s)),
                    "last_error": error,
                }
                report.retrying.append(job.id)
            else:
                reason = (
                    f"gave up after {job.attempts} attempts" if outcome.retry else "rejected, not retried"
                )
                values = {
                    "attempts": max(job.attempts, policy.max_attempts),
                    "next_attempt_at": now,
                    "last_error": transport.one_line(f"{reason}: {error}"),
                }
                report.failed.append(job.id)
            # Only if the item is still ours: after an expired lease another worker may own it.
            db.execute(
                update(OutboxItem)
                .where(*mine, OutboxItem.attempts == job.attempts)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            log.warning("outbox item %s (%s) not delivered: %s", job.id, job.kind, error)
        db.commit()


def given_up(
    db: Session, *, org_id: str | None = None, policy: RetryPolicy = DEFAULT_POLICY
) -> list[OutboxItem]:
    """Items that will not be retried any more (kept for inspection and `requeue`), oldest first."""
    query = select(OutboxItem).where(
        OutboxItem.delivered_at.is_(None), OutboxItem.attempts >= policy.max_attempts
    )
    if org_id is not None:
        query = query.where(OutboxItem.org_id == org_id)
    return list(db.scalars(query.order_by(OutboxItem.id)))


def requeue(db: Session, *, item_ids: list[int], now: datetime | None = None) -> int:
    """Make undelivered items due again with a fresh attempt count (e.g. after fixing the LRS settings).

    Joins the caller's transaction; returns how many items were requeued (delivered ones never are).
    """
    if not item_ids:
        return 0
    result = db.execute(
        update(OutboxItem)
        .where(OutboxItem.id.in_(item_ids), OutboxItem.delivered_at.is_(None))
        .values(attempts=0, next_attempt_at=as_utc(now) if now else utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
