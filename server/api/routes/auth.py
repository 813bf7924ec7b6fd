"""Browser login: a cookie with a random token (HttpOnly, SameSite=Lax, Secure over HTTPS) and a CSRF
token returned to the page for the requests that change something."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from server.api.errors import ApiError
from server.api.schemas import LoginIn, LoginOut, UserOut, user_out
from server.deps import SESSION_COOKIE, CurrentPrincipal, Db
from server.services import accounts

router = APIRouter(prefix="/auth", tags=["auth"])


def set_login_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax",
        secure=request.url.scheme == "https", path="/",
    )


@router.post("/login", summary="用户名密码登录", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, db: Db) -> LoginOut:
    user = accounts.authenticate(db, username=body.username, password=body.password)
    if user is None:
        raise ApiError(401, "login_failed", "用户名或密码不正确")
    new = accounts.start_login(db, user=user)
    db.commit()
    set_login_cookie(response, request, new.token, int(accounts.LOGIN_LIFETIME.total_seconds()))
    return LoginOut(user=user_out(user), csrf_token=new.csrf_token)


@router.post("/logout", summary="退出登录", status_code=204)
def logout(request: Request, response: Response, principal: CurrentPrincipal, db: Db) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_login(db, token=token)
        db.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", summary="当前登录的用户", response_model=LoginOut)
def me(principal: CurrentPrincipal) -> LoginOut:
    if principal.user is None:
        raise ApiError(400, "not_a_user", "API 密钥不代表任何用户")
    return LoginOut(user=user_out(principal.user), csrf_token=principal.csrf_token or "")


__all__ = ["router", "UserOut"]
