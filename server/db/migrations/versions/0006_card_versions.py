"""card versions, retired cards and real calls

Revision ID: 0006_card_versions
Revises: 0004_usernames_per_org
Create Date: 2026-12-12 10:00:00

`card_versions` holds every card text a session was played on, keyed by the hash of its canonical text;
`practice_sessions.card_hash` names it (NULL for the sessions before: they use the card as it is now).
`scenario_cards.version` counts the editor's saves, `retired_at` takes a card out of the picker.
`practice_sessions.real_call` marks a scorecard of a real call's transcript.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_card_versions"
down_revision = "0005_assignments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_versions",
        sa.Column("content_hash", sa.String(length=64), primary_key=True),
        sa.Column("card_id", sa.String(length=120), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_card_versions_card_id", "card_versions", ["card_id"])
    with op.batch_alter_table("scenario_cards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("practice_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("real_call", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("practice_sessions", schema=None) as batch_op:
        batch_op.drop_column("real_call")
        batch_op.drop_column("card_hash")
    with op.batch_alter_table("scenario_cards", schema=None) as batch_op:
        batch_op.drop_column("retired_at")
        batch_op.drop_column("version")
    op.drop_index("ix_card_versions_card_id", table_name="card_versions")
    op.drop_table("card_versions")
