"""PostgreSQL advisory locks, held on a connection of their own (autocommit) for a block of work.

Session-level locks outlive the commits inside the block, and PostgreSQL releases them when the
connection closes, so a process killed while holding one never leaves it held.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

TURNS = 0x5E11  # the first key of pg_advisory_lock(int, int): a practice session's turns
MIGRATIONS = 0x5E12  # the schema upgrade when a server starts


@contextmanager
def advisory_lock(engine: Engine, namespace: int, key: int) -> Iterator[None]:
    """Hold `pg_advisory_lock(namespace, key)` for the block (waits while another connection holds it)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SELECT pg_advisory_lock(:ns, :key)"), {"ns": namespace, "key": key})
        try:
            yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:ns, :key)"), {"ns": namespace, "key": key})
            except Exception:
                conn.invalidate()  # closing the connection releases the lock: never pool it still held
                raise
