"""usernames unique per organisation, not across all of them

Revision ID: 0004_usernames_per_org
Revises: 0003_adjusted_overall
Create Date: 2026-12-10 10:00:00

Two organisations may each have a `zhang.wei`; creating a user answers 409 only for a name taken in the
admin's own organisation. The old unique constraint on `users.username` is unnamed in 0001: PostgreSQL
called it `users_username_key`, SQLite gave it no name, so it is looked up (and, on SQLite, named through a
naming convention for the batch copy). An index on `username` keeps logins (by username alone) fast.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_usernames_per_org"
down_revision = "0003_adjusted_overall"
branch_labels = None
depends_on = None

CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_constraint() -> str:
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints("users"):
        if constraint["column_names"] == ["username"] and constraint.get("name"):
            return constraint["name"]
    return "uq_users_username"  # unnamed (SQLite): the name CONVENTION gives it


def _check_no_cascade() -> None:
    """On SQLite the batch copy drops `users`: with foreign keys on, every login and session would go too."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "0004 needs PRAGMA foreign_keys=OFF on SQLite (server/db/migrations/env.py sets it)"
        )


def upgrade() -> None:
    _check_no_cascade()
    old = _old_constraint()
    with op.batch_alter_table("users", naming_convention=CONVENTION) as batch_op:
        batch_op.drop_constraint(old, type_="unique")
        batch_op.create_unique_constraint("uq_users_org_username", ["org_id", "username"])
        batch_op.create_index("ix_users_username", ["username"], unique=False)


def downgrade() -> None:
    _check_no_cascade()
    with op.batch_alter_table("users", naming_convention=CONVENTION) as batch_op:
        batch_op.drop_index("ix_users_username")
        batch_op.drop_constraint("uq_users_org_username", type_="unique")
        batch_op.create_unique_constraint("uq_users_username", ["username"])
