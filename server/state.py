"""What the app holds for its lifetime, opened once by the lifespan (see server/app.py)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from peilian.settings import Settings
from server.db.engine import make_sessionmaker
from server.db.migrate import connect, upgrade
from server.middleware import RateLimiter

if TYPE_CHECKING:
    from knowledge.index import BookIndex


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    sessionmaker: sessionmaker[Session]
    rate_limiter: RateLimiter
    overrides: dict[str, Any] = field(default_factory=dict)
    _book_index: BookIndex | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: Settings, **overrides: Any) -> AppState:
        """Create the data directory, connect and migrate the database; other clients open lazily."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = overrides.pop("engine", None)
        if engine is None:
            engine = connect(settings.sqlalchemy_url)
        else:
            upgrade(engine)
        return cls(settings=settings, engine=engine, sessionmaker=make_sessionmaker(engine),
                   rate_limiter=RateLimiter(settings.rate_limit_per_minute),
                   overrides=overrides, _book_index=overrides.get("book_index"))

    @property
    def book_index(self) -> BookIndex:
        """The book index, opened (and built if missing or stale) on first use."""
        with self._lock:
            if self._book_index is None:
                from knowledge import open_index

                self._book_index = open_index(self.settings)
            return self._book_index

    def close(self) -> None:
        self._book_index = None
        self.engine.dispose()
