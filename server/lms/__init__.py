"""Reporting ended practice sessions to an organisation's LMS: xAPI statements and signed webhooks.

See docs/lms.md. `enqueue_results` (in the transaction that ends a session) and `enqueue_adjustment` (in the
one that adjusts a score) → outbox → `OutboxWorker`
(`deliver_due` in the background) → the LRS / webhook receiver.
"""

from __future__ import annotations

from server.lms.outbox import (
    DEFAULT_POLICY,
    DeliveryReport,
    RetryPolicy,
    deliver_due,
    enqueue_adjustment,
    enqueue_results,
    given_up,
    requeue,
)
from server.lms.webhook import build_adjusted, build_webhook, sign, verify
from server.lms.worker import OutboxWorker
from server.lms.xapi import PASSING_SCORE, build_correction, build_statement

__all__ = [
    "DEFAULT_POLICY",
    "PASSING_SCORE",
    "DeliveryReport",
    "OutboxWorker",
    "RetryPolicy",
    "build_adjusted",
    "build_correction",
    "build_statement",
    "build_webhook",
    "deliver_due",
    "enqueue_adjustment",
    "enqueue_results",
    "given_up",
    "requeue",
    "sign",
    "verify",
]
