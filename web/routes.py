"""All pages, as one router for `server.app` to include. Every user-facing string is Chinese; Jinja2
autoescaping keeps user text inert; pages read the login from the cookie and send visitors to /login."""

from __future__ import annotations

from fastapi import APIRouter

from web.pages import auth, desk, home, manage, practice, sessions

router = APIRouter(include_in_schema=False)
for module in (auth, home, practice, sessions, desk, manage):
    router.include_router(module.router)
