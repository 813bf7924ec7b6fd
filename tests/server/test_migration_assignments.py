"""Migration 0005: assignments arrive; every stored user, session and message stays as it was (SQLite, with
its batch copies of `users` and `practice_sessions`), and the downgrade takes it all away again."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from server.db.engine import make_engine
from server.db.migrate import alembic_config, upgrade


def test_upgrade_keeps_what_is_stored_and_downgrade_removes_the_tables(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0004_usernames_per_org")
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
        db.execute(
            text(
                "INSERT INTO practice_sessions (id, org_id, user_id, scenario_id, mode, voice, seed, status, "
                "engine_state, started_at, last_event_at, overall_score, scorecard, created_via) VALUES "
                "('s', 'o', 'u', 'gov-meeting-room', 'appointment', 'scripted', 0, 'ended', '{}', :t, :t, 69, :c, 'web')"
            ),
            {"t": now, "c": json.dumps({"scores": {"overall": 69}})},
        )
        db.execute(
            text(
                "INSERT INTO messages (session_id, seq, speaker, text, revealed, meta, created_at) "
                "VALUES ('s', 0, 'customer', '喂?', '[]', '{}', :t)"
            ),
            {"t": now},
        )
    upgrade(engine)
    with engine.connect() as db:
        session = db.execute(
            text("SELECT overall_score, assignment_id, facts_released_at FROM practice_sessions")
        ).one()
        assert tuple(session) == (69, None, None)
        assert db.execute(text("SELECT username, team FROM users")).one() == ("rep", None)
        assert db.execute(text("SELECT text FROM messages")).scalar() == "喂?"  # not lost to a cascade
    assert {"assignments", "assignment_targets"} <= set(inspect(engine).get_table_names())

    command.downgrade(alembic_config(engine), "0004_usernames_per_org")
    assert not {"assignments", "assignment_targets"} & set(inspect(engine).get_table_names())
    with engine.connect() as db:
        assert db.execute(text("SELECT overall_score FROM practice_sessions")).scalar() == 69
        assert db.execute(text("SELECT count(*) FROM messages")).scalar() == 1
    engine.dispose()
