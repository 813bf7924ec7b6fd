"""Benchmark the LLM voice's own cost: time to first chunk through the voice vs. straight from the server.

    .venv/bin/python benchmarks/bench_llm_voice.py [--runs 40] [--first-token-ms 50] [--token-ms 5]

A stub OpenAI-compatible server (tests/customer/voices/stub_openai.py) on 127.0.0.1 streams a reply after a
simulated time to first token. In the same run and over the same loopback it measures the time to the first
content chunk (1) with a raw HTTP client, (2) with the OpenAI SDK and (3) through `LLMVoice.stream` (prompt
rendering, LangChain's ChatOpenAI, output cleaning). Target (issue): the voice adds < 30 ms to the model's
own time to first token, i.e. median(3) - median(1) < 30 ms. Also: import costs, and the prompt build and
cleaning per reply. Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from customer.cards import get_card  # noqa: E402
from customer.decision import Decision  # noqa: E402
from customer.voices.cleaning import clean_reply  # noqa: E402
from tests.customer.voices.helpers import voice_input  # noqa: E402
from tests.customer.voices.stub_openai import StubOpenAI  # noqa: E402

REPLY = "嗯，你说吧，什么事？我这边一会儿还要开会，你长话短说。"


def import_ms(module: str) -> float:
    """Wall time of importing `module` in a fresh interpreter (minus the interpreter's start-up)."""
    code = f"import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def stats(values: list[float]) -> str:
    values = sorted(values)
    p90 = values[int(0.9 * (len(values) - 1))]
    return f"median {statistics.median(values):7.1f} ms   p90 {p90:7.1f} ms   min {values[0]:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--first-token-ms", type=float, default=50.0, help="the simulated model's TTFT")
    parser.add_argument("--token-ms", type=float, default=5.0, help="delay between streamed chunks")
    args = parser.parse_args()

    import httpx
    from openai import OpenAI

    from customer.voices.llm import llm_voice_from_settings
    from peilian.settings import Settings

    card = get_card("gov-meeting-room")
    data = voice_input(
        card,
        Decision("answer", facts=("n2",)),
        earned=("n1",),
        conversation=[
            ("customer", card.customer.greeting[0]),
            ("rep", "王主任您好，我是华声会议系统的客户经理李明。"),
            ("customer", "嗯，你说。"),
            ("rep", "现在的话筒用下来，有什么毛病吗？"),
        ],
    )

    with StubOpenAI(
        reply=REPLY,
        first_token_delay=args.first_token_ms / 1000,
        token_delay=args.token_ms / 1000,
        chunk_chars=2,
    ) as stub:
        settings = Settings(
            OPENAI_API_KEY="sk-bench",
            OPENAI_BASE_URL=stub.base_url,
            llm_model="normal",
            llm_timeout=10.0,
            llm_max_retries=0,
        )
        voice = llm_voice_from_settings(settings)
        payload = {
            "model": "normal",
            "stream": True,
            "messages": [
                {
                    "role": {"system": "system", "human": "user", "ai": "assistant"}[m.type],
                    "content": m.content,
                }
                for m in voice.messages(data)
            ],
        }
        http = httpx.Client(timeout=10.0)
        sdk = OpenAI(api_key="sk-bench", base_url=stub.base_url, max_retries=0)

        def raw_http() -> float:
            start = time.perf_counter()
            with http.stream("POST", f"{stub.base_url}/chat/completions", json=payload) as response:
                for line in response.iter_lines():
                    if line.startswith("data: {") and json.loads(line[6:])["choices"][0]["delta"].get(
                        "content"
                    ):
                        return (time.perf_counter() - start) * 1000
            raise RuntimeError("no content")

        def openai_sdk() -> float:
            start = time.perf_counter()
            stream = sdk.chat.completions.create(**payload)
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    elapsed = (time.perf_counter() - start) * 1000
                    stream.close()
                    return elapsed
            raise RuntimeError("no content")

        def through_voice() -> float:
            start = time.perf_counter()
            chunks = voice.stream(data)
            next(chunks)
            elapsed = (time.perf_counter() - start) * 1000
            for _ in chunks:  # drain, so the result is recorded and the connection reused
                pass
            assert voice.last_result is not None and voice.last_result.voice == "llm", voice.last_result
            return elapsed

        ways: dict[str, Callable[[], float]] = {
            "raw HTTP (httpx)": raw_http,
            "OpenAI SDK": openai_sdk,
            "LLMVoice.stream": through_voice,
        }
        times: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(3):  # warm up: connections, imports, template cache
            for fn in ways.values():
                fn()
        for _ in range(args.runs):  # interleaved, so drift hits all three alike
            for name, fn in ways.items():
                times[name].append(fn())

        build = []
        for _ in range(200):
            start = time.perf_counter()
            voice.messages(data)
            build.append((time.perf_counter() - start) * 1000)
        raw = "王主任：“" + REPLY + "”（看了看表）"
        start = time.perf_counter()
        for _ in range(1000):
            clean_reply(raw, own_labels=("王主任",), rep_labels=("销售",))
        clean_ms = time.perf_counter() - start

    print(f"time to first chunk, stub TTFT {args.first_token_ms:.0f} ms, {args.runs} runs each (loopback):")
    for name, values in times.items():
        print(f"  {name:<18} {stats(values)}")
    overhead = statistics.median(times["LLMVoice.stream"]) - statistics.median(times["raw HTTP (httpx)"])
    sdk_part = statistics.median(times["OpenAI SDK"]) - statistics.median(times["raw HTTP (httpx)"])
    print(
        f"  overhead of the voice vs raw HTTP: {overhead:+.1f} ms (target < 30 ms; of which OpenAI SDK "
        f"{sdk_part:+.1f} ms)"
    )
    print(f"prompt build (LLMVoice.messages): {stats(build)}")
    print(f"output cleaning of one reply: {clean_ms:.3f} ms")
    print(
        f"import customer.voices.llm: {import_ms('customer.voices.llm'):.0f} ms   "
        f"(langchain_openai on first LLM use: {import_ms('langchain_openai'):.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
