"""adjusted overall: the effective overall of a session after a trainer's adjustments

Revision ID: 0003_adjusted_overall
Revises: 0002_label_corrections
Create Date: 2026-12-08 10:00:00

`practice_sessions.adjusted_overall` is NULL until a trainer adjusts a score; then it holds the effective
overall (services/scores.py), so that lists filter and reports average on it in SQL. Sessions adjusted before
this revision are filled in by the same rule (`server.services.scores.effective_from`).
"""

from __future__ import annotations

from collections import namedtuple

import sqlalchemy as sa
from alembic import op

revision = "0003_adjusted_overall"
down_revision = "0002_label_corrections"
branch_labels = None
depends_on = None

sessions = sa.table(
    "practice_sessions",
    sa.column("id", sa.String),
    sa.column("mode", sa.String),
    sa.column("scorecard", sa.JSON),
    sa.column("adjusted_overall", sa.Integer),
)
adjustments = sa.table(
    "score_adjustments",
    sa.column("id", sa.Integer),
    sa.column("session_id", sa.String),
    sa.column("dimension", sa.String),
    sa.column("adjusted", sa.Integer),
)


# An adjustment as the scoring rule reads it (alembic loads this file outside sys.modules: no dataclass).
_Change = namedtuple("_Change", ["dimension", "adjusted"])


def upgrade() -> None:
    with op.batch_alter_table("practice_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adjusted_overall", sa.Integer(), nullable=True))
    bind = op.get_bind()
    from server.services.scores import effective_from  # the one rule, applied to the rows already there

    changes: dict[str, list[_Change]] = {}
    for session_id, dimension, adjusted in bind.execute(
        sa.select(adjustments.c.session_id, adjustments.c.dimension, adjustments.c.adjusted).order_by(
            adjustments.c.id
        )
    ):
        changes.setdefault(session_id, []).append(_Change(dimension, adjusted))
    if not changes:
        return
    rows = bind.execute(
        sa.select(sessions.c.id, sessions.c.mode, sessions.c.scorecard).where(
            sessions.c.id.in_(list(changes))
        )
    ).all()
    for session_id, mode, scorecard in rows:
        scores = (scorecard or {}).get("scores") or {}
        if scores:
            bind.execute(
                sessions.update()
                .where(sessions.c.id == session_id)
                .values(adjusted_overall=effective_from(mode, scores, changes[session_id]).overall)
            )


def downgrade() -> None:
    with op.batch_alter_table("practice_sessions", schema=None) as batch_op:
        batch_op.drop_column("adjusted_overall")
