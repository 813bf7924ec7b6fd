"""The LLM voice: the engine's decision put into words by a chat model, with the scripted voice as fallback.

    voice = llm_voice_from_settings(get_settings())          # ChatOpenAI on any OpenAI-compatible endpoint
    voice = LLMVoice(FakeListChatModel(responses=["嗯。"]))   # any LangChain BaseChatModel (tests)
    text = voice.speak(data)                                 # Voice protocol (customer/voices/base.py)
    for chunk in voice.stream(data): ...                     # text chunks as the model produces them
    voice.last_result.meta()                                 # which voice spoke, why it fell back: message meta

Contract: the prompt is built by customer.voices.prompting from an allow-list (no unearned fact can reach the
model). The reply is cleaned (customer.voices.cleaning). When the model fails — timeout, HTTP error after the
client's retries, connection refused, malformed response, any exception, or nothing left after cleaning — the
fallback voice (scripted by default) speaks that turn and the `VoiceResult` says so. A stream that fails after
some text was shown trails off ("……") and the fallback's reply follows (`interrupted=True`).
Importing this module imports neither LangChain nor OpenAI; they load on first use.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from customer.voices.base import Voice, VoiceInput
from customer.voices.cleaning import TRAIL_OFF, ReplyCleaner
from customer.voices.prompting import (
    SOFT_CHARS,
    PromptView,
    chat_turns,
    prompt_view,
    render_system,
    reply_caps,
    speaker_labels,
)
from customer.voices.result import FallbackReason, VoiceResult, classify_failure
from peilian.llm import LLMNotConfiguredError as LLMNotConfiguredError  # re-exported for callers
from peilian.llm import chat_model_from_settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

    from peilian.settings import Settings

log = logging.getLogger("peilian.voice")

HISTORY_TOKENS = 3000  # conversation budget of one prompt; older turns are dropped first
CHARS_PER_TOKEN = 1.5  # Chinese text: count_tokens_approximately's default of 4 would undercount
MAX_TOKENS = 256  # a customer's turn is short; also bounds a runaway generation
TEMPERATURE = 0.7


def _text(message: Any) -> str:
    """The text of a message or chunk: str content, or the text blocks of a list content."""
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            b if isinstance(b, str) else str(b.get("text") or "")
            for b in content
            if isinstance(b, str) or (isinstance(b, dict) and b.get("type", "text") == "text")
        )
    return ""


class LLMVoice:
    """`Voice` that asks a chat model. One instance may serve many conversations; `last_result` is the
    result of the latest reply of this instance (use `respond` or `on_result` when replies run concurrently)."""

    name = "llm"

    def __init__(
        self,
        model: BaseChatModel,
        *,
        fallback: Voice | None = None,
        model_name: str | None = None,
        soft_chars: int = SOFT_CHARS,
        max_chars: int | None = None,
        history_tokens: int = HISTORY_TOKENS,
        on_result: Callable[[VoiceResult], None] | None = None,
    ) -> None:
        """`model`: any LangChain chat model (timeouts and retries are its own: see `llm_voice_from_settings`).
        `fallback`: the voice for a failed turn (default ScriptedVoice). `soft_chars`/`max_chars`: length caps
        (past soft: stop at a sentence end; at max: cut), each plus room for the facts voiced; max defaults to
        soft + 60. `history_tokens`: the conversation's budget in the prompt. `on_result`: called with every
        VoiceResult."""
        if fallback is None:
            from customer.voices.scripted import ScriptedVoice

            fallback = ScriptedVoice()
        self.model = model
        self.fallback = fallback
        self.model_name = model_name or getattr(model, "model_name", None) or type(model).__name__
        self.soft_chars = soft_chars
        self.max_chars = max_chars
        self.history_tokens = history_tokens
        self.on_result = on_result
        self.last_result: VoiceResult | None = None

    # -- Voice protocol -----------------------------------------------------------------------------------
    def speak(self, data: VoiceInput) -> str:
        """The whole reply (a non-streaming model call)."""
        return self.respond(data).text

    def stream(self, data: VoiceInput) -> Iterator[str]:
        """The reply in chunks as the model produces them; the result is recorded when the stream ends."""
        start = time.perf_counter()
        if data.decision.move == "ended":
            self._record(VoiceResult("", "none", model=self.model_name))
            return
        try:
            messages, cleaner = self._prepare(data)
        except Exception as exc:  # a broken template must not end the practice session
            yield from self._fallback_stream(data, start, exc, "prompt_error")
            return
        shown: list[str] = []
        first: float | None = None
        failure: Exception | None = None
        source: Iterator[Any] | None = None
        try:
            source = iter(self.model.stream(messages))
            for chunk in source:
                piece = cleaner.feed(_text(chunk))
                if piece:
                    first = first or time.perf_counter()
                    shown.append(piece)
                    yield piece
                if cleaner.done:
                    break
            tail = cleaner.finish()
            if tail:
                first = first or time.perf_counter()
                shown.append(tail)
                yield tail
        except Exception as exc:  # any model failure falls back; the consumer's own errors never arrive here
            failure = exc
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                try:
                    close()  # stop reading (and close the HTTP response) once capped
                except Exception:  # the reply is complete: a failing close changes nothing
                    log.debug("closing the model stream failed", exc_info=True)
        text = "".join(shown).strip()
        if failure is None and text:
            self._record(
                VoiceResult(
                    text,
                    "llm",
                    model=self.model_name,
                    first_chunk_ms=_first(start, first),
                    total_ms=_ms(start),
                )
            )
            return
        if not shown:
            yield from self._fallback_stream(data, start, failure, None if failure else "empty")
            return
        yield TRAIL_OFF  # failed mid-reply: what was shown stays, the customer starts over
        rest = list(self.fallback.stream(data))
        yield from rest
        reason, detail = _why(failure, None if failure else "empty")
        log.warning("LLM voice interrupted (%s), scripted voice took over: %s", reason, detail)
        self._record(
            VoiceResult(
                "".join([*shown, TRAIL_OFF, *rest]),
                "scripted",
                reason,
                detail or None,
                True,
                self.model_name,
                _first(start, first),
                _ms(start),
            )
        )

    # -- more API -------------------------------------------------------------------------------------------
    def respond(self, data: VoiceInput) -> VoiceResult:
        """The whole reply with how it was made (also stored in `last_result`)."""
        start = time.perf_counter()
        if data.decision.move == "ended":
            return self._record(VoiceResult("", "none", model=self.model_name))
        try:
            messages, cleaner = self._prepare(data)
        except Exception as exc:
            return self._fallback(data, start, exc, "prompt_error")
        try:
            reply = self.model.invoke(messages)
        except Exception as exc:
            return self._fallback(data, start, exc, None)
        text = (cleaner.feed(_text(reply)) + cleaner.finish()).strip()
        if not text:
            return self._fallback(data, start, None, "empty")
        return self._record(VoiceResult(text, "llm", model=self.model_name, total_ms=_ms(start)))

    def messages(self, data: VoiceInput) -> list[BaseMessage]:
        """The exact prompt of this turn: one system message, then the conversation (newest turns kept
        within `history_tokens`), alternating user/assistant and ending with the rep's turn."""
        return self._messages(prompt_view(data, soft_chars=self.soft_chars))

    # -- internals ----------------------------------------------------------------------------------------
    def _prepare(self, data: VoiceInput) -> tuple[list[BaseMessage], ReplyCleaner]:
        view = prompt_view(data, soft_chars=self.soft_chars)
        soft, hard = reply_caps(view.facts, soft_chars=self.soft_chars, max_chars=self.max_chars)
        own, rep = speaker_labels(view)
        return self._messages(view), ReplyCleaner(
            own_labels=own, rep_labels=rep, soft_chars=soft, max_chars=hard
        )

    def _messages(self, view: PromptView) -> list[BaseMessage]:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
        from langchain_core.messages.utils import count_tokens_approximately

        turns = [HumanMessage(text) if role == "user" else AIMessage(text) for role, text in chat_turns(view)]
        kept: list[BaseMessage] = []
        used = 0.0
        for message in reversed(turns):
            cost = count_tokens_approximately([message], chars_per_token=CHARS_PER_TOKEN)
            if kept and used + cost > self.history_tokens:
                break
            kept.append(message)
            used += cost
        kept.reverse()
        while len(kept) > 1 and not isinstance(kept[0], HumanMessage):
            kept.pop(0)  # chat templates want the first turn to be the user's
        return [SystemMessage(render_system(view)), *kept]

    def _fallback(
        self, data: VoiceInput, start: float, exc: Exception | None, reason: FallbackReason | None
    ) -> VoiceResult:
        reason, detail = _why(exc, reason)
        log.warning("LLM voice failed (%s), scripted voice used: %s", reason, detail)
        text = self.fallback.speak(data)
        return self._record(
            VoiceResult(text, "scripted", reason, detail or None, model=self.model_name, total_ms=_ms(start))
        )

    def _fallback_stream(
        self, data: VoiceInput, start: float, exc: Exception | None, reason: FallbackReason | None
    ) -> Iterator[str]:
        reason, detail = _why(exc, reason)
        log.warning("LLM voice failed (%s), scripted voice used: %s", reason, detail)
        shown: list[str] = []
        first: float | None = None
        for piece in self.fallback.stream(data):
            first = first or time.perf_counter()
            shown.append(piece)
            yield piece
        self._record(
            VoiceResult(
                "".join(shown),
                "scripted",
                reason,
                detail or None,
                model=self.model_name,
                first_chunk_ms=_first(start, first),
                total_ms=_ms(start),
            )
        )

    def _record(self, result: VoiceResult) -> VoiceResult:
        self.last_result = result
        if self.on_result is not None:
            self.on_result(result)
        return result


def _why(exc: Exception | None, reason: FallbackReason | None) -> tuple[FallbackReason, str]:
    """The fallback reason: `reason` if given, else the classified exception; and the exception's detail."""
    if exc is None:
        return reason or "empty", ""
    found, detail = classify_failure(exc)
    return reason or found, detail


def _first(start: float, first: float | None) -> float | None:
    return None if first is None else _ms(start, first)


def _ms(start: float, end: float | None = None) -> float:
    """Milliseconds from `start` to `end` (default: now)."""
    return ((time.perf_counter() if end is None else end) - start) * 1000


def llm_voice_from_settings(
    settings: Settings | None = None, *, fallback: Voice | None = None, **options: Any
) -> LLMVoice:
    """An LLMVoice on `ChatOpenAI` from the settings: key, base URL (any OpenAI-compatible endpoint), model,
    timeout (per request, and between streamed chunks) and retries (the OpenAI client's, with back-off).
    Raises LLMNotConfiguredError without a key or model. `options` go to LLMVoice."""
    from peilian.settings import get_settings

    settings = settings or get_settings()
    model = chat_model_from_settings(settings, temperature=TEMPERATURE, max_tokens=MAX_TOKENS)
    return LLMVoice(model, fallback=fallback, model_name=settings.llm_model, **options)
