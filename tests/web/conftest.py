"""Fixtures for the web tests: the app on a fresh SQLite database with the demo accounts, for page tests
through the ASGI transport (fast), and a live server plus Debian's Chromium for the browser tests."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from peilian.settings import Settings
from server.app import create_app
from tests.web.support import post_login, seed_accounts


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop that async tests must not meet."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def web_settings(tmp_path: Path, session_data_dir: Path) -> Settings:
    # The book index lives in the shared data directory (built once); each test has its own database.
    return Settings(
        data_dir=session_data_dir, database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}", llm_model=None
    )


@pytest.fixture
async def web_app(web_settings: Settings) -> AsyncIterator:
    app = create_app(web_settings)
    async with app.router.lifespan_context(app):
        seed_accounts(app.state.peilian.engine)
        yield app


@pytest.fixture
async def client(web_app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web_app), base_url="http://test") as c:
        yield c


@pytest.fixture
def login(client: httpx.AsyncClient):
    """Log `client` in through the login form; returns the CSRF token for the forms that change things."""

    async def go(username: str) -> str:
        response = await post_login(client, username)
        assert response.status_code == 303, response.text
        return (await client.get("/api/v1/auth/me")).json()["csrf_token"]

    return go


# -- browser tests: a live server on loopback and Debian's Chromium -------------------------------------
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class LiveServer:
    url: str
    app: Any

    @property
    def state(self) -> Any:
        return self.app.state.peilian


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, session_data_dir: Path) -> Iterator[LiveServer]:
    """The real app under uvicorn in a background thread, on a free port, with its own database."""
    import uvicorn

    db = tmp_path_factory.mktemp("web-live") / "live.sqlite3"
    app = create_app(Settings(data_dir=session_data_dir, database_url=f"sqlite:///{db}", llm_model=None))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    seed_accounts(app.state.peilian.engine)
    app.state.peilian.book_index  # noqa: B018 - open (or build) the book index before the first search
    yield LiveServer(f"http://127.0.0.1:{port}", app)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright's sync API (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip(
            "/usr/bin/chromium is missing: run `make browser-deps` (apt-get install chromium fonts-wqy-microhei)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser tests save screenshots: $PEILIAN_SCREENSHOTS (e.g. docs/screenshots) or a temp dir."""
    target = os.environ.get("PEILIAN_SCREENSHOTS")
    path = Path(target) if target else tmp_path_factory.getbasetemp() / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
