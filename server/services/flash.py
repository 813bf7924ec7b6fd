"""One-time messages between a form's POST and the GET it redirects to (POST → redirect → GET).

A new API key's secret must be shown once and never put in a URL; reloading the page after 生成密钥 must not
make a second key. The POST keeps the secret here, under the login it was made for, and redirects; the
GET takes it (and so removes it). Kept in memory for `TTL_S` seconds at most: right for one server process,
like the login throttle (services/login.py); a restart loses an untaken message, never a key."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from server.services.security import token_hash

TTL_S = 600.0
MAX_ITEMS = 10_000


class FlashStore:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._items: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(owner: str) -> str:
        return token_hash(owner)  # the login's token itself is never a key of a long-lived dict

    def put(self, owner: str, message: dict[str, Any]) -> None:
        now = self.clock()
        with self._lock:
            for key in [k for k, (t, _) in self._items.items() if t <= now - TTL_S]:
                del self._items[key]
            while len(self._items) >= MAX_ITEMS:
                del self._items[next(iter(self._items))]
            self._items[self._key(owner)] = (now, message)

    def take(self, owner: str) -> dict[str, Any] | None:
        """The owner's message, once: a second take (a reload) finds nothing."""
        with self._lock:
            found = self._items.pop(self._key(owner), None)
        if found is None or found[0] <= self.clock() - TTL_S:
            return None
        return found[1]


flashes = FlashStore()
