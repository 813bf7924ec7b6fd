"""Administration of the caller's organisation: users and API keys (admins only)."""

from __future__ import annotations

from fastapi import APIRouter

from server.api.errors import READ, WRITE, api_error, error_responses
from server.api.schemas import ApiKeyIn, ApiKeyOut, LmsIn, LmsOut, NewApiKeyOut, UserIn, UserOut, user_out
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
