"""Rules every piece of text from outside must meet before it reaches the database.

PostgreSQL refuses a NUL character (`\\x00`) in text with an error, and SQLite stores it but cuts strings at
it elsewhere; no field of ours has a use for one. The API's request bodies check it in their schema, the
query, path and form fields in one request dependency (server/deps.py), uploaded cards in
services/scenarios.py; all of them use `has_nul`.
"""

from __future__ import annotations

NUL = "\x00"
NUL_MESSAGE = "不能包含 NUL 字符(\\x00)"
MAX_MESSAGE_CHARS = 300  # an error message never carries more than this, whatever the caller sent


def has_nul(value: object) -> bool:
    """Whether a string, or any key or value inside nested dicts and lists, contains a NUL character."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


def clip(message: str) -> str:
    """At most `MAX_MESSAGE_CHARS` of an error message (which may quote a field or value the caller sent)."""
    return message if len(message) <= MAX_MESSAGE_CHARS else message[: MAX_MESSAGE_CHARS - 1] + "…"
