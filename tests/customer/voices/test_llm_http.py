"""The LLM voice over real HTTP: ChatOpenAI from the settings against the stub server on 127.0.0.1."""

from __future__ import annotations

import socket
import time

import pytest

from customer.decision import Decision
from customer.voices.cleaning import TRAIL_OFF
from customer.voices.llm import LLMVoice, llm_voice_from_settings
from customer.voices.scripted import ScriptedVoice
from peilian.settings import Settings
from tests.customer.voices.helpers import voice_input
from tests.customer.voices.stub_openai import StubOpenAI


def http_voice(base_url: str, mode: str, *, timeout: float = 0.5, retries: int = 0) -> LLMVoice:
    settings = Settings(
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=base_url,
        llm_model=mode,
        llm_timeout=timeout,
        llm_max_retries=retries,
    )
    return llm_voice_from_settings(settings)


def ack(card):
    return voice_input(
        card, Decision("ack_intro"), conversation=[("customer", "喂?"), ("rep", "您好,我是李明。")]
    )


def run(voice: LLMVoice, data, streaming: bool) -> str:
    return "".join(voice.stream(data)) if streaming else voice.speak(data)


def test_normal_reply(stub: StubOpenAI, gov_card) -> None:
    voice = http_voice(stub.base_url, "normal")
    assert voice.speak(ack(gov_card)) == "嗯，你说吧，什么事？"
    assert voice.last_result is not None and voice.last_result.meta()["voice"] == "llm"
    body = stub.requests[-1]
    assert body["model"] == "normal" and not body.get("stream") and body["max_completion_tokens"] > 0
    roles = [m["role"] for m in body["messages"]]
    assert roles[0] == "system" and roles[1:] == ["user", "assistant", "user"]


def test_streaming_reply_arrives_in_chunks(stub: StubOpenAI, gov_card) -> None:
    voice = http_voice(stub.base_url, "normal")
    chunks = list(voice.stream(ack(gov_card)))
    assert len(chunks) >= 3 and "".join(chunks) == "嗯，你说吧，什么事？"
    assert stub.requests[-1]["stream"] is True and "stream_options" not in stub.requests[-1]
    result = voice.last_result
    assert result is not None and result.voice == "llm" and result.first_chunk_ms is not None


@pytest.mark.parametrize("streaming", [False, True])
def test_slow_server_times_out_retries_and_falls_back(stub: StubOpenAI, gov_card, streaming: bool) -> None:
    stub.hits.clear()
    voice = http_voice(stub.base_url, "slow", timeout=0.2, retries=1)
    data = ack(gov_card)
    started = time.perf_counter()
    assert run(voice, data, streaming) == ScriptedVoice().speak(data)
    assert time.perf_counter() - started < 1.4  # two 0.2 s attempts and one back-off, not the 1.5 s reply
    assert voice.last_result is not None and voice.last_result.fallback == "timeout"
    assert stub.hits["slow"] == 2


@pytest.mark.parametrize("streaming", [False, True])
def test_server_error_is_retried_then_falls_back(stub: StubOpenAI, gov_card, streaming: bool) -> None:
    stub.hits.clear()
    voice = http_voice(stub.base_url, "fail500", retries=2)
    data = ack(gov_card)
    assert run(voice, data, streaming) == ScriptedVoice().speak(data)
    assert stub.hits["fail500"] == 3  # one attempt and two retries
    meta = voice.last_result.meta() if voice.last_result else {}
    assert meta["fallback"] == "server_error" and "500" in meta["error"]


@pytest.mark.parametrize("streaming", [False, True])
@pytest.mark.parametrize("mode", ["malformed", "empty"])
def test_malformed_or_empty_response_falls_back(
    stub: StubOpenAI, gov_card, mode: str, streaming: bool
) -> None:
    voice = http_voice(stub.base_url, mode)
    data = ack(gov_card)
    assert run(voice, data, streaming) == ScriptedVoice().speak(data)
    assert voice.last_result is not None and voice.last_result.fallback == mode


@pytest.mark.parametrize("streaming", [False, True])
def test_connection_refused_falls_back(gov_card, streaming: bool) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nothing listens there
    voice = http_voice(f"http://127.0.0.1:{port}/v1", "normal")
    data = ack(gov_card)
    assert run(voice, data, streaming) == ScriptedVoice().speak(data)
    assert voice.last_result is not None and voice.last_result.fallback == "connection"


def test_stream_that_breaks_or_stalls_midway(gov_card) -> None:
    with StubOpenAI(reply="我们现在用的设备是八年前的，经常出问题。", slow_seconds=0.5) as stub:
        data = ack(gov_card)
        scripted = ScriptedVoice().speak(data)
        broken = http_voice(stub.base_url, "midfail")
        assert "".join(broken.stream(data)) == "我们现在" + TRAIL_OFF + scripted
        assert broken.last_result is not None and broken.last_result.interrupted
        assert broken.last_result.fallback == "malformed"
        stalled = http_voice(stub.base_url, "stall", timeout=0.2)
        assert "".join(stalled.stream(data)) == "我们" + TRAIL_OFF + scripted
        assert stalled.last_result is not None and stalled.last_result.fallback == "timeout"
