"""Engine and sessions. SQLite gets WAL, foreign keys and a busy timeout, so that concurrent requests
wait for each other instead of failing; PostgreSQL is used as it comes."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from peilian.errors import Invalid


class DatabaseConfigError(Invalid):
    """The database URL cannot be used; the message is one line."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError with a long text
        raise DatabaseConfigError(f"PEILIAN_DATABASE_URL 无法解析:{url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # More connections than the thread pool has threads (anyio: 40): a request that holds one while it
        # waits for a thread must never starve the thread that holds the next one. SQLite ones are cheap.
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=50,
            max_overflow=50,
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver we ship
    try:
        return create_engine(parsed, pool_pre_ping=True, pool_size=20, max_overflow=40, **kwargs)
    except Exception as exc:  # unknown dialect or driver
        raise DatabaseConfigError(f"PEILIAN_DATABASE_URL 不可用:{parsed.drivername}({exc})") from exc


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    maker = sessionmaker(engine, expire_on_commit=False)
    if engine.dialect.name == "sqlite":
        _serialise_sqlite_writes(maker)
    return maker


def _serialise_sqlite_writes(maker: sessionmaker[Session]) -> None:
    """SQLite has one writer at a time, and its busy handler makes the others sleep in growing steps
    (up to 100 ms a try): under load that turns into long tails. Writers of this process queue on a
    Python lock instead, held from a session's first flush to the end of its transaction. (pysqlite begins
    the database transaction at the first write, so reads never hold it.)"""
    lock = threading.Lock()

    @event.listens_for(maker, "before_flush")
    def _acquire(session: Session, _context: Any, _instances: Any) -> None:
        if not session.info.get("sqlite_write_lock"):
            lock.acquire()
            session.info["sqlite_write_lock"] = True

    @event.listens_for(maker, "after_transaction_end")
    def _release(session: Session, transaction: Any) -> None:
        if transaction.parent is None and session.info.pop("sqlite_write_lock", False):
            lock.release()
