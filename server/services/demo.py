"""The demo organisation and its three accounts (`peilian admin demo`, `make run`); the login page names
them when they exist. Idempotent: what already exists is kept as it is."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import Organization, User
from server.services import accounts

DEMO_ORG = "demo"
DEMO_PASSWORD = "peilian-demo"
DEMO_USERS = (
    ("demo-rep", "演示销售 小陈", "rep"),
    ("demo-trainer", "演示培训师 王老师", "trainer"),
    ("demo-admin", "演示管理员", "admin"),
)


def ensure_demo(db: Session) -> Organization:
    """The demo organisation with the three demo users, creating whichever is missing (flushed, not committed)."""
    org = accounts.get_organization(db, slug=DEMO_ORG) or accounts.create_organization(
        db, name="演示组织", slug=DEMO_ORG
    )
    existing = {u.username for u in accounts.list_users(db, org=org)}
    for username, display, role in DEMO_USERS:
        if username not in existing:
            accounts.create_user(
                db, org=org, username=username, role=role, password=DEMO_PASSWORD, display_name=display
            )
    return org


def demo_hint(db: Session) -> dict[str, str] | None:
    """The demo logins to show on the login page, only when `ensure_demo` created them."""
    names = [u for u, _, _ in DEMO_USERS]
    found = set(db.scalars(select(User.username).where(User.username.in_(names))))
    return {"users": " / ".join(n for n in names if n in found), "password": DEMO_PASSWORD} if found else None
