"""Administration: users (create, edit, disable, reset a password), API keys and LMS delivery.

Every form that changes something answers POST → redirect → GET: what happened is shown once, by a one-time
message kept under the admin's login (services/flash.py), never in the URL — a new key's secret included, so
reloading the page after 生成密钥 shows nothing new and makes no second key. A refused form (bad input,
nothing changed) is shown again with its message and what was typed. Revoking a key and disabling a user
ask first: a dialog (web/static/app.js), or without JavaScript a confirmation page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from server.api.errors import status_of
from server.deps import Db, MaybePrincipal, Principal
from server.services import accounts
from server.services.flash import flashes
from web.pages.common import FormAuth, FormCaller, denied, error_page, form_denied, render

router = APIRouter()
CONFIRMED = "yes"  # the value of the `confirm` field once the admin said yes


def _owner(principal: Principal) -> str:
    assert principal.csrf_token is not None  # pages are for logins, which always have one
    return principal.csrf_token


def _done(principal: Principal, target: str, **message: Any) -> RedirectResponse:
    flashes.put(_owner(principal), message)
    return RedirectResponse(target, status_code=303)


def _admin_page(
    request: Request, principal: Principal, db: Db, status_code: int = 200, **extra: Any
) -> Response:
    flash = flashes.take(_owner(principal)) or {}
    org = principal.org
    context = {
        "users": accounts.list_users(db, org=org),
        "keys": accounts.list_api_keys(db, org=org),
        "new_key": flash.get("new_key"),
        "notice": flash.get("notice"),
        "error": None,
        "form": {},
        "lms": {"lrs": org.lrs_endpoint, "webhook": org.webhook_url},
        **extra,
    }
    return render(request, "admin.html", context, principal, status_code=status_code)


def _admin(request: Request, auth: FormAuth) -> tuple[Response | None, Principal]:
    """A form post of an admin: (the response to send instead, or None; the admin)."""
    refused = form_denied(request, auth, role="admin")
    return refused, auth.principal  # type: ignore[return-value]  # never None when `refused` is None


@router.get("/admin")
def admin_page(request: Request, principal: MaybePrincipal, db: Db) -> Response:
    if (refused := denied(request, principal, role="admin")) is not None:
        return refused
    assert principal is not None
    return _admin_page(request, principal, db)


@router.post("/admin/users")
def create_user(
    request: Request,
    auth: FormCaller,
    db: Db,
    username: Annotated[str, Form(max_length=120)] = "",
    display_name: Annotated[str, Form(max_length=120)] = "",
    role: Annotated[str, Form(max_length=16)] = "rep",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    refused, principal = _admin(request, auth)
    if refused is not None:
        return refused
    try:
        user = accounts.create_user(
            db,
            org=principal.org,
            username=username.strip(),
            role=role,
            password=password,
            display_name=display_name,
        )
    except accounts.AccountError as exc:
        db.rollback()
        form = {"username": username, "display_name": display_name, "role": role}
        return _admin_page(request, principal, db, status_of(exc), error=str(exc), form=form)
    db.commit()
    return _done(principal, "/admin", notice=f"已创建用户 {user.username}。")


@router.post("/admin/api-keys")
def create_key(
    request: Request, auth: FormCaller, db: Db, name: Annotated[str, Form(max_length=120)] = "LMS"
) -> Response:
    refused, principal = _admin(request, auth)
    if refused is not None:
        return refused
    new = accounts.create_api_key(db, org=principal.org, name=name)
    db.commit()
    return _done(principal, "/admin#new-key", new_key={"name": new.key.name, "secret": new.secret})


def _confirm_page(
    request: Request, principal: Principal, *, title: str, message: str, action: str, button: str, back: str
) -> Response:
    """Without JavaScript the dialog cannot ask: this page does, with the same form and `confirm=yes`."""
    context = {"title": title, "message": message, "action": action, "button": button, "back": back}
    return render(request, "confirm.html", context, principal)


@router.post("/admin/api-keys/{key_id}/revoke")
def revoke_key(
    request: Request,
    key_id: str,
    auth: FormCaller,
    db: Db,
    confirm: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    refused, principal = _admin(request, auth)
    if refused is not None:
        return refused
    key = next((k for k in accounts.list_api_keys(db, org=principal.org) if k.id == key_id), None)
    if key is None:
        return error_page(request, principal, 404, f"API 密钥 {key_id} 不存在。")
    if confirm != CONFIRMED:
        return _confirm_page(
            request,
            principal,
            title="吊销 API 密钥",
            message=f"确定吊销密钥「{key.name}」({key.prefix}…)吗?使用它的 LMS 将立即无法再调用,且不能恢复。",
            action=f"/admin/api-keys/{key.id}/revoke",
            button="确认吊销",
            back="/admin",
        )
    accounts.revoke_api_key(db, org=principal.org, key_id=key_id)
    db.commit()
    return _done(principal, "/admin", notice=f"已吊销密钥 {key.prefix}…。")


# -- one user -------------------------------------------------------------------------------------------
def _user_page(
    request: Request, principal: Principal, db: Db, user_id: str, status_code: int = 200, **extra: Any
) -> Response:
    try:
        user = accounts.get_user(db, org=principal.org, user_id=user_id)
    except accounts.AccountError as exc:
        return error_page(request, principal, status_of(exc), str(exc))
    flash = flashes.take(_owner(principal)) or {}
    context = {
        "user": user,
        "notice": flash.get("notice"),
        "error": None,
        "form": {"display_name": user.display_name, "role": user.role},
        "is_self": user.id == principal.user.id if principal.user else False,
        **extra,
    }
    return render(request, "admin_user.html", context, principal, status_code=status_code)


@router.get("/admin/users/{user_id}")
def user_page(request: Request, user_id: str, principal: MaybePrincipal, db: Db) -> Response:
    if (refused := denied(request, principal, role="admin")) is not None:
        return refused
    assert principal is not None
    return _user_page(request, principal, db, user_id)


@router.post("/admin/users/{user_id}")
def edit_user(
    request: Request,
    user_id: str,
    auth: FormCaller,
    db: Db,
    display_name: Annotated[str, Form(max_length=120)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    refused, principal = _admin(request, auth)
    if refused is not None:
        return refused
    assert principal.user is not None
    try:
        user = accounts.update_user(
            db, org=principal.org, actor=principal.user, user_id=user_id, display_name=display_name, role=role
        )
    except accounts.AccountError as exc:
        db.rollback()
        form = {"display_name": display_name, "role": role}
        return _user_page(request, principal, db, user_id, status_of(exc), error=str(exc), form=form)
    db.commit()
    return _done(principal, f"/admin/users/{user.id}", notice="已保存。")


@router.post("/admin/users/{user_id}/active")
def set_active(
    request: Request,
    user_id: str,
    auth: FormCaller,
    db: Db,
    active: Annotated[str, Form(max_length=1)] = "",
    confirm: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    refused, principal = _admin(request, auth)
    if refused is not None:
        return refused
    assert principal.user is not None
    enable = active == "1"
    try:
        user = accounts.get_user(db, org=principal.org, user_id=user_id)
        if not enable and confirm != CONFIRMED:
            return _confirm_page(
                request,
                principal,
                title="停用用户",
                message=f"确定停用「{user.display_name}」({user.username})吗?停用后 TA 立即退出登录、不能再登录;"
                "已有的对练记录和评分都会保留,以后可以重新启用。",
                action=f"/admin/users/{user.id}/active",
                button="确认停用",
                back=f"/admin/users/{user.id}",
            )
        accounts.set_active(db, org=principal.org, actor=principal.user, user_id=user_id, active=enable)
    except accounts.AccountError as exc:
        db.rollback()
        return _user_page(request, principal, db, user_id, status_of(exc), error=str(exc))
    db.commit()
    notice = "已重新启用,TA 可以再次登录。" if enable else "已停用:TA 已退出登录,不能再登录;记录都保留。"
    return _done(principal, f"/admin/users/{user.id}", notice=notice)


@router.post("/admin/users/{user_id}/password")
def reset_password(
    request: Request,
    user_id: str,
    auth: FormCaller,
    db: Db,
    password: Annotated[str, Form(max_length=200)] = "",
    password2: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    refused, principal = _admin(request, auth)
    if refused is not None:
        return refused
    if password != password2:
        return _user_page(request, principal, db, user_id, 422, error="两次输入的新密码不一致")
    try:
        user = accounts.reset_password(db, org=principal.org, user_id=user_id, password=password)
    except accounts.AccountError as exc:
        db.rollback()
        return _user_page(request, principal, db, user_id, status_of(exc), error=str(exc))
    db.commit()
    return _done(principal, f"/admin/users/{user.id}", notice="新密码已生效,TA 原来的登录都已退出。")


# -- LMS delivery ---------------------------------------------------------------------------------------
@router.get("/admin/lms")
def lms_page(request: Request, principal: MaybePrincipal, db: Db) -> Response:
    if (refused := denied(request, principal, role="admin")) is not None:
        return refused
    assert principal is not None
    return _lms_page(request, principal)


def _lms_page(request: Request, principal: Principal, status_code: int = 200, **extra: Any) -> Response:
    org = principal.org
    flash = flashes.take(_owner(principal)) or {}
    context = {
        "form": {"lrs_endpoint": org.lrs_endpoint or "", "webhook_url": org.webhook_url or ""},
        "has_lrs_auth": bool(org.lrs_auth),
        "has_webhook_secret": bool(org.webhook_secret),
        "notice": flash.get("notice"),
        "error": None,
        **extra,
    }
    return render(request, "admin_lms.html", context, principal, status_code=status_code)


@router.post("/admin/lms")
def save_lms(
    request: Request,
    auth: FormCaller,
    db: Db,
    lrs_endpoint: Annotated[str, Form(max_length=500)] = "",
    lrs_auth: Annotated[str, Form(max_length=500)] = "",
    clear_lrs_auth: Annotated[str, Form(max_length=1)] = "",
    webhook_url: Annotated[str, Form(max_length=500)] = "",
    webhook_secret: Annotated[str, Form(max_length=200)] = "",
    clear_webhook_secret: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    refused, principal = _admin(request, auth)
    if refused is not None:
        return refused
    # The secrets are never shown back: an empty field keeps the stored one, the checkbox clears it.
    org = db.merge(principal.org)
    try:
        accounts.configure_lms(
            org,
            lrs_endpoint=lrs_endpoint,
            lrs_auth="" if clear_lrs_auth else (lrs_auth or None),
            webhook_url=webhook_url,
            webhook_secret="" if clear_webhook_secret else (webhook_secret or None),
        )
    except accounts.AccountError as exc:
        db.rollback()
        db.refresh(org)
        message = str(exc).replace("lrs_endpoint", "LRS 地址").replace("webhook_url", "webhook 地址")
        form = {"lrs_endpoint": lrs_endpoint, "webhook_url": webhook_url}
        return _lms_page(request, principal, 422, error=message, form=form)
    db.commit()
    return _done(principal, "/admin/lms", notice="成绩投递设置已保存。")
