"""Organisations, users, browser logins and API keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from peilian.errors import Conflict, Family, Invalid, NotFound
from server.db.models import ApiKey, LoginSession, Organization, User, utcnow
from server.services.security import (
    MIN_PASSWORD_LENGTH,
    dummy_password_hash,
    hash_password,
    new_token,
    token_hash,
    verify_password,
)

ROLES = ("rep", "trainer", "admin")
API_KEY_PREFIX = "pl_"
LOGIN_LIFETIME = timedelta(days=7)
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,120}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class AccountError(Family, ValueError):
    """A request about accounts that cannot be carried out; the message is one line for the user."""

    code = "account_error"


def create_organization(db: Session, *, name: str, slug: str) -> Organization:
    if not _SLUG.match(slug):
        raise AccountError.kind(Invalid)("组织标识只能包含小写字母、数字和连字符(2–63 个字符)")
    if db.scalar(select(Organization).where(Organization.slug == slug)):
        raise AccountError.kind(Conflict)(f"组织 {slug} 已存在")
    org = Organization(name=name.strip() or slug, slug=slug)
    db.add(org)
    db.flush()
    return org


def get_organization(db: Session, *, slug: str) -> Organization | None:
    return db.scalar(select(Organization).where(Organization.slug == slug))


def create_user(
    db: Session,
    *,
    org: Organization,
    username: str,
    role: str,
    password: str | None,
    display_name: str = "",
    external_id: str | None = None,
) -> User:
    if role not in ROLES:
        raise AccountError.kind(Invalid)(f"角色必须是 {'/'.join(ROLES)} 之一")
    if not _USERNAME.match(username):
        raise AccountError.kind(Invalid)("用户名须为 3–120 个字母、数字或 _.@-")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError.kind(Invalid)(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    if db.scalar(select(User.id).where(User.org_id == org.id, User.username == username)):
        raise AccountError.kind(Conflict)(
            f"用户名 {username} 已被使用"
        )  # in this organisation: others' names stay unknown
    user = User(
        org_id=org.id,
        username=username,
        role=role,
        display_name=display_name.strip() or username,
        password_hash=hash_password(password) if password else None,
        external_id=external_id,
    )
    db.add(user)
    db.flush()
    return user


class AmbiguousLogin(AccountError, Conflict):
    """The username and password fit accounts in several organisations: the organisation must be named."""


MAX_NAMESAKES = 5  # accounts of one username (in different organisations) a password is tried against


def authenticate(db: Session, *, username: str, password: str, org_slug: str | None = None) -> User | None:
    """The active user with this username (in `org_slug`'s organisation when given) and password, or None.

    Usernames are unique per organisation. An unknown username (or one without a password, such as an LMS
    learner) costs one password hash all the same, so the time of the answer does not tell whether it
    exists. `AmbiguousLogin` when the password fits namesakes in several organisations."""
    query = select(User).where(User.username == username, User.active.is_(True))
    if org_slug is not None:
        query = query.join(Organization, Organization.id == User.org_id).where(Organization.slug == org_slug)
    candidates = [
        u for u in db.scalars(query.order_by(User.created_at).limit(MAX_NAMESAKES)) if u.password_hash
    ]
    if not candidates:
        verify_password(password, dummy_password_hash())
        return None
    matches = [u for u in candidates if verify_password(password, u.password_hash)]
    if len(matches) > 1:
        raise AmbiguousLogin("这个用户名在多个组织中都有,请同时填写组织标识")
    return matches[0] if matches else None


@dataclass(frozen=True)
class NewLogin:
    token: str
    csrf_token: str
    expires_at: datetime


def start_login(db: Session, *, user: User, now: datetime | None = None) -> NewLogin:
    now = now or utcnow()
    token, csrf = new_token(), new_token()
    db.add(
        LoginSession(
            token_hash=token_hash(token), user_id=user.id, csrf_token=csrf, expires_at=now + LOGIN_LIFETIME
        )
    )
    db.flush()
    return NewLogin(token, csrf, now + LOGIN_LIFETIME)


def resolve_login(
    db: Session, *, token: str, now: datetime | None = None
) -> tuple[User, LoginSession] | None:
    login = db.get(LoginSession, token_hash(token))
    if login is None:
        return None
    expires = (
        login.expires_at
        if login.expires_at.tzinfo
        else login.expires_at.replace(tzinfo=(now or utcnow()).tzinfo)
    )
    if expires <= (now or utcnow()):
        db.delete(login)
        return None
    user = db.get(User, login.user_id)
    return (user, login) if user and user.active else None


def end_login(db: Session, *, token: str) -> None:
    login = db.get(LoginSession, token_hash(token))
    if login is not None:
        db.delete(login)


@dataclass(frozen=True)
class NewApiKey:
    key: ApiKey
    secret: str  # shown once, never stored


def create_api_key(db: Session, *, org: Organization, name: str) -> NewApiKey:
    secret = new_token(API_KEY_PREFIX)
    key = ApiKey(org_id=org.id, name=name.strip() or "LMS", prefix=secret[:10], key_hash=token_hash(secret))
    db.add(key)
    db.flush()
    return NewApiKey(key, secret)


def resolve_api_key(db: Session, *, secret: str, now: datetime | None = None) -> ApiKey | None:
    key = db.scalar(select(ApiKey).where(ApiKey.key_hash == token_hash(secret)))
    if key is None or key.revoked_at is not None:
        return None
    now = now or utcnow()
    last = key.last_used_at
    if (
        last is None
        or (now - (last if last.tzinfo else last.replace(tzinfo=now.tzinfo))).total_seconds() > 60
    ):
        key.last_used_at = now  # at most once a minute: not a database write on every request
    return key


def revoke_api_key(db: Session, *, org: Organization, key_id: str) -> ApiKey:
    key = db.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.org_id == org.id))
    if key is None:
        raise AccountError.kind(NotFound)(f"API 密钥 {key_id} 不存在", code="not_found")
    key.revoked_at = key.revoked_at or utcnow()
    return key


def list_api_keys(db: Session, *, org: Organization) -> list[ApiKey]:
    return list(db.scalars(select(ApiKey).where(ApiKey.org_id == org.id).order_by(ApiKey.created_at)))


def list_users(db: Session, *, org: Organization) -> list[User]:
    return list(db.scalars(select(User).where(User.org_id == org.id).order_by(User.created_at)))


def get_or_create_external_user(
    db: Session, *, org: Organization, external_id: str, display_name: str
) -> User:
    """The learner an LMS names by its own id; created (without a password) on first use."""
    user = db.scalar(select(User).where(User.org_id == org.id, User.external_id == external_id))
    if user is None:
        username = f"{org.slug}:{token_hash(external_id)[:16]}"
        user = User(
            org_id=org.id,
            username=username,
            role="rep",
            display_name=display_name or external_id,
            external_id=external_id,
        )
        db.add(user)
        db.flush()
    return user


LMS_FIELDS = ("lrs_endpoint", "lrs_auth", "webhook_url", "webhook_secret")


def configure_lms(org: Organization, **fields: str | None) -> Organization:
    """Set an organisation's LMS targets: None leaves a field, "" clears it; URLs must be http(s)."""
    for name, value in fields.items():
        if name not in LMS_FIELDS or value is None:
            continue
        value = value.strip()
        if value and name in ("lrs_endpoint", "webhook_url") and not re.match(r"^https?://[^\s/]+", value):
            raise AccountError.kind(Invalid)(
                f"{name} 必须是 http:// 或 https:// 开头的地址", code="invalid_lms"
            )
        setattr(org, name, value or None)
    return org


# -- administration of users (the admin page) -------------------------------------------------------------
def get_user(db: Session, *, org: Organization, user_id: str) -> User:
    user = db.scalar(select(User).where(User.id == user_id, User.org_id == org.id))
    if user is None:  # another organisation's user is as unknown as a missing one
        raise AccountError.kind(NotFound)(f"用户 {user_id} 不存在", code="account_error")
    return user


def end_logins(db: Session, *, user: User) -> int:
    """Log the user out everywhere (their browser logins end at once); the number of logins ended."""
    logins = list(db.scalars(select(LoginSession).where(LoginSession.user_id == user.id)))
    for login in logins:
        db.delete(login)
    db.flush()
    return len(logins)


def update_user(
    db: Session, *, org: Organization, actor: User, user_id: str, display_name: str, role: str
) -> User:
    """Change a user's display name and role. An admin cannot change their own role (nobody is left
    without an admin by mistake)."""
    user = get_user(db, org=org, user_id=user_id)
    if role not in ROLES:
        raise AccountError(f"角色必须是 {'/'.join(ROLES)} 之一")
    if user.id == actor.id and role != user.role:
        raise AccountError("不能修改自己的角色,请让另一位管理员来改")
    name = display_name.strip()
    if not name:
        raise AccountError("显示名不能为空")
    if len(name) > 120:
        raise AccountError("显示名最多 120 个字符")
    user.display_name, user.role = name, role
    db.flush()
    return user


def set_active(db: Session, *, org: Organization, actor: User, user_id: str, active: bool) -> User:
    """Disable or enable a user. A disabled user cannot log in, their logins end at once, an LMS cannot
    start sessions for them; their sessions and scores stay."""
    user = get_user(db, org=org, user_id=user_id)
    if user.id == actor.id and not active:
        raise AccountError("不能停用自己的账号")
    user.active = active
    if not active:
        end_logins(db, user=user)
    db.flush()
    return user


def reset_password(db: Session, *, org: Organization, user_id: str, password: str) -> User:
    """An admin sets a new password; the user's logins end (whoever knew the old one is logged out)."""
    user = get_user(db, org=org, user_id=user_id)
    if user.external_id is not None and user.password_hash is None:
        raise AccountError("LMS 学员通过 LMS 进入,没有密码")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    user.password_hash = hash_password(password)
    end_logins(db, user=user)
    return user
