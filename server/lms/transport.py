"""One HTTP delivery of one outbox item, and what its answer means (delivered / retry / rejected).

Kept apart from the outbox bookkeeping so that the classification of answers is in one short place.
Secrets (the LRS Authorization value, the webhook secret) are read from the organisation at send time and
are never stored in the outbox, so a rotated secret applies to pending items too.
"""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from peilian import __version__
from server.lms import webhook
from server.lms.xapi import XAPI_VERSION

USER_AGENT = f"Peilian/{__version__}"
# Statuses worth retrying besides 5xx: timeouts, throttling, and credentials an admin can fix.
RETRYABLE_STATUS = frozenset({401, 403, 408, 425, 429})
MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class Job:
    """A claimed outbox item plus the organisation's secrets it needs for sending."""

    id: int
    kind: str  # xapi | webhook
    target: str
    payload: dict[str, Any]
    attempts: int  # including this one
    lrs_auth: str | None = None
    webhook_secret: str | None = None


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    retry: bool = False  # meaningful when not delivered
    error: str | None = None
    retry_after_s: float | None = None


def one_line(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """Whitespace collapsed, cut to `limit` characters: fit for `last_error` and a log line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def statements_url(endpoint: str) -> str:
    """`{endpoint}/statements`, unless the configured endpoint already names the statements resource."""
    base = endpoint.rstrip("/")
    return base if base.endswith("/statements") else f"{base}/statements"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def classify(response: httpx.Response, *, kind: str) -> Outcome:
    """2xx (and 409 from an LRS: that statement id is stored already) → delivered; 5xx and
    `RETRYABLE_STATUS` → retry; anything else (other 4xx, unfollowed 3xx) → rejected for good."""
    status = response.status_code
    if 200 <= status < 300 or (kind == "xapi" and status == 409):
        return Outcome(delivered=True)
    error = one_line(f"HTTP {status}: {response.text.strip() or response.reason_phrase}")
    if status >= 500 or status in RETRYABLE_STATUS:
        return Outcome(delivered=False, retry=True, error=error, retry_after_s=_retry_after(response))
    return Outcome(delivered=False, retry=False, error=error)


class _NotSendable(Exception):
    """The item cannot be sent as configured (no request is made)."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


def _request(job: Job) -> tuple[str, bytes, dict[str, str]]:
    if job.kind == "xapi":
        headers = {
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
            "User-Agent": USER_AGENT,
        }
        if job.lrs_auth:
            headers["Authorization"] = job.lrs_auth
        body = json.dumps(job.payload, ensure_ascii=False).encode("utf-8")
        return statements_url(job.target), body, headers
    if job.kind == "webhook":
        if not job.webhook_secret:
            raise _NotSendable("organisation has a webhook_url but no webhook_secret", retry=True)
        body = webhook.encode_body(job.payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            webhook.EVENT_HEADER: str(job.payload.get("event", "")),
            webhook.DELIVERY_HEADER: str(job.id),
            webhook.SIGNATURE_HEADER: webhook.sign(job.webhook_secret, body, int(time.time())),
        }
        return job.target, body, headers
    raise _NotSendable(f"unknown outbox kind {job.kind!r}", retry=False)


def send(job: Job, *, client: httpx.Client) -> Outcome:
    """POST the item and classify the answer. Never raises: every failure becomes an `Outcome`."""
    try:
        url, body, headers = _request(job)
        response = client.post(url, content=body, headers=headers)
    except _NotSendable as exc:
        return Outcome(delivered=False, retry=exc.retry, error=str(exc))
    except httpx.HTTPError as exc:  # refused, timed out, DNS, TLS…: the receiver may be back later
        return Outcome(delivered=False, retry=True, error=one_line(f"{type(exc).__name__}: {exc}"))
    except Exception as exc:  # noqa: BLE001 - one bad item must not stop the pass
        return Outcome(delivered=False, retry=True, error=one_line(f"{type(exc).__name__}: {exc}"))
    return classify(response, kind=job.kind)
