"""Request dependencies, all in one place, as `Annotated` aliases for the routes.

Who is asking: a browser with a login cookie (a rep, trainer or admin) or an LMS with an organisation's API
key (`Authorization: Bearer pl_…` or `X-API-Key`). Cookie requests that change anything must carry the
login's CSRF token (header `X-CSRF-Token`, or form field `csrf_token`); API-key requests need none.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from server.api.errors import ApiError
from server.db.models import ApiKey, Organization, User
from server.services import accounts
from server.services.inputs import NUL_MESSAGE, has_nul
from server.state import AppState

SESSION_COOKIE = "peilian_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def get_state(request: Request) -> AppState:
    return request.app.state.peilian


State = Annotated[AppState, Depends(get_state)]


async def get_db(state: State) -> AsyncIterator[Session]:
    """One database session per request. Routes commit explicitly before they answer (the exit of a
    yield dependency may run after the response is sent); anything uncommitted is rolled back.

    A request holds its connection until it has answered, and a sync route's answer is serialised in the
    thread pool: with more requests than connections, finished requests could hold every connection while
    the threads that would serialise them wait for one — a deadlock. So at most `state.db_slots` requests
    hold a database session at once (the others wait here, holding nothing), and the session is closed in
    the event loop's executor, not the request thread pool. `release_db` hands the slot back early."""
    loop = asyncio.get_running_loop()
    await state.db_slots.acquire()
    token = [True]

    def release_slot() -> None:  # from any thread, at most once (list.pop is atomic)
        try:
            token.pop()
        except IndexError:
            return
        loop.call_soon_threadsafe(state.db_slots.release)

    db = state.sessionmaker(info={"release_slot": release_slot})
    try:
        yield db
    finally:
        try:
            if db.in_transaction():  # a connection to hand back (a rollback: a round trip)
                await loop.run_in_executor(None, db.close)
            else:
                db.close()
        finally:
            release_slot()


def release_db(db: Session) -> None:
    """Close the request's session now (e.g. before a long turn or a stream) and free its slot."""
    db.close()
    release = db.info.get("release_slot")
    if release is not None:
        release()


Db = Annotated[Session, Depends(get_db)]


@dataclass(frozen=True)
class Principal:
    """The caller: a logged-in user, or an organisation's API key (then `user` is None)."""

    org: Organization
    user: User | None = None
    api_key: ApiKey | None = None
    csrf_token: str | None = None

    @property
    def role(self) -> str:
        return self.user.role if self.user else "lms"

    @property
    def sees_whole_org(self) -> bool:
        return self.role in ("trainer", "admin", "lms")

    @property
    def viewer_id(self) -> str | None:
        """Whose sessions the caller sees: a rep only their own (their id), staff and API keys the org's (None)."""
        return None if self.sees_whole_org or self.user is None else self.user.id

    @property
    def rate_key(self) -> str:
        return f"key:{self.api_key.id}" if self.api_key else f"user:{self.user.id if self.user else '-'}"


def _api_secret(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key")


def optional_principal(request: Request, db: Db) -> Principal | None:
    """Who is calling, or None. Sync on purpose: FastAPI runs it in the thread pool with the DB calls."""
    secret = _api_secret(request)
    if secret:
        key = accounts.resolve_api_key(db, secret=secret)
        if key is None:
            raise ApiError(401, "invalid_api_key", "API 密钥无效或已吊销")
        if db.dirty:
            db.commit()  # last_used_at
        org = db.get(Organization, key.org_id)
        assert org is not None
        return Principal(org=org, api_key=key)
    token = request.cookies.get(SESSION_COOKIE)
    found = accounts.resolve_login(db, token=token) if token else None
    if found is None:
        return None
    user, login = found
    return Principal(org=user.organization, user=user, csrf_token=login.csrf_token)


MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]


def client_address(request: Request) -> str:
    """The caller's address as the server sees it (behind a proxy: run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "-"


async def nul_in_request(request: Request) -> tuple[str, str] | None:
    """Where a NUL character is in this request's path, query or form fields: ("path" | "query" | "form",
    the field's name), or None. JSON bodies are checked by their schema (server/api/schemas.Strict)."""
    for name, value in request.path_params.items():
        if has_nul(value):
            return "path", name
    for name, value in request.query_params.multi_items():
        if has_nul(name) or has_nul(value):
            return "query", name
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        for name, value in (await request.form()).multi_items():
            if has_nul(name) or (isinstance(value, str) and has_nul(value)):
                return "form", name
    return None


def nul_message(where: str, name: str) -> str:
    shown = name.replace("\x00", "")[:40] or "?"
    return f"{where}.{shown}: {NUL_MESSAGE}"


async def refuse_nul(request: Request) -> None:
    """Every `/api/v1` route: a NUL in a path segment names nothing (404), elsewhere it is invalid (422)."""
    found = await nul_in_request(request)
    if found is None:
        return
    if found[0] == "path":
        raise ApiError(404, "not_found", "不存在(路径中含有 NUL 字符)")
    raise ApiError(422, "invalid_request", nul_message(*found))


def same_origin(request: Request, public_url: str | None) -> bool:
    """Whether a browser sent this request from one of our own pages: its Origin (else its Referer) names
    this host (the Host header) or PEILIAN_PUBLIC_URL. Neither header (curl, an LMS) passes; "null" does not."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if sent is None:
        return True
    netloc = urlsplit(sent).netloc.lower()
    allowed = {request.headers.get("host", "").lower()} | (
        {urlsplit(public_url).netloc.lower()} if public_url else set()
    )
    return bool(netloc) and netloc in allowed


def require_same_origin(request: Request, state: State) -> None:
    if not same_origin(request, state.settings.public_url):
        raise ApiError(403, "cross_site", "跨站请求被拒绝:请在本站页面上操作")


SameOrigin = Depends(require_same_origin)


def rate_wait(request: Request, state: AppState, principal: Principal | None) -> float | None:
    """None when the caller may go ahead, else seconds to wait: a login or API key by its own bucket, a
    visitor without one by their address (`PEILIAN_ANONYMOUS_RATE_LIMIT_PER_MINUTE`)."""
    if principal is not None:
        return state.rate_limiter.allow(principal.rate_key)
    return state.anonymous_limiter.allow(f"ip:{client_address(request)}")


def raise_if_limited(wait: float | None) -> None:
    if wait is not None:
        raise ApiError(
            429,
            "rate_limited",
            f"请求过于频繁,请 {wait:.0f} 秒后再试",
            headers={"Retry-After": str(max(1, round(wait)))},
        )


def book_reader(request: Request, principal: MaybePrincipal, state: State) -> Principal | None:
    """Anyone may read the book; every caller is rate-limited, visitors by their address."""
    raise_if_limited(rate_wait(request, state, principal))
    return principal


Reader = Annotated[Principal | None, Depends(book_reader)]


async def check_csrf(request: Request, principal: Principal | None) -> None:
    """A cookie-authenticated request that changes something must prove it comes from our own page."""
    if principal is None or principal.api_key is not None or request.method in SAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get("csrf_token")
        sent = value if isinstance(value, str) else None
    if sent is None or sent != principal.csrf_token:
        raise ApiError(403, "csrf_failed", "请求缺少有效的 CSRF 令牌,请刷新页面后重试")


async def require_principal(request: Request, principal: MaybePrincipal, state: State) -> Principal:
    if principal is None:
        raise ApiError(401, "unauthorized", "请先登录,或使用组织的 API 密钥")
    await check_csrf(request, principal)
    limiter = state.rate_limiter
    if limiter.shared:  # a round trip to PostgreSQL or Redis: not on the event loop
        raise_if_limited(await run_in_threadpool(limiter.allow, principal.rate_key))
    else:
        raise_if_limited(limiter.allow(principal.rate_key))
    return principal


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]


def require_staff(principal: CurrentPrincipal) -> Principal:
    if principal.role not in ("trainer", "admin", "lms"):
        raise ApiError(403, "forbidden", "只有培训师或管理员可以这样做")
    return principal


Staff = Annotated[Principal, Depends(require_staff)]


def require_admin(principal: CurrentPrincipal) -> Principal:
    if principal.role != "admin":
        raise ApiError(403, "forbidden", "只有管理员可以这样做")
    return principal


Admin = Annotated[Principal, Depends(require_admin)]


def set_login_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    """The login cookie (HttpOnly, SameSite=Lax, Secure over HTTPS), for the API's login and the page's."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
