"""The LLM voice with LangChain fakes: streaming, cleaning, fallback and how it is reported, voice choice."""

from __future__ import annotations

import json

import httpx
import pytest
from langchain_core.language_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from customer.decision import Decision
from customer.engine import Conversation
from customer.synthetic import cls
from customer.voices.base import Voice
from customer.voices.cleaning import TRAIL_OFF
from customer.voices.factory import make_voice, voice_meta
from customer.voices.llm import LLMNotConfiguredError, LLMVoice, llm_voice_from_settings
from customer.voices.result import VoiceResult, classify_failure
from customer.voices.scripted import ScriptedVoice
from peilian.settings import Settings
from tests.customer.voices.helpers import ScriptedChatModel, voice_input


def ack(card):
    return voice_input(
        card, Decision("ack_intro"), conversation=[("customer", "喂?"), ("rep", "您好,我是李明。")]
    )


def test_is_a_voice() -> None:
    assert isinstance(LLMVoice(FakeListChatModel(responses=["嗯。"])), Voice)


def test_stream_yields_chunks_as_they_arrive_and_cleans_them(gov_card) -> None:
    results: list[VoiceResult] = []
    voice = LLMVoice(
        FakeListChatModel(responses=["王主任：“嗯，你说吧，什么事？”（看表）"]), on_result=results.append
    )
    chunks = list(voice.stream(ack(gov_card)))
    assert len(chunks) > 5  # FakeListChatModel streams one character at a time
    assert "".join(chunks) == "嗯，你说吧，什么事？"
    result = voice.last_result
    assert results == [result] and result is not None
    assert (result.voice, result.fallback, result.text) == ("llm", None, "嗯，你说吧，什么事？")
    assert result.first_chunk_ms is not None and result.first_chunk_ms <= result.total_ms
    json.dumps(result.meta())


def test_speak_uses_one_call_and_cleans(gov_card) -> None:
    voice = LLMVoice(GenericFakeChatModel(messages=iter([AIMessage("客户：（笑）行，你说。")])))
    assert voice.speak(ack(gov_card)) == "行，你说。"
    assert voice.last_result is not None and voice.last_result.voice == "llm"


@pytest.mark.parametrize("streaming", [False, True])
def test_empty_after_cleaning_falls_back_to_scripted(gov_card, streaming: bool) -> None:
    voice = LLMVoice(FakeListChatModel(responses=["（沉默）"]))
    data = ack(gov_card)
    text = "".join(voice.stream(data)) if streaming else voice.speak(data)
    assert text == ScriptedVoice().speak(data)
    assert voice.last_result is not None
    assert (voice.last_result.voice, voice.last_result.fallback) == ("scripted", "empty")


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (TimeoutError("too slow"), "timeout"),
        (httpx.ConnectError("refused"), "connection"),
        (json.JSONDecodeError("bad", "{", 0), "malformed"),
        (RuntimeError("boom"), "error"),
    ],
)
@pytest.mark.parametrize("streaming", [False, True])
def test_model_failure_falls_back_and_says_why(
    gov_card, error: Exception, reason: str, streaming: bool
) -> None:
    voice = LLMVoice(ScriptedChatModel(chunks=[], error=error))
    data = ack(gov_card)
    text = "".join(voice.stream(data)) if streaming else voice.speak(data)
    assert text == ScriptedVoice().speak(data)
    meta = voice.last_result.meta() if voice.last_result else {}
    assert meta["voice"] == "scripted" and meta["fallback"] == reason and meta["error"]
    assert not meta["interrupted"]


def test_failure_mid_stream_keeps_what_was_shown_then_the_scripted_line(gov_card) -> None:
    voice = LLMVoice(ScriptedChatModel(chunks=["我们现在", "用的"], error=TimeoutError("stalled")))
    data = ack(gov_card)
    chunks = list(voice.stream(data))
    assert "".join(chunks) == "我们现在用的" + TRAIL_OFF + ScriptedVoice().speak(data)
    result = voice.last_result
    assert result is not None and result.interrupted and result.fallback == "timeout"
    assert result.text == "".join(chunks)


def test_stream_stops_reading_once_capped(gov_card) -> None:
    model = ScriptedChatModel(chunks=["这个嘛，说来话长。"] * 40)
    voice = LLMVoice(model, soft_chars=20)
    text = "".join(voice.stream(ack(gov_card)))
    assert len(text) <= 20 + 60 and text.endswith("。")
    assert model.pulled < 10


def test_the_ended_conversation_says_nothing_without_a_call(gov_card) -> None:
    model = ScriptedChatModel(chunks=["不该被调用"], error=AssertionError("called"))
    voice = LLMVoice(model)
    data = voice_input(gov_card, Decision("ended"))
    assert voice.speak(data) == "" and list(voice.stream(data)) == []
    assert voice.last_result is not None and voice.last_result.voice == "none" and model.pulled == 0


def test_drives_the_engine(gov_card) -> None:
    voice = LLMVoice(
        FakeListChatModel(responses=["喂，你好？", "嗯，你说。", "话筒老啸叫，修了几次都没修好。"])
    )
    conv = Conversation(gov_card, classifier=lambda text: cls("statement"), voice=voice)
    assert conv.opening.text == "喂，你好？"
    conv.rep_says("王主任您好，我是华声会议系统的客户经理李明。", classification=cls("statement"))
    conv.state.trust = 50
    reply = conv.rep_says("现在的话筒用下来，有什么毛病吗？", classification=cls("exploratory", "need"))
    assert reply.revealed == ["n2"] and reply.text == "话筒老啸叫，修了几次都没修好。"
    assert voice_meta(voice)["voice"] == "llm"


def test_classify_failure_names_the_reason() -> None:
    class APIStatusError(Exception):
        status_code = 503

    assert classify_failure(APIStatusError("unavailable")) == (
        "server_error",
        "APIStatusError(503): unavailable",
    )
    APIStatusError.status_code = 401
    assert classify_failure(APIStatusError("bad key"))[0] == "http_error"
    assert len(classify_failure(RuntimeError("x" * 500))[1]) == 200


def test_make_voice_and_settings() -> None:
    assert isinstance(make_voice(), ScriptedVoice) and isinstance(make_voice("scripted"), ScriptedVoice)
    unconfigured = Settings()
    assert isinstance(make_voice("llm", settings=unconfigured), ScriptedVoice)  # CONTRACT §2
    with pytest.raises(LLMNotConfiguredError):
        llm_voice_from_settings(unconfigured)
    with pytest.raises(ValueError, match="未知的语音"):
        make_voice("tts")
    configured = Settings(
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL="http://127.0.0.1:9/v1",
        llm_model="qwen-plus",
        llm_timeout=3.5,
        llm_max_retries=4,
    )
    voice = make_voice("llm", settings=configured)
    assert isinstance(voice, LLMVoice) and isinstance(voice.fallback, ScriptedVoice)
    model = voice.model
    assert (model.model_name, model.openai_api_base, model.request_timeout, model.max_retries) == (
        "qwen-plus",
        "http://127.0.0.1:9/v1",
        3.5,
        4,
    )
    assert voice_meta(make_voice("scripted")) == {"voice": "scripted"}
