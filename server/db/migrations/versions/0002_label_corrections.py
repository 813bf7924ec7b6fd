"""label corrections: a trainer's correction of a rep message's dialogue act

Revision ID: 0002_label_corrections
Revises: 0001
Create Date: 2026-12-01 20:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_label_corrections"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "label_corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("message_seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("act", sa.String(length=16), nullable=False),
        sa.Column("focus", sa.String(length=16), nullable=True),
        sa.Column("form", sa.String(length=16), nullable=True),
        sa.Column("elements", sa.JSON(), nullable=True),
        sa.Column("original", sa.JSON(), nullable=True),
        sa.Column("trainer_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["practice_sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["trainer_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("label_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_label_corrections_org_id"), ["org_id"], unique=False)
        batch_op.create_index("ix_label_corrections_session_seq", ["session_id", "message_seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("label_corrections", schema=None) as batch_op:
        batch_op.drop_index("ix_label_corrections_session_seq")
        batch_op.drop_index(batch_op.f("ix_label_corrections_org_id"))
    op.drop_table("label_corrections")
