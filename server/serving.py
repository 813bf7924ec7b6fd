"""Checks made once before `peilian serve` starts its worker processes, so that a bad configuration ends in
one line on stderr instead of N tracebacks."""

from __future__ import annotations

from peilian.settings import Settings


class ServeConfigError(ValueError):
    """The server cannot start with these settings; the message is one line."""


def check_serving(settings: Settings) -> None:
    """Connect and migrate the database, refuse several workers on SQLite, reach Redis when configured."""
    from server.db.engine import DatabaseConfigError
    from server.db.migrate import connect
    from server.limits import Limits, LimitsConfigError

    try:
        engine = connect(settings.sqlalchemy_url)
    except DatabaseConfigError as exc:
        raise ServeConfigError(str(exc)) from None
    try:
        if settings.workers > 1 and engine.dialect.name != "postgresql":
            raise ServeConfigError(
                f"--workers {settings.workers} 需要 PostgreSQL(PEILIAN_DATABASE_URL):"
                "SQLite 只能由一个进程写入,请去掉 --workers 或改用 PostgreSQL"
            )
        try:
            Limits.from_settings(settings, engine).close()
        except LimitsConfigError as exc:
            raise ServeConfigError(str(exc)) from None
    finally:
        engine.dispose()
