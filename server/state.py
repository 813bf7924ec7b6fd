"""What the app holds for its lifetime, opened once by the lifespan (see server/app.py)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from peilian.settings import Settings

if TYPE_CHECKING:
    from knowledge.index import BookIndex


@dataclass
class AppState:
    settings: Settings
    _book_index: BookIndex | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: Settings, **overrides: Any) -> AppState:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return cls(settings=settings, _book_index=overrides.get("book_index"))

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
