"""The one place a LangChain chat model is built from the settings (customer voice, Ask the book).

Any OpenAI-compatible endpoint: OpenAI, DeepSeek, Qwen, a local vLLM or Ollama (`OPENAI_BASE_URL`).
langchain_openai is imported here only, on first use (it costs ~1 s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from peilian.settings import Settings


class LLMNotConfiguredError(RuntimeError):
    """No API key or no model: callers fall back to what works offline."""


def chat_model_from_settings(
    settings: Settings, *, temperature: float, max_tokens: int, **options: Any
) -> BaseChatModel:
    if not settings.llm_configured:
        raise LLMNotConfiguredError("未配置 LLM:需要 OPENAI_API_KEY 和 PEILIAN_LLM_MODEL")
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model or "",  # set: llm_configured checked it
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        temperature=temperature,
        max_tokens=max_tokens,  # type: ignore[call-arg]  # a pydantic alias of max_completion_tokens
        stream_usage=False,  # some compatible servers refuse stream_options
        **options,
    )
