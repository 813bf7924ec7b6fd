"""Log in with a plain form (works without JavaScript) and log out.

The login form carries a token that must match a cookie set with the form (a page of another site can read
neither), and a post from another site's page is refused by its Origin: nobody can log a visitor into an
account of theirs (login CSRF). Failed attempts are throttled like the API's (services/login.py)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from server.api.errors import status_of
from server.deps import (
    SESSION_COOKIE,
    Db,
    MaybePrincipal,
    State,
    client_address,
    same_origin,
    set_login_cookie,
)
from server.services import accounts
from server.services import login as login_service
from server.services.demo import demo_hint
from server.services.security import new_token
from web.pages.common import STAFF, FormCaller, form_denied, render, safe_next

router = APIRouter()
LOGIN_CSRF_COOKIE = "peilian_login_csrf"
LOGIN_FORM_LIFETIME = 2 * 3600  # seconds a login form stays usable


def _demo_hint(db: Db) -> dict[str, str] | None:
    """Show the demo logins on the login page only when `peilian admin demo` created them."""
    return demo_hint(db)


def _login_form(request: Request, db: Db, status_code: int = 200, **context: Any) -> Response:
    """The login page with its form token, kept in a cookie of the login page's own (one per browser, so
    that two open login tabs both work)."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()
    values = {"next": "/", "username": "", "org": "", "ask_org": False, "error": None, **context}
    response = render(
        request,
        "login.html",
        {**values, "demo": _demo_hint(db), "login_csrf": token},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=LOGIN_FORM_LIFETIME,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/login",
    )
    return response


def landing(role: str, target: str) -> str:
    """Where a login goes: the page asked for, else trainers and admins to the desk, reps to the picker."""
    return "/desk" if target == "/" and role in STAFF else target


@router.get("/login")
def login_page(
    request: Request, principal: MaybePrincipal, db: Db, next: Annotated[str, Query(max_length=500)] = "/"
) -> Response:
    if principal is not None and principal.user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, db, next=safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    db: Db,
    state: State,
    username: Annotated[str, Form(max_length=120)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    org: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    form = {"next": safe_next(next), "username": username, "org": org, "ask_org": bool(org)}
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if (
        not same_origin(request, state.settings.public_url)
        or not expected
        or not hmac.compare_digest(csrf_token.encode(), expected.encode())
    ):
        return _login_form(request, db, 403, **form, error="登录页已过期或来自别的网站,请在这一页重新登录。")
    try:
        user, new = login_service.log_in(
            db,
            throttle=state.login_throttle,
            username=username,
            password=password,
            address=client_address(request),
            org_slug=org.strip() or None,
        )
    except login_service.LoginRefused as exc:
        form["ask_org"] = form["ask_org"] or exc.code == "org_required"
        response = _login_form(request, db, status_of(exc), **form, error=str(exc))
        if exc.retry_after:
            response.headers["Retry-After"] = str(int(exc.retry_after))
        return response
    db.commit()
    response = RedirectResponse(landing(user.role, form["next"]), status_code=303)
    set_login_cookie(response, request, new.token, int(accounts.LOGIN_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, auth: FormCaller, db: Db) -> Response:
    if (refused := form_denied(request, auth)) is not None:
        return refused
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_login(db, token=token)
        db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
