"""Operational basics: request size limit, per-caller rate limits, structured access logs."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.api.errors import error_body

log = logging.getLogger("peilian.access")


async def _send_json(
    send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class HttpMiddleware:
    """An ASGI middleware for HTTP requests (`http()`); anything else (lifespan, websockets) passes through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class BodySizeLimit(HttpMiddleware):
    """Refuse request bodies over `max_bytes` with 413, whether or not they announce their length."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _send_json(
                send, 413, error_body("too_large", f"请求体过大(上限 {self.max_bytes // 1024} KB)")
            )
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _send_json(
                    send, 413, error_body("too_large", f"请求体过大(上限 {self.max_bytes // 1024} KB)")
                )


class _TooLarge(HTTPException):
    """Raised from `receive`: FastAPI re-raises HTTPExceptions met while reading a body (others become 400)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"请求体过大(上限 {max_bytes // 1024} KB)")


class RateLimiter:
    """Token buckets per caller key: `rate` requests per minute with bursts up to `burst`. In-process
    (one server process; server/limits has the shared ones); `allow()` is thread-safe."""

    shared = False  # a check never leaves this process: fine on the event loop

    def __init__(
        self, rate_per_minute: int, burst: int | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = float(burst or rate_per_minute)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    MAX_KEYS = 100_000  # callers remembered at once (visitors are counted by address)

    def allow(self, key: str) -> float | None:
        """None when the request may go ahead, else the seconds to wait before retrying."""
        now = self.clock()
        with self._lock:
            if key not in self._buckets and len(self._buckets) >= self.MAX_KEYS:
                self._forget_full(now)
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate if self.rate > 0 else 60.0

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled (they behave as new ones); if none has, the oldest half."""
        full = [
            k
            for k, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * self.rate >= self.burst
        ]
        for key in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]


# Our pages load only their own script and style files (no inline script, no inline style attribute; the
# call page's data travel in a <script type="application/json">, which is data, not script).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc come from a CDN with an inline bootstrap script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; worker-src 'self' blob:; object-src 'none'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeaders(HttpMiddleware):
    """Every response: a Content-Security-Policy, no framing (X-Frame-Options DENY), no MIME sniffing, and
    the Referer only to this site."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        csp = DOCS_CSP if str(scope.get("path", "")).startswith(DOCS_PATHS) else PAGE_CSP
        extra = [
            (b"content-security-policy", csp.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AccessLog(HttpMiddleware):
    """One JSON line per request (method, path, status, duration, request id); the id is echoed back in
    `X-Request-ID` so a user's report can be matched to the log."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = (
            dict(scope.get("headers") or []).get(b"x-request-id", b"").decode()[:64] or uuid.uuid4().hex[:16]
        )
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "ms": round((time.perf_counter() - start) * 1000, 1),
                },
            )


class JsonFormatter(logging.Formatter):
    """Log records as one JSON object a line, with any `extra=` fields."""

    _standard = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        data.update({k: v for k, v in record.__dict__.items() if k not in self._standard})
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("peilian")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
