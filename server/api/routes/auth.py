"""Browser login: a cookie with a random token (HttpOnly, SameSite=Lax, Secure over HTTPS) and a CSRF
token returned to the page for the requests that change something. A login from another site's page is
refused (Origin check), and failed attempts are throttled per username and per address (services/login.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from server.api.errors import READ, WRITE, ApiError, api_error, error_responses
from server.api.schemas import LoginIn, LoginOut, UserOut, user_out
from server.deps import (
    SESSION_COOKIE,
    CurrentPrincipal,
    Db,
    SameOrigin,
    State,
    client_address,
    set_login_cookie,
)
from server.services import accounts
from server.services import login as login_service

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/login",
    summary="用户名密码登录",
    response_model=LoginOut,
    dependencies=[SameOrigin],
    responses=error_responses(*WRITE, 409),
)
def login(body: LoginIn, request: Request, response: Response, db: Db, state: State) -> LoginOut:
    try:
        user, new = login_service.log_in(
            db,
            throttle=state.login_throttle,
            username=body.username,
            password=body.password,
            address=client_address(request),
            org_slug=body.org,
        )
    except login_service.LoginRefused as exc:
        raise api_error(exc) from None
    db.commit()
    set_login_cookie(response, request, new.token, int(accounts.LOGIN_LIFETIME.total_seconds()))
    return LoginOut(user=user_out(user), csrf_token=new.csrf_token)


@router.post("/logout", summary="退出登录", status_code=204, responses=error_responses(*WRITE))
def logout(request: Request, response: Response, principal: CurrentPrincipal, db: Db) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_login(db, token=token)
        db.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", summary="当前登录的用户", response_model=LoginOut, responses=error_responses(*READ, 400))
def me(principal: CurrentPrincipal) -> LoginOut:
    if principal.user is None:
        raise ApiError(400, "not_a_user", "API 密钥不代表任何用户")
    return LoginOut(user=user_out(principal.user), csrf_token=principal.csrf_token or "")


__all__ = ["router", "UserOut"]
