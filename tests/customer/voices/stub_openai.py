"""A small OpenAI-compatible chat server for the LLM voice's tests and benchmark (127.0.0.1 only).

    with StubOpenAI() as stub:                      # uvicorn in a background thread, on a free port
        ChatOpenAI(base_url=stub.base_url, model="echo", api_key="x", max_retries=0)

POST /v1/chat/completions, plain JSON or SSE streaming (`"stream": true`). The request's `model` picks the
behaviour, so tests need no shared switch: normal (replies `stub.reply`), echo (replies the whole prompt),
slow (waits `stub.slow_seconds` first), fail500 (HTTP 500 with `retry-after-ms: 1`), malformed (invalid JSON),
empty (""), midfail (streams two chunks, then invalid JSON), stall (streams one chunk, then hangs).
`stub.hits[model]` counts the requests seen; `stub.requests` keeps their bodies.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

REPLY = "王主任：“嗯，你说吧，什么事？”"


class StubOpenAI:
    def __init__(
        self,
        *,
        reply: str = REPLY,
        slow_seconds: float = 2.0,
        first_token_delay: float = 0.0,
        token_delay: float = 0.0,
        chunk_chars: int = 2,
    ) -> None:
        self.reply, self.slow_seconds = reply, slow_seconds
        self.first_token_delay, self.token_delay, self.chunk_chars = (
            first_token_delay,
            token_delay,
            chunk_chars,
        )
        self.hits: Counter[str] = Counter()
        self.requests: list[dict[str, Any]] = []
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> StubOpenAI:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))  # the server takes the bound socket: no race for the port
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app(), log_level="error", lifespan="off", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("stub OpenAI server did not start")
            time.sleep(0.005)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=5)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> Response:
            body = await request.json()
            mode = str(body.get("model", "normal"))
            self.hits[mode] += 1
            self.requests.append(body)
            if mode == "fail500":
                return JSONResponse(
                    {"error": {"message": "boom", "type": "server_error"}},
                    status_code=500,
                    headers={"retry-after-ms": "1"},
                )  # the client retries at once
            if mode == "slow":
                await asyncio.sleep(self.slow_seconds)
            text = {"echo": echo(body), "empty": ""}.get(mode, self.reply)
            if not body.get("stream"):
                if mode == "malformed":
                    return Response('{"choices": [{"message": ', media_type="application/json")
                return JSONResponse(completion(text, mode))
            return StreamingResponse(self._sse(text, mode), media_type="text/event-stream")

        return app

    async def _sse(self, text: str, mode: str) -> AsyncIterator[str]:
        if mode == "malformed":
            yield "data: {not json\n\n"
            return
        await asyncio.sleep(self.first_token_delay)
        size = 64 if mode == "echo" else self.chunk_chars  # an echoed prompt is long: fewer, bigger chunks
        pieces = [text[i : i + size] for i in range(0, len(text), size)]
        for n, piece in enumerate(pieces):
            if n and self.token_delay:
                await asyncio.sleep(self.token_delay)
            if mode == "midfail" and n == 2:
                yield 'data: {"choices": [{"delta": \n\n'
                return
            yield event(piece, mode, role=n == 0)
            if mode == "stall":
                await asyncio.sleep(self.slow_seconds)
        yield event("", mode, finish="stop")
        yield "data: [DONE]\n\n"


def echo(body: dict[str, Any]) -> str:
    """Every message of the prompt, as one text: what a model that repeats its prompt would say."""
    return "\n".join(str(m.get("content") or "") for m in body.get("messages", []))


def completion(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def event(piece: str, model: str, *, role: bool = False, finish: str | None = None) -> str:
    delta: dict[str, Any] = {"content": piece} if piece or not finish else {}
    if role:
        delta["role"] = "assistant"
    chunk = {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
