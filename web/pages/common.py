"""Shared by every page: the template environment (autoescape on, always), rendering with the login's
context, and the guards that send a visitor to /login or answer 403/404 as a page, not as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from peilian.errors import Family, Invalid, NotFound
from server.api.errors import ApiError, status_of
from server.db.models import PracticeSession
from server.deps import MaybePrincipal, Principal, check_csrf, nul_in_request, nul_message
from server.services import sessions as sessions_service
from web import STATIC_DIR, TEMPLATES_DIR, present

env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, trim_blocks=True, lstrip_blocks=True
)
env.filters.update(
    act_label=present.act_label,
    # One way to show a time on every page: 2026年12月2日 14:05 (`local_time` is the same filter, kept for
    # templates written before; app.js rewrites both to the browser's time zone in the same format).
    cn_time=present.cn_time,
    local_time=present.cn_time,
    percent=present.percent,
)
# Cache-busting for /static: the newest file's mtime, read once at start-up.
ASSET_VERSION = str(int(max((f.stat().st_mtime for f in STATIC_DIR.iterdir()), default=0)))
env.globals.update(
    asset_version=ASSET_VERSION,
    DIMENSIONS=present.DIMENSIONS,
    MODES=present.MODES,
    ROLES=present.ROLES,
    ACTS=present.ACTS,
    FOCUS=present.FOCUS,
    FORMS=present.FORMS,
    ELEMENTS=present.ELEMENTS,
    END_REASONS=present.END_REASONS,
)
templates = Jinja2Templates(env=env)

STAFF = ("trainer", "admin")


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    principal: Principal | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    user = principal.user if principal else None
    base = {
        "me": user,
        "role": user.role if user else None,
        "csrf": principal.csrf_token if principal else "",
        "is_staff": bool(user and user.role in STAFF),
        "is_admin": bool(user and user.role == "admin"),
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def error_page(request: Request, principal: Principal | None, status: int, message: str) -> HTMLResponse:
    titles = {403: "没有权限", 404: "找不到页面", 409: "暂时不能这样做", 422: "输入有误"}
    return render(
        request,
        "error.html",
        {"status": status, "title": titles.get(status, "出错了"), "message": message},
        principal,
        status_code=status,
    )


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def denied(request: Request, principal: Principal | None, role: str = "any") -> Response | None:
    """None when the visitor may see the page; otherwise the response to send instead.
    `role`: "any" (logged in), "staff" (trainer or admin) or "admin". API keys do not log into pages."""
    if principal is None or principal.user is None:
        return login_redirect(request)
    if role == "staff" and principal.role not in STAFF:
        return error_page(request, principal, 403, "这一页只对培训师和管理员开放。")
    if role == "admin" and principal.role != "admin":
        return error_page(request, principal, 403, "这一页只对管理员开放。")
    return None


@dataclass(frozen=True)
class FormAuth:
    """A form post's caller and whether it carried the login's CSRF token."""

    principal: Principal | None
    csrf_ok: bool


async def form_auth(request: Request, principal: MaybePrincipal) -> FormAuth:
    if principal is None or principal.user is None:
        return FormAuth(None, False)
    try:
        await check_csrf(request, principal)
    except ApiError:
        return FormAuth(principal, False)
    return FormAuth(principal, True)


FormCaller = Annotated[FormAuth, Depends(form_auth)]


def form_denied(request: Request, auth: FormAuth, role: str = "any") -> Response | None:
    if auth.principal is not None and not auth.csrf_ok:
        return error_page(request, auth.principal, 403, "页面已过期(CSRF 令牌无效),请刷新页面后重试。")
    return denied(request, auth.principal, role)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def visible_session(db: Session, principal: Principal, session_id: str) -> PracticeSession:
    """The session when this caller may see it, else `NotFound` (the service's rule, shared with the API)."""
    return sessions_service.visible_session(
        db, org_id=principal.org.id, viewer_id=principal.viewer_id, session_id=session_id
    )


class PageInputError(Family):
    """Bad input met before a page's handler runs (in a dependency): answered with the error page, with the
    status of its kind (NotFound or Invalid)."""


async def refuse_nul(request: Request) -> None:
    """Every page: a NUL character in the address or a form field is refused before it reaches the database."""
    found = await nul_in_request(request)
    if found is None:
        return
    if found[0] == "path":
        raise PageInputError.kind(NotFound)("地址中含有不允许的字符(NUL)。")
    raise PageInputError.kind(Invalid)(f"输入中含有不允许的字符,请删除后重试({nul_message(*found)})。")


async def page_input_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageInputError)
    return error_page(request, None, status_of(exc), exc.message)
