"""All pages, as one router for `server.app` to include. Every user-facing string is Chinese; Jinja2
autoescaping keeps user text inert; pages read the login from the cookie and send visitors to /login."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from web.pages import admin, assignments, auth, calls, cards, desk, home, manage, practice, progress, sessions
from web.pages.common import PageInputError, page_input_error, refuse_nul

router = APIRouter(include_in_schema=False)
for module in (auth, home, practice, sessions, progress, desk, manage, admin, assignments, cards, calls):
    router.include_router(module.router, dependencies=[Depends(refuse_nul)])


def install_error_handlers(app: FastAPI) -> None:
    """Errors of the pages' own dependencies come back as a page, not as the API's JSON."""
    app.add_exception_handler(PageInputError, page_input_error)
