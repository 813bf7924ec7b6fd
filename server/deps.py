"""Request dependencies, all in one place, as `Annotated` aliases for the routes.

Who is asking: a browser with a login cookie (a rep, trainer or admin) or an LMS with an organisation's API
key (`Authorization: Bearer pl_…` or `X-API-Key`). Cookie requests that change anything must carry the
login's CSRF token (header `X-CSRF-Token`, or form field `csrf_token`); API-key requests need none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from server.api.errors import ApiError
from server.db.models import ApiKey, Organization, User
from server.services import accounts
from server.state import AppState

SESSION_COOKIE = "peilian_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_state(request: Request) -> AppState:
    return request.app.state.peilian


State = Annotated[AppState, Depends(get_state)]


def get_db(state: State) -> Iterator[Session]:
    """One database session per request. Routes commit explicitly before they answer (the exit of a
    yield dependency may run after the response is sent); anything uncommitted is rolled back."""
    with state.sessionmaker() as db:
        yield db


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


async def check_csrf(request: Request, principal: Principal | None) -> None:
    """A cookie-authenticated request that changes something must prove it comes from our own page."""
    if principal is None or principal.api_key is not None or request.method in SAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get("csrf_token")
        sent = value if isinstance(value, str) else None
    if sent is None or sent != principal.csrf_token:
        raise ApiError(403, "csrf_failed", "请求缺少有效的 CSRF 令牌,请刷新页面后重试")


async def require_principal(request: Request, principal: MaybePrincipal, state: State) -> Principal:
    if principal is None:
        raise ApiError(401, "unauthorized", "请先登录,或使用组织的 API 密钥")
    await check_csrf(request, principal)
    wait = state.rate_limiter.allow(principal.rate_key)
    if wait is not None:
        raise ApiError(429, "rate_limited", f"请求过于频繁,请 {wait:.0f} 秒后再试",
                       headers={"Retry-After": str(max(1, round(wait)))})
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
