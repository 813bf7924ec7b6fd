"""Migration 0006 on SQLite and PostgreSQL: sessions and cards stored before it keep working (no card
version: they use the card as it is now; not a real call; version 1, not retired), and it downgrades."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from server.db.engine import make_engine
from server.db.migrate import upgrade
from tests.server.conftest import PG_ADMIN_URL, _postgres_reachable


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    if reason := _postgres_reachable():
        pytest.skip(reason)
    name = f"peilian_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_old_rows_survive_0006_and_it_downgrades(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    upgrade(engine, "0004_usernames_per_org")
    now = "2026-12-01 09:00:00+00"
    with engine.begin() as db:
        db.execute(
            text("INSERT INTO organizations (id, name, slug, created_at) VALUES ('o', 'O', 'o', :t)"),
            {"t": now},
        )
        db.execute(
            text(
                "INSERT INTO users (id, org_id, username, display_name, role, active, created_at) "
                "VALUES ('u', 'o', 'rep', 'Rep', 'rep', true, :t)"
            ),
            {"t": now},
        )
        db.execute(
            text(
                "INSERT INTO practice_sessions (id, org_id, user_id, scenario_id, mode, voice, seed, status, "
                "engine_state, started_at, last_event_at, created_via) VALUES "
                "('s', 'o', 'u', 'gov-meeting-room', 'appointment', 'scripted', 0, 'active', '{}', :t, :t, 'web')"
            ),
            {"t": now},
        )
        db.execute(
            text(
                "INSERT INTO scenario_cards (id, org_id, card_id, yaml_text, created_at) "
                "VALUES ('c', 'o', 'own-card', 'id: own-card', :t)"
            ),
            {"t": now},
        )
    upgrade(engine)
    with engine.connect() as db:
        assert db.execute(text("SELECT card_hash, real_call FROM practice_sessions")).one() == (None, False)
        assert db.execute(text("SELECT version, retired_at FROM scenario_cards")).one() == (1, None)
        assert "card_versions" in inspect(db).get_table_names()
    upgrade_down(engine)
    with engine.connect() as db:
        assert "card_versions" not in inspect(db).get_table_names()
        columns = {c["name"] for c in inspect(db).get_columns("practice_sessions")}
        assert "real_call" not in columns and "card_hash" not in columns
        assert db.execute(text("SELECT id FROM practice_sessions")).scalar() == "s"
    engine.dispose()


def upgrade_down(engine) -> None:
    from alembic import command

    from server.db.migrate import alembic_config

    command.downgrade(alembic_config(engine), "0005_assignments")
