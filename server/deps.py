"""Request dependencies, all in one place, as `Annotated` aliases for the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from server.state import AppState


def get_state(request: Request) -> AppState:
    return request.app.state.peilian


State = Annotated[AppState, Depends(get_state)]
