"""Administration of the caller's organisation: users and API keys (admins only)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import Field

from server.api.errors import READ, WRITE, ApiError, api_error, error_responses, status_of
from server.api.schemas import (
    ApiKeyIn,
    ApiKeyOut,
    LmsIn,
    LmsOut,
    NewApiKeyOut,
    Strict,
    UserIn,
    UserOut,
    user_out,
)
from server.deps import Admin, Db
from server.services import accounts

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get(
    "/users", summary="组织内的用户", response_model=list[UserOut], responses=error_responses(*READ, 403)
)
def list_users(principal: Admin, db: Db) -> list[UserOut]:
    return [user_out(u) for u in accounts.list_users(db, org=principal.org)]


@router.post(
    "/users",
    summary="新建用户(用户名在本组织内唯一)",
    response_model=UserOut,
    status_code=201,
    responses=error_responses(*WRITE, 409),
)
def create_user(body: UserIn, principal: Admin, db: Db) -> UserOut:
    try:
        user = accounts.create_user(
            db,
            org=principal.org,
            username=body.username,
            role=body.role,
            password=body.password,
            display_name=body.display_name,
        )
    except accounts.AccountError as exc:
        raise api_error(exc) from None
    db.commit()
    db.refresh(user)
    return user_out(user)


class UserPatch(Strict):
    """What an admin may change of a user; a field left out is unchanged."""

    display_name: str | None = Field(default=None, min_length=1, max_length=120)
    role: Literal["rep", "trainer", "admin"] | None = None
    active: bool | None = Field(default=None, description="false 停用(不能登录,记录保留),true 重新启用")


class PasswordIn(Strict):
    password: str = Field(min_length=8, max_length=200)


@router.patch(
    "/users/{user_id}",
    summary="修改用户的显示名、角色,或停用/启用(停用的用户立即退出登录,记录保留)",
    response_model=UserOut,
    responses=error_responses(*WRITE, 404),
)
def patch_user(user_id: str, body: UserPatch, principal: Admin, db: Db) -> UserOut:
    assert principal.user is not None  # Admin: a logged-in admin, never an API key
    try:
        user = accounts.get_user(db, org=principal.org, user_id=user_id)
        if body.display_name is not None or body.role is not None:
            accounts.update_user(
                db,
                org=principal.org,
                actor=principal.user,
                user_id=user_id,
                display_name=body.display_name if body.display_name is not None else user.display_name,
                role=body.role or user.role,
            )
        if body.active is not None:
            accounts.set_active(
                db, org=principal.org, actor=principal.user, user_id=user_id, active=body.active
            )
    except accounts.AccountError as exc:
        db.rollback()
        raise ApiError(status_of(exc), "account_error", str(exc)) from None
    db.commit()
    db.refresh(user)
    return user_out(user)


@router.put(
    "/users/{user_id}/password",
    summary="重置用户的密码(TA 原来的登录全部退出)",
    response_model=UserOut,
    responses=error_responses(*WRITE, 404),
)
def put_password(user_id: str, body: PasswordIn, principal: Admin, db: Db) -> UserOut:
    try:
        user = accounts.reset_password(db, org=principal.org, user_id=user_id, password=body.password)
    except accounts.AccountError as exc:
        db.rollback()
        raise ApiError(status_of(exc), "account_error", str(exc)) from None
    db.commit()
    db.refresh(user)
    return user_out(user)


@router.get(
    "/api-keys",
    summary="组织的 API 密钥(不含密钥本身)",
    response_model=list[ApiKeyOut],
    responses=error_responses(*READ, 403),
)
def list_keys(principal: Admin, db: Db) -> list[ApiKeyOut]:
    return [
        ApiKeyOut.model_validate(k, from_attributes=True)
        for k in accounts.list_api_keys(db, org=principal.org)
    ]


@router.post(
    "/api-keys",
    summary="新建 API 密钥(只显示一次)",
    response_model=NewApiKeyOut,
    status_code=201,
    responses=error_responses(*WRITE),
)
def create_key(body: ApiKeyIn, principal: Admin, db: Db) -> NewApiKeyOut:
    new = accounts.create_api_key(db, org=principal.org, name=body.name)
    db.commit()
    return NewApiKeyOut(
        **ApiKeyOut.model_validate(new.key, from_attributes=True).model_dump(), key=new.secret
    )


@router.delete(
    "/api-keys/{key_id}",
    summary="吊销 API 密钥",
    response_model=ApiKeyOut,
    responses=error_responses(*WRITE, 404),
)
def revoke_key(key_id: str, principal: Admin, db: Db) -> ApiKeyOut:
    try:
        key = accounts.revoke_api_key(db, org=principal.org, key_id=key_id)
    except accounts.AccountError as exc:
        raise api_error(exc) from None
    db.commit()
    return ApiKeyOut.model_validate(key, from_attributes=True)


def _lms_out(org) -> LmsOut:  # noqa: ANN001 - an Organization
    return LmsOut(
        lrs_endpoint=org.lrs_endpoint,
        lrs_auth_set=bool(org.lrs_auth),
        webhook_url=org.webhook_url,
        webhook_secret_set=bool(org.webhook_secret),
    )


@router.get(
    "/lms",
    summary="组织的 LMS 投递设置(不含密钥)",
    response_model=LmsOut,
    responses=error_responses(*READ, 403),
)
def get_lms(principal: Admin) -> LmsOut:
    return _lms_out(principal.org)


@router.put(
    "/lms", summary="设置 xAPI LRS 与 webhook", response_model=LmsOut, responses=error_responses(*WRITE)
)
def put_lms(body: LmsIn, principal: Admin, db: Db) -> LmsOut:
    org = db.merge(principal.org)
    try:
        accounts.configure_lms(org, **body.model_dump())
    except accounts.AccountError as exc:
        raise api_error(exc) from None
    db.commit()
    return _lms_out(org)
