"""Alembic, driven from code: `upgrade(engine)` brings any database to the newest schema.

The migration scripts live in server/db/migrations/versions; `alembic.ini` at the top level points there
for developers who want the `alembic` command itself (e.g. `alembic revision --autogenerate`).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """On PostgreSQL under an advisory lock: workers starting at once upgrade one after the other."""
    if engine.dialect.name != "postgresql":
        command.upgrade(alembic_config(engine), revision)
        return
    from server.db.locks import MIGRATIONS, advisory_lock

    with advisory_lock(engine, MIGRATIONS, 0):
        command.upgrade(alembic_config(engine), revision)


def connect(url: str) -> Engine:
    """An engine on `url` with the schema brought up to date; DatabaseConfigError (one line) when the
    database cannot be reached or used."""
    from sqlalchemy.exc import SQLAlchemyError

    from server.db.engine import DatabaseConfigError, make_engine

    engine = make_engine(url)
    try:
        upgrade(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        detail = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0]
        raise DatabaseConfigError(
            f"无法使用数据库 {engine.url.render_as_string(hide_password=True)}:{detail}"
        ) from exc
    return engine
