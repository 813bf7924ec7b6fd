"""Alembic environment: uses the engine handed over by server.db.migrate, or the URL in the config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from server.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch copy drops the old table; with foreign keys on, SQLite would cascade that drop to every
            # row referring to it. The pragma is ignored inside a transaction, so it comes first.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            # render_as_batch: SQLite cannot ALTER most things; batch mode copies the table instead.
            context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
