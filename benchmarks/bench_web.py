"""Web UI figures: server time to render each page, and — in Debian's Chromium — the time from pressing
Enter to the customer's first streamed word on screen.

    .venv/bin/python benchmarks/bench_web.py [--renders 30] [--messages 12]

1. Pages: the app in process (ASGI transport, so no network in the figure) on a temp SQLite database with
   a demo organisation (6 reps, 60 ended sessions). Each page is requested once cold (first render after
   start: templates compile) and then `--renders` times warm; prints cold, p50 and p95 in ms.
2. Streaming: the app under uvicorn on 127.0.0.1, Chromium through Playwright (never a downloaded
   browser); a rep logs in, starts a call and sends `--messages` messages; the page records
   `performance.now()` at Enter and when the first word of the reply is in the DOM. Skipped without
   /usr/bin/chromium. Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from peilian.settings import Settings  # noqa: E402
from server.app import create_app  # noqa: E402
from server.db.models import PracticeSession, User  # noqa: E402
from server.services import accounts, scenarios  # noqa: E402
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - one launch recipe for tests and bench

PASSWORD = "bench-password-1"
MESSAGES = [
    "王主任您好,我是华声会议系统公司的客户经理李明,信息中心刘科长介绍我给您打电话,今天是想约您见个面。",
    "听说下半年区里要承办一些大型会议,您今年在会务上最看重的是什么?",
    "现在会议室的话筒用起来怎么样?",
    "还有呢?",
    "之前出过什么状况吗?对工作有什么影响?",
    "我确认一下,您最在意的是开会时设备稳定,对吗?",
]


def seed(app: Any) -> tuple[str, str]:
    """A demo organisation: a trainer, 6 reps with 10 ended sessions each. Returns (a session id, a rep)."""
    state = app.state.peilian
    with Session(state.engine) as db:
        org = accounts.create_organization(db, name="Bench", slug="bench")
        accounts.create_user(db, org=org, username="bench-trainer", role="trainer", password=PASSWORD)
        for i in range(6):
            accounts.create_user(
                db, org=org, username=f"bench-rep-{i}", role="rep", password=PASSWORD, display_name=f"销售{i}"
            )
        db.commit()
    session_id = ""
    with state.sessionmaker() as db:
        reps = db.scalars(select(User).where(User.role == "rep")).all()
        card = scenarios.get_card_for(db, org=reps[0].organization, card_id="gov-meeting-room")
        ids = [
            (state.practice.start(db, user=u, card=card, voice="scripted", seed=n, via="web").id)
            for u in reps
            for n in range(10)
        ]
    for n, sid in enumerate(ids):
        for text in MESSAGES[: 2 + n % 4]:
            state.practice.rep_message(sid, text=text, typing_started_at=None, sent_at=None)
        state.practice.end(sid)
        session_id = sid
    return session_id, "bench-rep-5"


async def page_times(app: Any, renders: int) -> list[tuple[str, float, float, float]]:
    session_id, rep = seed(app)
    with app.state.peilian.sessionmaker() as db:
        assert db.get(PracticeSession, session_id) is not None
    rows = []
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://bench") as trainer,
        httpx.AsyncClient(transport=transport, base_url="http://bench") as rep_client,
    ):
        await trainer.post("/login", data={"username": "bench-trainer", "password": PASSWORD})
        await rep_client.post("/login", data={"username": rep, "password": PASSWORD})
        start = await rep_client.post(
            "/practice/start",
            data={
                "scenario_id": "gov-meeting-room",
                "csrf_token": (await rep_client.get("/api/v1/auth/me")).json()["csrf_token"],
            },
        )
        pages = [
            (
                "/login (logged out)",
                httpx.AsyncClient(transport=transport, base_url="http://bench"),
                "/login",
            ),
            ("/ home: scenarios + my sessions", rep_client, "/"),
            ("/call/{id} practice", rep_client, start.headers["location"]),
            ("/sessions/{id} scorecard", rep_client, f"/sessions/{session_id}"),
            ("/sessions/{id}/review", trainer, f"/sessions/{session_id}/review"),
            ("/sessions/{id}/print", trainer, f"/sessions/{session_id}/print"),
            ("/desk (6 reps, 60 sessions)", trainer, "/desk"),
            ("/desk?rep=…&min=50", trainer, f"/desk?rep={rep}&min=50"),
            ("/desk/scenarios", trainer, "/desk/scenarios"),
        ]
        for label, client, path in pages:
            times = []
            for _ in range(renders + 1):
                t0 = time.perf_counter()
                response = await client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            warm = sorted(times[1:])
            rows.append((label, times[0], statistics.median(warm), warm[int(len(warm) * 0.95) - 1]))
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_word_times(settings: Settings, messages: int) -> list[float] | str:
    if not CHROMIUM.exists():
        return "skipped: /usr/bin/chromium is missing (make browser-deps)"
    import uvicorn
    from playwright.sync_api import sync_playwright

    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(base_url=base)
            page.goto("/login")
            page.fill("#username", "bench-rep-0")
            page.fill("#password", PASSWORD)
            page.press("#password", "Enter")
            page.wait_for_url(f"{base}/")
            page.locator("li.scenario", has_text="区政府会议室改造").get_by_role(
                "button", name="开始对练"
            ).click()
            page.wait_for_url(f"{base}/call/*")
            sent, metrics = 0, []
            while sent < messages:
                if not page.locator("#ended").is_hidden():  # the customer ended it: call again
                    metrics += page.evaluate("window.peilianMetrics.sends")
                    page.goto("/")
                    page.locator("li.scenario", has_text="区政府会议室改造").get_by_role(
                        "button", name="开始对练"
                    ).click()
                    page.wait_for_url(f"{base}/call/*")
                page.fill("#say", MESSAGES[sent % len(MESSAGES)])
                page.press("#say", "Enter")
                page.wait_for_function("window.peilianMetrics.sends.at(-1)?.firstWord")
                page.wait_for_function(
                    "!document.getElementById('send').disabled || !document.getElementById('ended').hidden"
                )
                sent += 1
            metrics += page.evaluate("window.peilianMetrics.sends")
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return [m["firstWord"] - m["sentAt"] for m in metrics]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--messages", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/bench.sqlite3", llm_model=None)
        app = create_app(settings)

        async def run() -> list[tuple[str, float, float, float]]:
            async with app.router.lifespan_context(app):
                return await page_times(app, args.renders)

        rows = asyncio.run(run())
        print(f"page render, server time in process (ms; {args.renders} warm renders each):")
        print(f"  {'page':<34} {'cold':>7} {'p50':>7} {'p95':>7}")
        for label, cold, p50, p95 in rows:
            print(f"  {label:<34} {cold:7.1f} {p50:7.1f} {p95:7.1f}")
        latencies = first_word_times(settings, args.messages)
        if isinstance(latencies, str):
            print(f"first streamed word: {latencies}")
        else:
            print(
                f"first streamed word on screen after Enter, Chromium on loopback ({len(latencies)} messages, ms): "
                f"p50 {statistics.median(latencies):.1f}, max {max(latencies):.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
