"""`peilian serve` refuses, in one line and exit status 2, what several workers cannot run on."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    # serve --workers writes PEILIAN_WORKERS for its worker processes: restored after each test.
    for name in ("PEILIAN_WORKERS", "PEILIAN_REDIS_URL", "PEILIAN_LIMITS_BACKEND"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_several_workers_on_sqlite_are_refused(run_cli, tmp_path: Path) -> None:
    result = run_cli("serve", "--workers", "2")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "--workers 2" in result.stderr and "PostgreSQL" in result.stderr and "SQLite" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_redis_is_refused_before_start(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("PEILIAN_REDIS_URL", f"redis://127.0.0.1:{port}/0")
    result = run_cli("serve")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Redis" in result.stderr


def test_the_database_backend_on_sqlite_is_refused(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEILIAN_LIMITS_BACKEND", "database")
    result = run_cli("serve")
    assert result.exit_code == 2 and "PostgreSQL" in result.stderr
