"""Log in with a plain form (works without JavaScript) and log out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from server.api.routes.auth import set_login_cookie
from server.db.models import User
from server.deps import SESSION_COOKIE, Db, MaybePrincipal
from server.services import accounts
from web.pages.common import FormCaller, form_denied, render, safe_next

router = APIRouter()


def _demo_hint(db: Db) -> dict[str, str] | None:
    """Show the demo logins on the login page only when `peilian admin demo` created them."""
    # Imported here, not at start-up: peilian.admin pulls in typer, which the server does not need.
    from peilian.admin import DEMO_PASSWORD, DEMO_USERS

    names = [u for u, _, _ in DEMO_USERS]
    found = set(db.scalars(select(User.username).where(User.username.in_(names))))
    return {"users": " / ".join(n for n in names if n in found), "password": DEMO_PASSWORD} if found else None


@router.get("/login")
def login_page(
    request: Request, principal: MaybePrincipal, db: Db, next: Annotated[str, Query(max_length=500)] = "/"
) -> Response:
    if principal is not None and principal.user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "demo": _demo_hint(db), "username": ""})


@router.post("/login")
def login_submit(
    request: Request,
    db: Db,
    username: Annotated[str, Form(max_length=120)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    user = (
        accounts.authenticate(db, username=username.strip(), password=password)
        if username and password
        else None
    )
    if user is None:
        return render(
            request,
            "login.html",
            {
                "next": safe_next(next),
                "demo": _demo_hint(db),
                "username": username,
                "error": "用户名或密码不正确",
            },
            status_code=401,
        )
    new = accounts.start_login(db, user=user)
    db.commit()
    response = RedirectResponse(safe_next(next), status_code=303)
    set_login_cookie(response, request, new.token, int(accounts.LOGIN_LIFETIME.total_seconds()))
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
