"""Fixtures for the LMS delivery tests.

`db` runs each outbox test on SQLite and on PostgreSQL: the `database_url` fixture of tests/server/conftest.py
gives a throwaway PostgreSQL database (skipped, with the reason, when 127.0.0.1:5432 is not reachable) and
empties its tables after each test. The schema is made by the real migrations.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from lms_support import Receiver
from sqlalchemy.orm import Session, sessionmaker

from server.db.engine import make_engine, make_sessionmaker
from server.db.migrate import upgrade


@pytest.fixture
def db_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def sqlite_db_factory(tmp_path) -> Iterator[sessionmaker[Session]]:
    """SQLite only, for tests of the worker's loop rather than of the database."""
    engine = make_engine(f"sqlite:///{tmp_path / 'lms.sqlite3'}")
    upgrade(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    # trust_env=False: no proxy from the environment may carry test traffic off loopback.
    with httpx.Client(timeout=5.0, trust_env=False) as client:
        yield client
