"""Practice messages with 1 and 2 worker processes on PostgreSQL, in the same run, and their ratio.

    .venv/bin/python benchmarks/bench_workers.py [--sessions 100] [--messages 5] [--workers 2] [--redis]

Makes a throwaway PostgreSQL database (127.0.0.1:5432, the `test` maintenance database, like the tests),
one organisation and API key, then for each worker count starts `peilian serve --workers N` on a free port
and plays the load of bench_server.py: N concurrent sessions (one learner each) send M rep messages, in a
busy phase (the rep waits 0–2 s between messages) and a burst phase (no wait). Prints, per worker count, the
burst throughput, the busy-pace p50/p99 and the server's CPU time a message (all its processes), then the
burst ratio (target ≥ 1.6×), whether busy p99 is under 100 ms, and the ratio idle cores would allow given
the CPU a message costs with each worker count. With several workers the rate limits and login throttle are shared in PostgreSQL (or Redis
with --redis); turns are serialised by an advisory lock. Also prints the load average before and after:
the figures are only as good as the machine is idle. Skips (exit 0) without PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench_server import MESSAGES, free_port, percentile, run_sessions, wait_up

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"


def make_database() -> str | None:
    from sqlalchemy import create_engine, text

    try:
        admin = create_engine(f"{PG}/test", isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 2})
        name = f"peilian_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return name
    except Exception as exc:  # noqa: BLE001 - no database: the benchmark says so and skips
        print(f"bench_workers: skipped, PostgreSQL not reachable ({type(exc).__name__})")
        return None


def drop_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{PG}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children (the uvicorn workers)."""
    total, todo = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def postgres_cpu_s() -> float:
    """CPU seconds used so far by every PostgreSQL process (other databases' clients included)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


class RawClient:
    """A minimal HTTP/1.1 keep-alive client for JSON POSTs: the load generator shares the machine's cores
    with the servers, and httpx spends more CPU a request than the server does."""

    def __init__(self, port: int, key: str) -> None:
        self.port, self.key = port, key
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict) -> tuple[int, dict]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        payload = json.dumps(body, ensure_ascii=False).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nX-API-Key: {self.key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        self.writer.write(head.encode() + payload)
        headers = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(headers[0].split()[1])
        length = next(int(h.split(":", 1)[1]) for h in headers if h.lower().startswith("content-length:"))
        return status, json.loads(await self.reader.readexactly(length))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def raw_sessions(
    port: int, key: str, sessions: int, messages: int, think: tuple[float, float]
) -> tuple[list[float], int]:
    """bench_server.run_sessions with RawClient: start the sessions first, then play the messages in each."""
    latencies: list[float] = []
    errors = 0
    clients = [RawClient(port, key) for _ in range(sessions)]

    async def start(i: int) -> str | None:
        nonlocal errors
        body = {"scenario_id": "gov-meeting-room", "seed": i, "learner": {"id": f"bench-{i}"}}
        status, started = await clients[i].post("/api/v1/sessions", body)
        if status != 201:
            errors += 1
            return None
        return started["id"]

    async def talk(i: int, sid: str) -> None:
        nonlocal errors
        rng = random.Random(i)
        for text in MESSAGES[:messages]:
            await asyncio.sleep(rng.uniform(*think))  # the rep reads, waits (黄金静默) and types
            t0 = time.perf_counter()
            status, _ = await clients[i].post(f"/api/v1/sessions/{sid}/messages", {"text": text})
            latencies.append((time.perf_counter() - t0) * 1000)
            if status == 409:  # the customer ended the call
                break
            if status != 200:
                errors += 1

    try:
        ids = await asyncio.gather(*(start(i) for i in range(sessions)))
        await asyncio.gather(*(talk(i, sid) for i, sid in enumerate(ids) if sid))
    finally:
        for client in clients:
            client.close()
    return latencies, errors


def phase(
    base: str, key: str, sessions: int, messages: int, think: tuple[float, float], pid: int, raw: bool
) -> dict[str, float]:
    port = int(base.rsplit(":", 1)[1])
    start, cpu, pg, me = time.perf_counter(), tree_cpu_s(pid), postgres_cpu_s(), time.process_time()
    run = (
        raw_sessions(port, key, sessions, messages, think)
        if raw
        else run_sessions(base, key, sessions, messages, think)
    )
    latencies, errors = asyncio.run(asyncio.wait_for(run, 240))
    wall = time.perf_counter() - start
    return {
        "n": len(latencies),
        "errors": errors,
        "rate": len(latencies) / wall,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "cpu_ms": (tree_cpu_s(pid) - cpu) * 1000 / max(len(latencies), 1),
        "pg_ms": (postgres_cpu_s() - pg) * 1000 / max(len(latencies), 1),
        "client_ms": (time.process_time() - me) * 1000 / max(len(latencies), 1),
    }


def measure(env: dict[str, str], workers: int, args: argparse.Namespace, key: str, log: Path) -> dict:
    port = free_port()
    peilian = ROOT / ".venv/bin/peilian"
    with log.open("a") as out:
        server = subprocess.Popen(
            [str(peilian), "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(f"{base}/healthz", time.monotonic() + 90)
        asyncio.run(run_sessions(base, key, 8, 2, (0, 0)))  # warm up every worker
        return {
            "busy": phase(base, key, args.sessions, args.messages, (0.0, 2.0), server.pid, args.raw),
            "burst": phase(base, key, args.sessions, args.messages, (0.0, 0.0), server.pid, args.raw),
        }
    except BaseException:
        print("server log (last lines):\n" + log.read_text()[-3000:])
        raise
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="the worker count compared with 1")
    parser.add_argument("--redis", action="store_true", help="share the limits in Redis (127.0.0.1:6379)")
    parser.add_argument(
        "--limits",
        choices=("auto", "memory", "database", "redis"),
        default="auto",
        help="PEILIAN_LIMITS_BACKEND (memory with 2 workers: to see what sharing the limits costs)",
    )
    parser.add_argument(
        "--httpx",
        dest="raw",
        action="store_false",
        help="load with httpx (as bench_server) instead of raw HTTP",
    )
    args = parser.parse_args()
    name = make_database()
    if name is None:
        return 0
    results: dict[int, dict] = {}
    load_before = os.getloadavg()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("PEILIAN_", "OPENAI_"))}
            env.update(
                PEILIAN_DATA_DIR=tmp,
                PEILIAN_DATABASE_URL=f"{PG}/{name}",
                PEILIAN_RATE_LIMIT_PER_MINUTE="100000",
                PEILIAN_LOG_LEVEL="warning",
            )
            env["PEILIAN_LIMITS_BACKEND"] = args.limits
            if args.redis:
                env["PEILIAN_REDIS_URL"] = "redis://127.0.0.1:6379/14"
            peilian = str(ROOT / ".venv/bin/peilian")
            subprocess.run(
                [peilian, "admin", "create-org", "bench"], env=env, check=True, capture_output=True
            )
            made = subprocess.run(
                [peilian, "admin", "create-api-key", "--org", "bench"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            key = made.stdout.strip().split(":")[-1]
            for workers in (1, args.workers):
                results[workers] = measure(env, workers, args, key, Path(tmp) / f"server-{workers}.log")
    finally:
        drop_database(name)
    load_after = os.getloadavg()
    limits = "Redis" if args.redis else "PostgreSQL"
    print(f"PostgreSQL, {args.sessions} concurrent sessions x {args.messages} messages, scripted voice")
    for workers, phases in results.items():
        burst, busy = phases["burst"], phases["busy"]
        shared = (
            "limits in memory"
            if args.limits == "memory" or (workers == 1 and not args.redis and args.limits == "auto")
            else f"limits shared in {limits}"
        )
        print(
            f"  {workers} worker(s) ({shared}): burst {burst['rate']:.0f} msg/s "
            f"(p50 {burst['p50']:.0f} ms, p99 {burst['p99']:.0f} ms, errors {burst['errors']}); "
            f"busy p50 {busy['p50']:.1f} ms, p99 {busy['p99']:.1f} ms (errors {busy['errors']}); "
            f"CPU a message: server {burst['cpu_ms']:.1f} ms, PostgreSQL {burst['pg_ms']:.1f} ms, "
            f"load generator {burst['client_ms']:.1f} ms"
        )
    one, many = results[1], results[args.workers]
    ratio = many["burst"]["rate"] / one["burst"]["rate"]
    print(f"  burst throughput ratio {args.workers}:1 = x{ratio:.2f} (target >= 1.6)")
    # What idle cores would allow: the CPU a message costs, spread over min(workers, cores) processes.
    spread = min(args.workers, os.cpu_count() or 1)
    ideal = spread * one["burst"]["cpu_ms"] / many["burst"]["cpu_ms"]
    print(
        f"  server CPU a message with {args.workers} workers is x{spread / ideal:.2f} that with 1: "
        f"on {spread} idle cores the ratio could reach x{ideal:.2f}"
    )
    p99 = many["busy"]["p99"]
    print(
        f"  busy-pace p99 with {args.workers} workers {p99:.1f} ms (target < 100 ms: {'met' if p99 < 100 else 'MISSED'})"
    )
    print(
        f"  machine: {os.cpu_count()} cores, load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after (other processes share the cores)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
