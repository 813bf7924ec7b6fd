"""One turn at a time per practice session across server processes: a PostgreSQL advisory lock.

A turn commits twice (the rep's message, then the reply), so a row lock, which ends with the first commit,
cannot cover it; a session-level advisory lock (server/db/locks.py) can, and dies with its connection if
the process is killed. SQLite needs none: it is one process, and the in-process lock of
services/practice.py serialises its turns.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from server.db.locks import TURNS, advisory_lock


def lock_key(name: str) -> int:
    """A 32-bit signed key for `name` (a collision only serialises two sessions' turns, never mixes them)."""
    value = zlib.crc32(name.encode())
    return value - (1 << 32) if value >= 1 << 31 else value


class TurnLocks:
    """Cross-process turn locks on a PostgreSQL engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def hold(self, session_id: str) -> Iterator[None]:
        with advisory_lock(self.engine, TURNS, lock_key(session_id)):
            yield
