"""Liveness for load balancers and `make run` users."""

from __future__ import annotations

from fastapi import APIRouter

from peilian import __version__

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="服务是否在运行")
def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}
