"""Real `peilian serve` processes on one PostgreSQL database, for the several-workers tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
PEILIAN = Path(sys.executable).parent / "peilian"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
STARTUP_S = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_or_skip() -> None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means: skip, with the reason
        pytest.skip(f"PostgreSQL not reachable at 127.0.0.1:5432 ({type(exc).__name__})")


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new PostgreSQL database, dropped afterwards (the server processes migrate it)."""
    postgres_or_skip()
    name = f"peilian_workers_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def server_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEILIAN_", "OPENAI_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        PEILIAN_DATA_DIR=str(data_dir),
        PEILIAN_DATABASE_URL=database_url,
        PEILIAN_LOG_LEVEL="warning",
        PEILIAN_WORKERS="2",  # two processes share the limits: counted in PostgreSQL
        NO_PROXY="*",
    )
    env.update(extra)
    return env


class Server:
    """One `peilian serve` process on a free port (its own `--workers`, default 1)."""

    def __init__(self, env: dict[str, str], log_dir: Path, *, workers: int | None = None) -> None:
        self.env, self.workers = env, workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        args = [str(PEILIAN), "serve", "--port", str(self.port)]
        if self.workers:
            args += ["--workers", str(self.workers)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2, trust_env=False).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"server did not answer within {STARTUP_S:.0f} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        """kill -9 of the whole process group (with --workers, the workers too)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def servers(env: dict[str, str], log_dir: Path, count: int = 2) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for _ in range(count):
            started.append(Server(env, log_dir).start())
        yield started
    finally:
        for server in started:
            server.stop()
