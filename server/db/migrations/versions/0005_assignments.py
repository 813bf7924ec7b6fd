"""assignments and exams: assignments, their targets, a rep's team, a session's assignment

Revision ID: 0005_assignments
Revises: 0004_usernames_per_org
Create Date: 2026-12-02 01:00:00

New tables `assignments` and `assignment_targets`; new nullable columns `users.team`,
`practice_sessions.assignment_id` and `practice_sessions.facts_released_at`. Nothing stored changes: old
sessions belong to no assignment, old users to no team.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_assignments"
down_revision = "0004_usernames_per_org"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=32), nullable=False),
        sa.Column("scenario_id", sa.String(length=120), nullable=False),
        sa.Column("difficulty", sa.String(length=16), nullable=False),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exam", sa.Boolean(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assignments_org_id", "assignments", ["org_id"])
    op.create_table(
        "assignment_targets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("assignment_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("team", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assignment_targets_assignment_id", "assignment_targets", ["assignment_id"])
    op.create_index("ix_assignment_targets_user_id", "assignment_targets", ["user_id"])
    op.create_index("ix_assignment_targets_team", "assignment_targets", ["team"])
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("team", sa.String(length=120), nullable=True))
        batch_op.create_index("ix_users_team", ["team"])
    with op.batch_alter_table("practice_sessions") as batch_op:
        batch_op.add_column(sa.Column("assignment_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("facts_released_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_practice_sessions_assignment_id", ["assignment_id"])
        batch_op.create_foreign_key(
            "fk_practice_sessions_assignment_id",
            "assignments",
            ["assignment_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("practice_sessions") as batch_op:
        batch_op.drop_constraint("fk_practice_sessions_assignment_id", type_="foreignkey")
        batch_op.drop_index("ix_practice_sessions_assignment_id")
        batch_op.drop_column("facts_released_at")
        batch_op.drop_column("assignment_id")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_index("ix_users_team")
        batch_op.drop_column("team")
    op.drop_index("ix_assignment_targets_team", "assignment_targets")
    op.drop_index("ix_assignment_targets_user_id", "assignment_targets")
    op.drop_index("ix_assignment_targets_assignment_id", "assignment_targets")
    op.drop_table("assignment_targets")
    op.drop_index("ix_assignments_org_id", "assignments")
    op.drop_table("assignments")
