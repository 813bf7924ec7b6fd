"""shared limits: rate-limit buckets and failed logins that several server processes count together

Revision ID: 0007_shared_limits
Revises: 0004_usernames_per_org
Create Date: 2026-12-02 01:10:00

Used only with several workers on PostgreSQL and no Redis (server/limits); created on every backend so
that the schema is the same everywhere.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_shared_limits"
down_revision = "0006_card_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_rate_buckets",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_shared_rate_buckets_at", "shared_rate_buckets", ["at"], unique=False)
    op.create_table(
        "shared_login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_shared_login_failures_at", "shared_login_failures", ["at"], unique=False)
    op.create_index("ix_shared_login_failures_key_at", "shared_login_failures", ["key", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_shared_login_failures_key_at", table_name="shared_login_failures")
    op.drop_index("ix_shared_login_failures_at", table_name="shared_login_failures")
    op.drop_table("shared_login_failures")
    op.drop_index("ix_shared_rate_buckets_at", table_name="shared_rate_buckets")
    op.drop_table("shared_rate_buckets")
