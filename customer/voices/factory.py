"""Choosing the customer's voice from `--voice` and the settings (CONTRACT §2).

    voice = make_voice("llm", settings=get_settings())    # LLMVoice if configured, else ScriptedVoice
    voice_meta(voice)                                     # {"voice": "llm" | "scripted" | "none", ...}

The scripted path imports no LangChain, OpenAI or Jinja; those load only when an LLM voice is built.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from customer.voices.base import Voice

if TYPE_CHECKING:
    from customer.voices.result import VoiceResult
    from peilian.settings import Settings

VOICES: tuple[str, ...] = ("scripted", "llm", "auto")
log = logging.getLogger("peilian.voice")


def make_voice(
    kind: str | None = None,
    *,
    settings: Settings | None = None,
    on_result: Callable[[VoiceResult], None] | None = None,
) -> Voice:
    """ "scripted" (or None/""): ScriptedVoice. "llm": LLMVoice (ChatOpenAI from the settings, scripted
    fallback per turn) when OPENAI_API_KEY and PEILIAN_LLM_MODEL are set, else ScriptedVoice with a logged
    warning. "auto": the same as "llm". Raises ValueError for another name."""
    from customer.voices.scripted import ScriptedVoice

    if kind not in (None, "", *VOICES):
        raise ValueError(f"未知的语音:{kind}(可用:scripted、llm)")
    if kind in (None, "", "scripted"):
        return ScriptedVoice()
    if settings is None:
        from peilian.settings import get_settings

        settings = get_settings()
    if not settings.llm_configured:
        if kind == "llm":
            log.warning(
                "LLM voice requested but OPENAI_API_KEY / PEILIAN_LLM_MODEL are not set: scripted voice"
            )
        return ScriptedVoice()
    from customer.voices.llm import llm_voice_from_settings

    return llm_voice_from_settings(settings, on_result=on_result)


def voice_meta(voice: Voice) -> dict[str, Any]:
    """The meta of the voice's latest reply: LLMVoice's `last_result.meta()`, else {"voice": "scripted"}."""
    result = getattr(voice, "last_result", None)
    if result is not None:
        return result.meta()
    return {"voice": getattr(voice, "name", "scripted")}
