"""The one application factory: `create_app()` builds the FastAPI app (UI + `/api/v1`).

The lifespan opens the clients the app holds for its whole life (settings, the book index, the scenario
cards; later the database and the LLM) and keeps them on `app.state`; tests build the app with their own
settings or fakes through the same factory.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from peilian import __version__
from peilian.settings import Settings, get_settings
from server.api.errors import install_error_handlers
from server.api.routes import (
    admin,
    assignments,
    auth,
    calls,
    health,
    knowledge,
    labels,
    reports,
    review,
    scenarios,
    sessions,
)
from server.deps import refuse_nul
from server.middleware import AccessLog, BodySizeLimit, SecurityHeaders
from server.state import AppState
from web import STATIC_DIR
from web import routes as web_routes

log = logging.getLogger("peilian.server")


def tune_concurrency(settings: Settings) -> None:
    """Fewer worker threads and a shorter GIL switch interval: the turns are short CPU bursts, and with
    many threads contending the event loop waits up to 5 ms for the GIL after every network read."""
    import sys

    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
    sys.setswitchinterval(settings.gil_switch_ms / 1000)


def create_app(settings: Settings | None = None, **overrides: Any) -> FastAPI:
    """Build the app. `overrides` replace the clients the lifespan would open (e.g. `book_index=fake`)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tune_concurrency(settings)
        state = AppState.open(settings, **overrides)
        app.state.peilian = state
        state.start()
        log.info("peilian ready", extra={"data_dir": str(settings.data_dir)})
        try:
            yield
        finally:
            await state.aclose()

    app = FastAPI(
        title="Peilian 陪练 API",
        version=__version__,
        description="价值型销售对练:场景、对练会话、评分卡与知识库检索。",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    web_routes.install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_kb * 1024)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AccessLog)
    app.include_router(health.router)
    for module in (auth, admin, scenarios, sessions, review, labels, reports, knowledge, assignments, calls):
        app.include_router(module.router, prefix="/api/v1", dependencies=[Depends(refuse_nul)])
    app.include_router(web_routes.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
