"""Suite-wide fixtures: every test runs offline, against its own data directory, never the user's."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def session_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("peilian-data")


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, session_data_dir: Path) -> Iterator[None]:
    """Point the settings at a throwaway data directory and drop any real LLM configuration."""
    from peilian.settings import get_settings

    monkeypatch.setenv("PEILIAN_DATA_DIR", str(session_data_dir))
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "PEILIAN_LLM_MODEL",
        "PEILIAN_OPENAI_API_KEY",
        "PEILIAN_OPENAI_BASE_URL",
        "PEILIAN_DATABASE_URL",
        "PEILIAN_EMBEDDINGS",
    ):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run the real console entry point in process: `run_cli("classify", input="...")`."""
    from peilian.cli import main

    def run(*args: str, input: str = "") -> CliResult:
        monkeypatch.setattr(sys, "argv", ["peilian", *args])
        monkeypatch.setattr(sys, "stdin", io.StringIO(input))
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run
