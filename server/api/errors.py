"""Every error leaves the API as JSON `{"error": {"code", "message"}}` with a 4xx status, never a 500 page
for bad input; an unexpected failure is logged and answered with a generic 500 JSON body."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from peilian.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PeilianError,
    TooMany,
    Unauthorized,
)
from server.api.schemas import ErrorOut
from server.services.inputs import clip

log = logging.getLogger("peilian.server")


class ApiError(Exception):
    """The routes' own carrier: an HTTP status, a stable code and a message for people. Services raise the
    hierarchy of peilian/errors.py instead; `api_error` turns one into this."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


# The one place an error's kind becomes an HTTP status (a plain domain error, of no kind, is bad input).
STATUS: dict[type[PeilianError], int] = {
    BadRequest: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
    TooMany: 429,
}


def status_of(exc: PeilianError) -> int:
    """The HTTP status of an error of the hierarchy: its first kind in method resolution order."""
    return next((STATUS[k] for k in type(exc).__mro__ if k in STATUS), 422)


def api_error(exc: PeilianError) -> ApiError:
    """The API's answer to an error of the hierarchy (for a route that must answer it itself)."""
    headers = {"Retry-After": str(int(exc.retry_after))} if exc.retry_after else None
    return ApiError(status_of(exc), exc.code, exc.message or str(exc), headers=headers)


def error_body(code: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, **extra}}


ANSWERS = {
    400: "请求体无法解析(如 JSON 嵌套过深),或这个调用方不能这样做(如用 API 密钥调用 /auth/me)",
    401: "未登录、登录已过期,或 API 密钥无效",
    403: "没有权限(角色不够、不是会话本人)、缺少 CSRF 令牌,或跨站请求",
    404: "不存在,或调用方看不到",
    409: "与当前状态冲突(如会话已结束、用户名已被使用)",
    413: "请求体过大(PEILIAN_MAX_REQUEST_KB)",
    422: "请求无效:缺少字段、类型不对(不做类型转换)、超出范围或含 NUL 字符",
    429: "请求过于频繁或登录失败次数过多;Retry-After 给出等待秒数",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each status with the one error schema (`ErrorOut`)."""
    return {status: {"model": ErrorOut, "description": ANSWERS[status]} for status in sorted(set(statuses))}


# What a route of `/api/v1` may answer whatever it does: a reading one (not logged in, a bad or NUL query,
# too often) and a changing one (also: a body that does not parse or is too large, no CSRF token, not
# allowed). Routes add 404 and 409.
READ = (401, 422, 429)
WRITE = (400, 401, 403, 413, 422, 429)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, clip(exc.message)), status_code=exc.status, headers=exc.headers
        )

    @app.exception_handler(PeilianError)
    async def _refused(request: Request, exc: PeilianError) -> JSONResponse:
        return await _api_error(request, api_error(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        problem = str(first.get("msg", "请求无效")).removeprefix("Value error, ")
        message = f"{where}: {problem}" if where else "请求无效"
        return JSONResponse(error_body("invalid_request", clip(message)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            404: "not_found",
            405: "method_not_allowed",
            401: "unauthorized",
            403: "forbidden",
            413: "too_large",
        }.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal_error", "服务器内部错误"), status_code=500)
