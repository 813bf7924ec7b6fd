"""What one reply of a voice was made of: `VoiceResult`, and the classification of an LLM failure.

The server stores `VoiceResult.meta()` in the customer message's meta, so a reviewer can see which voice
spoke and why the LLM was not used. No LangChain/OpenAI import: failures are classified by class name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

FallbackReason = Literal[
    "timeout", "server_error", "http_error", "connection", "malformed", "empty", "prompt_error", "error"
]


@dataclass(frozen=True)
class VoiceResult:
    """One reply and how it was made. `voice` is who spoke: "llm", "scripted" (the fallback) or "none"
    (the conversation is over). `fallback` is the reason the LLM was not used, `error` a one-line detail."""

    text: str
    voice: Literal["llm", "scripted", "none"]
    fallback: FallbackReason | None = None
    error: str | None = None
    interrupted: bool = False  # the LLM failed mid-stream: its partial text was shown before the fallback
    model: str | None = None
    first_chunk_ms: float | None = None
    total_ms: float = 0.0

    def meta(self) -> dict[str, Any]:
        """JSON-serialisable fields for the message's meta (never the prompt or any fact text)."""
        return {
            "voice": self.voice,
            "model": self.model,
            "fallback": self.fallback,
            "error": self.error,
            "interrupted": self.interrupted,
            "first_chunk_ms": None if self.first_chunk_ms is None else round(self.first_chunk_ms, 1),
            "total_ms": round(self.total_ms, 1),
        }


def classify_failure(exc: BaseException) -> tuple[FallbackReason, str]:
    """(reason, one-line detail) of a model failure. Matches class names, so OpenAI/httpx stay unimported."""
    names = {k.__name__ for k in type(exc).__mro__}
    status = getattr(exc, "status_code", None)
    reason: FallbackReason
    if names & {"APITimeoutError", "TimeoutException", "TimeoutError"}:
        reason = "timeout"
    elif "APIStatusError" in names and isinstance(status, int):
        reason = "server_error" if status >= 500 else "http_error"
    elif names & {"APIConnectionError", "TransportError", "ConnectionError"}:
        reason = "connection"
    elif names & {
        "JSONDecodeError",
        "APIResponseValidationError",
        "ValidationError",
        "ValueError",
        "KeyError",
        "TypeError",
        "AttributeError",
        "IndexError",
    }:
        reason = "malformed"
    else:
        reason = "error"
    text = " ".join(str(exc).split())
    detail = (
        f"{type(exc).__name__}"
        + (f"({status})" if isinstance(status, int) else "")
        + (f": {text}" if text else "")
    )
    return reason, detail[:200]
