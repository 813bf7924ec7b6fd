"""Assignments and exams in a real browser (Debian's Chromium): a trainer assigns an exam, the rep sees it in
我的任务, takes the exam call (no coach labels, no ring, the turn budget), sees pass or fail with the facts
withheld, is refused a second attempt over the limit, and the trainer releases the facts; and the practice
call's 结束通话 asks before it ends and scores. Screenshots go to $PEILIAN_SCREENSHOTS (docs/screenshots)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import LiveServer
from tests.web.support import CALL, INTRO, play_session
from tests.web.test_browser import open_page, send

pytestmark = pytest.mark.browser


def test_an_exam_from_assignment_to_released_facts(
    browser: Any, live_server: LiveServer, screenshots: Path
) -> None:
    trainer = open_page(browser, live_server, "demo-trainer")
    trainer.get_by_role("link", name="任务与考核").click()
    trainer.wait_for_url(re.compile(r".*/assignments$"))
    trainer.get_by_label("场景").select_option("gov-meeting-room")
    trainer.get_by_label("及格线(0–100)").fill("100")  # out of reach for this call: a fail
    deadline = (datetime.now().astimezone() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    trainer.get_by_label("截止时间").fill(deadline)
    trainer.get_by_label("考核(固定客户、无教练提示、限次数)").check()
    trainer.get_by_label("允许的次数(考核不填为 1;练习不填为不限)").fill("1")
    trainer.locator("label.pick", has_text="演示销售 小陈").locator("input").check()
    trainer.get_by_role("button", name="布置任务").click()
    trainer.wait_for_url(re.compile(r".*/assignments/[0-9a-f]+$"))
    assert trainer.locator("tr[data-rep='demo-rep'] .status").inner_text() == "未开始"
    assignment_url = trainer.url

    rep = open_page(browser, live_server, "demo-rep")
    task = rep.locator("table.my-tasks tr", has_text="区政府会议室改造")
    assert "考核" in task.inner_text() and "未开始" in task.inner_text()
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", task.inner_text())
    rep.locator("section.tasks").screenshot(path=str(screenshots / "my-tasks.png"))
    stale = rep.context.new_page()  # a second tab, left open on the home page before the exam
    stale.goto("/")
    task.get_by_role("button", name="开始考核").click()
    rep.wait_for_url(re.compile(r".*/call/[0-9a-f]+$"))
    assert rep.locator("#coach").count() == 0 and not rep.locator("#silence").is_visible()
    assert rep.locator("#budget").inner_text() == "本通最多 16 轮"
    for text in CALL:
        if text is None:
            continue
        send(rep, text)
        if rep.locator("#ended").is_visible():
            break
        if text == INTRO:
            assert rep.locator("#budget").inner_text().startswith("第 1/16 轮")
    assert rep.locator("#log .act").count() == 0  # no coach labels, ever
    rep.screenshot(path=str(screenshots / "exam-call.png"))
    if not rep.locator("#ended").is_visible():
        rep.get_by_role("button", name="结束通话").click()
        rep.get_by_role("button", name="结束并评分").click()
    else:
        rep.get_by_role("link", name="查看评分卡 →").click()
    rep.wait_for_url(re.compile(r".*/sessions/[0-9a-f]+$"))
    session_id = rep.url.rsplit("/", 1)[1]
    verdict = rep.locator("#exam .verdict").inner_text()
    assert "未通过" in verdict and "及格线 100 分" in verdict
    assert rep.locator("#facts-hidden").is_visible() and rep.locator(".facts").count() == 0
    rep.screenshot(path=str(screenshots / "exam-scorecard.png"))

    rep.goto("/")  # failed, the one attempt used: nothing to start
    task = rep.locator("table.my-tasks tr", has_text="区政府会议室改造")
    assert "未通过" in task.inner_text() and task.get_by_role("button").count() == 0
    # The stale tab still shows 开始考核: a second attempt over the limit is refused with a message.
    stale.locator("table.my-tasks").get_by_role("button", name="开始考核").click()
    stale.wait_for_selector("text=最多可以做 1 次")
    assert "/call/" not in stale.url
    stale.screenshot(path=str(screenshots / "exam-refused.png"))
    with live_server.state.sessionmaker() as db:
        from sqlalchemy import func, select

        from server.db.models import PracticeSession

        aid = db.get(PracticeSession, session_id).assignment_id
        attempts = db.scalar(select(func.count()).where(PracticeSession.assignment_id == aid))
    assert attempts == 1  # nothing stored

    trainer.goto(assignment_url)
    assert trainer.locator("tr[data-rep='demo-rep'] .status").inner_text() == "未通过"
    trainer.screenshot(path=str(screenshots / "assignment.png"), full_page=True)
    trainer.locator("tr[data-rep='demo-rep']").get_by_role("link", name="第 1 次").click()
    trainer.wait_for_url(re.compile(rf".*/sessions/{session_id}/review$"))
    assert trainer.locator(".facts").count() == 1  # the trainer always sees them
    trainer.get_by_role("button", name="公布隐藏信息给销售").click()
    trainer.wait_for_selector("#exam .released")
    trainer.locator("#exam").screenshot(path=str(screenshots / "exam-release.png"))

    rep.goto(f"/sessions/{session_id}")
    assert rep.locator(".facts").count() == 1 and rep.locator("#facts-hidden").count() == 0
    assert rep.evaluate("window.__csp") == [] and trainer.evaluate("window.__csp") == []


def test_the_end_call_asks_first(browser: Any, live_server: LiveServer, screenshots: Path) -> None:
    page = open_page(browser, live_server, "demo-rep")
    page.locator("li.scenario", has_text="区政府会议室改造").get_by_role("button", name="开始对练").click()
    page.wait_for_url(re.compile(r".*/call/[0-9a-f]+$"))
    send(page, INTRO)
    assert page.locator("#budget").inner_text().startswith("第 1/16 轮")
    page.get_by_role("button", name="结束通话").click()
    dialog = page.locator("#end-dialog")
    assert dialog.is_visible() and "结束后立即评分" in dialog.inner_text()
    page.screenshot(path=str(screenshots / "call-end-confirm.png"))
    page.get_by_role("button", name="继续通话").click()  # a click by mistake changes nothing
    assert not dialog.is_visible() and "/call/" in page.url
    assert page.locator("#say").is_enabled()
    page.get_by_role("button", name="结束通话").click()
    page.keyboard.press("Escape")  # Escape closes it too
    assert not dialog.is_visible() and "/call/" in page.url
    send(page, "您最担心的是什么?")
    assert page.locator("#log .msg.rep").count() == 2  # the call went on
    page.get_by_role("button", name="结束通话").click()
    page.get_by_role("button", name="结束并评分").click()
    page.wait_for_url(re.compile(r".*/sessions/[0-9a-f]+$"))
    assert page.locator("svg.radar").count() == 1 and page.evaluate("window.__csp") == []


def test_the_budget_warns_near_the_end(browser: Any, live_server: LiveServer, screenshots: Path) -> None:
    """Twelve questions in (seed 0), the customer's patience (5 left, 6 a message) will end the call at the next
    message, long before the 16-turn limit: the page warns."""
    questions = [
        "这些问题对您的工作有什么影响?",
        "您觉得最理想的会务是什么样的?",
        "除了您,还有谁会关心这件事?",
        "上次出问题的时候,领导是怎么说的?",
        "这件事如果解决了,对您意味着什么?",
        "您们一般怎么决定这类采购?",
        "时间上有什么安排?",
        "预算方面是怎么考虑的?",
    ]
    session_id = play_session(
        live_server.state, "demo-rep", [c for c in CALL[:5] if c] + questions, end=False
    )
    page = open_page(browser, live_server, "demo-rep")
    page.goto(f"/call/{session_id}")
    budget = page.locator("#budget")
    assert "warn" in (budget.get_attribute("class") or "")
    assert budget.inner_text() == "第 12/16 轮 · 客户快没耐心了,约剩 1 轮,该提行动承诺了"
    page.locator(".call-head").screenshot(path=str(screenshots / "call-budget-warning.png"))
