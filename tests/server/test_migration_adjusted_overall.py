"""Migration 0003: sessions adjusted before it get their effective overall filled in, by the same rule."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from server.db.engine import make_engine
from server.db.migrate import upgrade

SCORES = {"overall": 69, "appointment": 80, "questioning": 60, "listening": 60, "commitment": 70}


def test_upgrade_fills_in_the_effective_overall_of_adjusted_sessions(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0002_label_corrections")
    now = "2026-12-01 09:00:00"
    with engine.begin() as db:
        db.execute(
            text("INSERT INTO organizations (id, name, slug, created_at) VALUES ('o', 'O', 'o', :t)"),
            {"t": now},
        )
        db.execute(
            text(
                "INSERT INTO users (id, org_id, username, display_name, role, active, created_at) "
                "VALUES ('u', 'o', 'rep', 'Rep', 'rep', 1, :t)"
            ),
            {"t": now},
        )
        for sid in ("dims", "direct", "plain"):
            db.execute(
                text(
                    "INSERT INTO practice_sessions (id, org_id, user_id, scenario_id, mode, voice, seed, status, "
                    "engine_state, started_at, last_event_at, overall_score, scorecard, created_via) VALUES "
                    "(:id, 'o', 'u', 'gov-meeting-room', 'appointment', 'scripted', 0, 'ended', '{}', :t, :t, 69, :card, 'web')"
                ),
                {"id": sid, "t": now, "card": json.dumps({"scores": SCORES})},
            )
        for sid, dimension, value in (
            ("dims", "listening", 20),
            ("dims", "listening", 100),
            ("direct", "overall", 90),
            ("direct", "commitment", 0),
        ):
            db.execute(
                text(
                    "INSERT INTO score_adjustments (session_id, dimension, original, adjusted, reason, "
                    "author_id, created_at) VALUES (:s, :d, 60, :v, 'r', 'u', :t)"
                ),
                {"s": sid, "d": dimension, "v": value, "t": now},
            )
    upgrade(engine)
    with engine.connect() as db:
        rows = dict(db.execute(text("SELECT id, adjusted_overall FROM practice_sessions")).all())
    assert rows == {"dims": 79, "direct": 90, "plain": None}
    engine.dispose()
