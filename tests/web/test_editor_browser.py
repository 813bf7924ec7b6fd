"""The card editor and real calls in Chromium against a live server: a card from the template, previewed,
saved and in the picker; an edit with three mistakes shows all three with their lines; retiring; a plain-text
call scored, then 再练一次 starts a scenario; a broken transcript gets a message and stores nothing.
Screenshots go to $PEILIAN_SCREENSHOTS (docs/screenshots) or a temp directory."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from server.db.models import PracticeSession, ScenarioCard
from server.services import card_editor
from tests.web.conftest import LiveServer
from tests.web.test_browser import open_page

pytestmark = pytest.mark.browser

CALL = (
    "[00:00-00:04] 销售：王主任您好，我是华声会议系统的客户经理李明，刘科长介绍我给您打电话。\n"
    "[00:05-00:07] 客户：哦，什么事？你长话短说。\n"
    "[00:08-00:15] 销售：听说常委会议室的话筒用了八年，开会时经常啸叫，您最担心的是什么？\n"
    "[00:16-00:24] 客户：最怕开大会的时候出岔子，上次就断了一次音。\n"
    "[00:29-00:38] 销售：下周二上午十点我带同级区政府的案例来拜访您和刘科长三十分钟，您看可以吗？\n"
    "[00:39-00:41] 客户：行，你来吧。\n"
)


def _template(card_id: str, title: str) -> str:
    return (
        card_editor.template_text()
        .replace("id: my-new-scenario", f"id: {card_id}", 1)
        .replace("title: 示例公司 — 约访设备部经理", f"title: {title}", 1)
    )


def _count(server: LiveServer, model: Any) -> int:
    with server.state.sessionmaker() as db:
        return db.scalar(select(func.count()).select_from(model)) or 0


def test_create_from_the_template_preview_save_and_pick(
    browser: Any, live_server: LiveServer, screenshots: Path
) -> None:
    page = open_page(browser, live_server, "demo-trainer")
    page.goto("/desk/scenarios")
    page.get_by_role("link", name="从模板新建场景卡").click()
    page.wait_for_url(re.compile(r".*/desk/scenarios/new$"))
    editor = page.locator("#yaml_text")
    assert "id: my-new-scenario" in editor.input_value()
    editor.fill(_template("browser-card", "浏览器里写的卡"))
    page.get_by_role("button", name="预览").click()
    page.locator("#check-ok").wait_for()
    assert page.locator("#preview-card-title").inner_text() == "浏览器里写的卡"
    hidden = page.locator("#hidden-facts").inner_text()
    assert "去年停机被总经理点名批评" in hidden and "你们做过机械厂吗" in hidden
    assert _count(live_server, ScenarioCard) == 0  # the preview stored nothing
    page.screenshot(path=str(screenshots / "card-editor-preview.png"), full_page=True)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r".*/desk/scenarios\?saved=browser-card$"))
    assert "已保存场景" in page.locator("p.notice").inner_text()
    page.goto("/")
    page.locator("li.scenario", has_text="浏览器里写的卡").wait_for()
    page.context.close()


def test_an_edit_with_three_mistakes_lists_all_three_with_lines(
    browser: Any, live_server: LiveServer, screenshots: Path
) -> None:
    page = open_page(browser, live_server, "demo-trainer")
    page.goto("/desk/scenarios/new")
    text = _template("three-errors", "三处错误的卡")
    page.locator("#yaml_text").fill(text)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r".*saved=three-errors$"))
    page.goto("/desk/scenarios/three-errors/edit")
    broken = (
        text.replace("mode: appointment ", "mode: phone ", 1)
        .replace("stage: 2 ", "stage: 12 ", 1)
        .replace("      kind: 障碍\n", "      kind: 烦恼\n", 1)
    )
    page.locator("#yaml_text").fill(broken)
    page.get_by_role("button", name="保存").click()
    problems = page.locator("#problems li")
    problems.first.wait_for()
    items = problems.all_inner_texts()
    assert len(items) == 3, items
    lines = [int(re.match(r"第 (\d+) 行", item)[1]) for item in items]
    assert lines == [4, 18, broken.splitlines().index("      kind: 烦恼") + 1], items
    assert "mode" in items[0] and "stage" in items[1] and "hidden.needs[0].kind" in items[2]
    assert page.locator("#yaml_text").input_value() == broken  # the trainer's text stays to fix
    page.get_by_role("button", name="跳到第 18 行").click()
    selected = page.evaluate(
        "() => { const t = document.getElementById('yaml_text'); "
        "return [document.activeElement.id, t.value.slice(t.selectionStart, t.selectionEnd)]; }"
    )
    assert selected[0] == "yaml_text" and selected[1].startswith("stage: 12"), selected
    page.screenshot(path=str(screenshots / "card-editor-errors.png"), full_page=False)
    with live_server.state.sessionmaker() as db:
        row = db.scalar(select(ScenarioCard).where(ScenarioCard.card_id == "three-errors"))
        assert row.yaml_text == text and row.version == 1
    page.context.close()


def test_retire_a_card(browser: Any, live_server: LiveServer, screenshots: Path) -> None:
    page = open_page(browser, live_server, "demo-trainer")
    page.goto("/desk/scenarios/new")
    page.locator("#yaml_text").fill(_template("to-retire", "要停用的卡"))
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r".*saved=to-retire$"))
    page.get_by_role("button", name="停用 要停用的卡").click()
    page.wait_for_url(re.compile(r".*retired=to-retire$"))
    assert "已停用" in page.locator("#card-row-to-retire").inner_text()
    page.screenshot(path=str(screenshots / "card-list.png"), full_page=False)
    page.goto("/")
    assert page.locator("li.scenario", has_text="要停用的卡").count() == 0
    page.goto("/desk/scenarios")
    page.get_by_role("button", name="恢复 要停用的卡").click()
    page.wait_for_url(re.compile(r".*restored=to-retire$"))
    page.goto("/")
    page.locator("li.scenario", has_text="要停用的卡").wait_for()
    page.context.close()


def test_a_plain_text_call_gets_a_scorecard_and_practise_again(
    browser: Any, live_server: LiveServer, screenshots: Path
) -> None:
    page = open_page(browser, live_server, "demo-rep")
    page.get_by_role("link", name="真实通话").click()
    page.wait_for_url(re.compile(r".*/calls/new$"))
    page.get_by_label("约访电话").check()
    page.locator("#call-title").fill("约访王主任(真实)")
    page.locator("#call-text").fill(CALL)
    page.screenshot(path=str(screenshots / "real-call-upload.png"), full_page=False)
    page.get_by_role("button", name="评分").click()
    page.wait_for_url(re.compile(r".*/sessions/[0-9a-f]+$"))
    assert page.locator("#real-call-badge").inner_text() == "真实通话"
    assert page.locator("h1").inner_text() == "约访王主任(真实)"
    assert int(page.locator("#overall-score").inner_text()) >= 0
    again = page.locator("#practise-again")
    assert "区政府会议室改造" in again.inner_text() and "话筒" in again.inner_text()
    page.screenshot(path=str(screenshots / "real-call-scorecard.png"), full_page=False)
    page.locator("#practise-again-button").click()
    page.wait_for_url(re.compile(r".*/call/[0-9a-f]+$"))
    page.locator("#log .msg.customer").first.wait_for()
    page.goto("/")
    assert page.get_by_role("link", name="真实通话 · 约访王主任(真实)").count() == 1
    page.context.close()


def test_a_broken_transcript_gets_a_message_and_nothing_is_stored(
    browser: Any, live_server: LiveServer
) -> None:
    page = open_page(browser, live_server, "demo-rep")
    before = _count(live_server, PracticeSession)
    page.goto("/calls/new")
    page.locator("#call-text").fill("王主任您好,我是李明\n客户：什么事？")
    page.get_by_role("button", name="评分").click()
    alert = page.locator("#call-error")
    alert.wait_for()
    assert "第 1 行" in alert.inner_text() and "缺少说话人" in alert.inner_text()
    assert page.locator("#call-text").input_value().startswith("王主任您好")
    assert _count(live_server, PracticeSession) == before
    page.context.close()
