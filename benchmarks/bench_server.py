"""Load benchmark of the practice API on loopback, against a bare FastAPI echo endpoint in the same run.

    .venv/bin/python benchmarks/bench_server.py [--sessions 100] [--messages 5]

Starts `peilian serve` (scripted voice, SQLite in a temp data directory) and a bare FastAPI echo app, each
with uvicorn in its own process on 127.0.0.1. Then N concurrent sessions (one LMS API key, one learner each)
each send M rep messages one after the other; every message is one POST whose JSON answer holds the
customer's reply. Three phases: realistic (a rep waits 4–16 s between messages: the golden silence, then
typing), busy (0–2 s) and burst (no wait at all). Prints p50/p95/p99 of the round trip, errors, and the ratio to the echo endpoint measured
the same way (same concurrency, same payload). Bounded: N×M requests, 120 s at most.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = [
    "王主任您好,我是华声会议系统的客户经理李明,想约您二十分钟聊聊会议室的事。",
    "您今年会务上最担心的是什么?",
    "还有呢?",
    "我确认一下,您最在意的是开会时设备稳定,对吗?",
    "下周二上午或者周四下午,我带两个区的改造案例来,跟您和刘科长聊半小时,您看哪个时间方便?",
]
ECHO_APP = textwrap.dedent("""
    from fastapi import FastAPI
    app = FastAPI()

    @app.post("/echo")
    async def echo(body: dict) -> dict:
        return body
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run_sessions(
    base: str, key: str, sessions: int, messages: int, think: tuple[float, float]
) -> tuple[list[float], int]:
    """Start `sessions` sessions first (not timed), then play `messages` rep messages in each at once."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=sessions, max_keepalive_connections=sessions, keepalive_expiry=20)
    async with httpx.AsyncClient(
        base_url=base, headers={"X-API-Key": key}, limits=limits, timeout=30
    ) as client:

        async def start(i: int) -> str | None:
            nonlocal errors
            started = await client.post(
                "/api/v1/sessions",
                json={"scenario_id": "gov-meeting-room", "seed": i, "learner": {"id": f"bench-{i}"}},
            )
            if started.status_code != 201:
                errors += 1
                return None
            return started.json()["id"]

        async def talk(i: int, sid: str) -> None:
            nonlocal errors
            rng = random.Random(i)
            for text in MESSAGES[:messages]:
                await asyncio.sleep(rng.uniform(*think))  # the rep reads, waits (黄金静默) and types
                t0 = time.perf_counter()
                response = await client.post(f"/api/v1/sessions/{sid}/messages", json={"text": text})
                latencies.append((time.perf_counter() - t0) * 1000)
                if response.status_code == 409:  # the customer ended the call: nothing more to send
                    break
                if response.status_code != 200:
                    errors += 1

        ids = await asyncio.gather(*(start(i) for i in range(sessions)))
        await asyncio.gather(*(talk(i, sid) for i, sid in enumerate(ids) if sid))
    return latencies, errors


async def run_echo(base: str, sessions: int, messages: int, think: tuple[float, float]) -> list[float]:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=sessions, max_keepalive_connections=sessions, keepalive_expiry=20)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def one(i: int) -> None:
            rng = random.Random(i)
            for text in MESSAGES[:messages]:
                await asyncio.sleep(rng.uniform(*think))
                t0 = time.perf_counter()
                await client.post("/echo", json={"text": text})
                latencies.append((time.perf_counter() - t0) * 1000)

        await asyncio.gather(*(one(i) for i in range(sessions)))
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the realistic phase (about a minute)")
    args = parser.parse_args()
    peilian = ROOT / ".venv/bin/peilian"
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "PEILIAN_DATA_DIR": tmp,
            "PEILIAN_RATE_LIMIT_PER_MINUTE": "100000",
            "PEILIAN_LOG_LEVEL": "warning",
        }
        env.pop("OPENAI_API_KEY", None)
        subprocess.run(
            [str(peilian), "admin", "create-org", "bench"], env=env, check=True, capture_output=True
        )
        key = (
            subprocess.run(
                [str(peilian), "admin", "create-api-key", "--org", "bench"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .split(":")[-1]
        )
        port, echo_port = free_port(), free_port()
        (Path(tmp) / "echo_app.py").write_text(ECHO_APP, encoding="utf-8")
        server_log = open(Path(tmp) / "server.log", "w")  # noqa: SIM115 - closed with the process
        server = subprocess.Popen(
            [str(peilian), "serve", "--port", str(port)], env=env, stdout=server_log, stderr=subprocess.STDOUT
        )
        echo = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "echo_app:app",
                "--port",
                str(echo_port),
                "--log-level",
                "warning",
            ],
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            wait_up(f"http://127.0.0.1:{port}/healthz", deadline)
            wait_up(f"http://127.0.0.1:{echo_port}/docs", deadline)
            base, echo_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{echo_port}"
            asyncio.run(run_sessions(base, key, 2, 2, (0, 0)))  # warm up
            results = {}
            phases = [("realistic", (4.0, 16.0)), ("busy", (0.0, 2.0)), ("burst", (0.0, 0.0))]
            for label, think in phases[args.quick :]:
                start = time.perf_counter()
                latencies, errors = asyncio.run(
                    asyncio.wait_for(run_sessions(base, key, args.sessions, args.messages, think), 240)
                )
                wall = time.perf_counter() - start
                echo_latencies = asyncio.run(
                    asyncio.wait_for(run_echo(echo_base, args.sessions, args.messages, think), 240)
                )
                results[label] = (think, latencies, errors, wall, echo_latencies)
        except BaseException:
            print("server log (last lines):\n" + (Path(tmp) / "server.log").read_text()[-3000:])
            raise
        finally:
            for proc in (server, echo):
                proc.terminate()
                proc.wait(timeout=15)
            server_log.close()
    for label, (think, latencies, errors, wall, echo_latencies) in results.items():
        p50, p95, p99 = (percentile(latencies, q) for q in (0.5, 0.95, 0.99))
        e50, e99 = percentile(echo_latencies, 0.5), percentile(echo_latencies, 0.99)
        how = (
            f"the rep waits {think[0]:.0f}–{think[1]:.0f} s between messages"
            if think[1]
            else "all at once, no wait"
        )
        print(
            f"{label} ({how}): {args.sessions} concurrent sessions x {args.messages} messages = "
            f"{len(latencies)} round trips in {wall:.1f} s ({len(latencies) / wall:.0f}/s), errors {errors}"
        )
        print(
            f"  practice round trip p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms "
            f"(targets p50 < 20 ms, p99 < 100 ms)"
        )
        print(
            f"  bare FastAPI echo, same load: p50 {e50:.1f} ms, p99 {e99:.1f} ms; "
            f"ratio p50 x{p50 / e50:.1f}, p99 x{p99 / e99:.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
