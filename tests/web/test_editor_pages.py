"""The card editor and real-call pages without a browser: forms, every problem on the page with its line,
nothing stored on a refusal, retire, and a real call's scorecard with 「真实通话」 and 再练一次."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.models import PracticeSession, ScenarioCard
from server.services import card_editor

PLAIN = (
    "[00:00-00:04] 销售：王主任您好，我是华声会议系统的客户经理李明。\n"
    "[00:05-00:07] 客户：什么事？\n"
    "[00:08-00:15] 销售：听说常委会议室的话筒经常啸叫，您最担心的是什么？\n"
    "[00:16-00:20] 客户：开会的时候别出岔子就行。\n"
)


def _engine(web_app):
    return web_app.state.peilian.engine


def _count(web_app, model) -> int:
    with Session(_engine(web_app)) as db:
        return db.scalar(select(func.count()).select_from(model)) or 0


async def test_editor_from_template_preview_save_and_pick(client: httpx.AsyncClient, login, web_app) -> None:
    csrf = await login("demo-trainer")
    page = await client.get("/desk/scenarios/new")
    assert page.status_code == 200 and "my-new-scenario" in page.text and "从模板" not in page.text
    preview = await client.post(
        "/desk/scenarios/editor",
        data={"csrf_token": csrf, "yaml_text": card_editor.template_text(), "action": "preview"},
    )
    assert preview.status_code == 200 and "检查通过" in preview.text
    assert (
        "销售看到的场景" in preview.text and "去年停机被总经理点名批评" in preview.text
    )  # hidden, for trainers
    assert _count(web_app, ScenarioCard) == 0  # a preview stores nothing
    saved = await client.post(
        "/desk/scenarios/editor",
        data={"csrf_token": csrf, "yaml_text": card_editor.template_text(), "action": "save"},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/desk/scenarios?saved=my-new-scenario"
    listing = await client.get("/desk/scenarios")
    assert "第 1 版" in listing.text and "/desk/scenarios/my-new-scenario/edit" in listing.text
    assert "示例公司 — 约访设备部经理" in (await client.get("/")).text


async def test_an_edit_with_three_errors_lists_them_all_and_keeps_the_card(
    client: httpx.AsyncClient, login, web_app
) -> None:
    csrf = await login("demo-trainer")
    text = card_editor.template_text()
    await client.post(
        "/desk/scenarios/editor", data={"csrf_token": csrf, "yaml_text": text, "action": "save"}
    )
    edit = await client.get("/desk/scenarios/my-new-scenario/edit")
    assert edit.status_code == 200 and "编辑场景卡" in edit.text
    broken = (
        text.replace("mode: appointment ", "mode: phone ")
        .replace("stage: 2 ", "stage: 12 ")
        .replace("time_pressure: 中 ", "time_pressure: <b>超高</b> ")
    )
    r = await client.post(
        "/desk/scenarios/editor",
        data={"csrf_token": csrf, "yaml_text": broken, "action": "save", "editing": "my-new-scenario"},
    )
    assert r.status_code == 422 and "有 3 处需要修改" in r.text
    items = re.findall(r"<li><strong>第 (\d+) 行</strong> · <code>([^<]+)</code>", r.text)
    assert items == [("4", "mode"), ("15", "customer.time_pressure"), ("18", "stage")]
    assert "<b>超高</b>" not in r.text and "&lt;b&gt;超高&lt;/b&gt;" in r.text  # escaped, in the textarea
    with Session(_engine(web_app)) as db:
        row = db.scalar(select(ScenarioCard))
        assert row.yaml_text == text and row.version == 1  # nothing changed
    syntax = await client.post(
        "/desk/scenarios/editor",
        data={"csrf_token": csrf, "yaml_text": "id: x\ntitle: [a\n", "action": "preview"},
    )
    assert syntax.status_code == 422 and "第 3 行" in syntax.text and "方括号列表没有闭合" in syntax.text


async def test_clone_retire_restore_and_builtins(client: httpx.AsyncClient, login, web_app) -> None:
    csrf = await login("demo-trainer")
    clone = await client.get("/desk/scenarios/new?clone=gov-meeting-room")
    assert clone.status_code == 200 and "id: gov-meeting-room-copy" in clone.text
    assert (await client.get("/desk/scenarios/gov-meeting-room/edit")).status_code == 303
    assert (await client.get("/desk/scenarios/nope/edit")).status_code == 404
    preview = await client.get("/desk/scenarios/gov-meeting-room/preview")
    assert preview.status_code == 200 and "隐藏信息" in preview.text
    text = card_editor.template_text()
    await client.post(
        "/desk/scenarios/editor", data={"csrf_token": csrf, "yaml_text": text, "action": "save"}
    )
    retired = await client.post("/desk/scenarios/my-new-scenario/retire", data={"csrf_token": csrf})
    assert retired.status_code == 303
    assert "已停用" in (await client.get("/desk/scenarios")).text
    assert "示例公司" not in (await client.get("/")).text
    start = await client.post("/practice/start", data={"csrf_token": csrf, "scenario_id": "my-new-scenario"})
    assert start.status_code == 404
    builtin = await client.post("/desk/scenarios/gov-meeting-room/retire", data={"csrf_token": csrf})
    assert builtin.status_code == 409 and "内置场景不能停用" in builtin.text
    await client.post("/desk/scenarios/my-new-scenario/restore", data={"csrf_token": csrf})
    assert "示例公司" in (await client.get("/")).text
    no_csrf = await client.post("/desk/scenarios/my-new-scenario/retire", data={})
    assert no_csrf.status_code == 403


async def test_a_rep_cannot_use_the_editor(client: httpx.AsyncClient, login) -> None:
    csrf = await login("demo-rep")
    assert (await client.get("/desk/scenarios/new")).status_code == 403
    r = await client.post(
        "/desk/scenarios/editor",
        data={"csrf_token": csrf, "yaml_text": card_editor.template_text(), "action": "save"},
    )
    assert r.status_code == 403


async def test_upload_form_lists_every_problem(client: httpx.AsyncClient, login) -> None:
    csrf = await login("demo-trainer")
    broken = (
        card_editor.template_text()
        .replace("mode: appointment ", "mode: phone ")
        .replace("stage: 2 ", "stage: 0 ")
    )
    r = await client.post("/desk/scenarios", data={"csrf_token": csrf, "yaml_text": broken})
    assert r.status_code == 422 and "第 4 行" in r.text and "第 18 行" in r.text


async def test_a_real_call_gets_a_scorecard_and_practise_again(
    client: httpx.AsyncClient, login, web_app
) -> None:
    csrf = await login("demo-rep")
    form = await client.get("/calls/new")
    assert form.status_code == 200 and "真实通话评分" in form.text
    r = await client.post(
        "/calls",
        data={"csrf_token": csrf, "mode": "appointment", "title": "约访王主任"},
        files={"call_file": ("call.txt", PLAIN.encode(), "text/plain")},
    )
    assert r.status_code == 303, r.text
    page = await client.get(r.headers["location"])
    assert page.status_code == 200 and "真实通话" in page.text and "约访王主任" in page.text
    assert "再练一次:区政府会议室改造" in page.text and "话筒" in page.text
    assert 'id="overall-score"' in page.text
    home = await client.get("/")
    assert "真实通话 · 约访王主任" in home.text
    await client.post("/logout", data={"csrf_token": csrf})
    csrf = await login("demo-trainer")
    desk = await client.get("/desk?scenario=real-call")
    assert desk.status_code == 200 and "真实通话" in desk.text and r.headers["location"] in desk.text
    again = await client.post("/practice/start", data={"csrf_token": csrf, "scenario_id": "gov-meeting-room"})
    assert again.status_code == 303 and again.headers["location"].startswith("/call/")


async def test_a_broken_transcript_is_refused_on_the_page(client: httpx.AsyncClient, login, web_app) -> None:
    csrf = await login("demo-rep")
    r = await client.post(
        "/calls", data={"csrf_token": csrf, "mode": "visit", "text": "销售：您好\n[01:10-01:05] 客户：嗯"}
    )
    assert r.status_code == 422 and "第 2 行" in r.text and "结束时间早于开始时间" in r.text
    assert "01:10-01:05" in r.text  # the text stays in the form
    bad_file = await client.post(
        "/calls",
        data={"csrf_token": csrf, "mode": "visit"},
        files={"call_file": ("call.txt", "销售：你好".encode("gbk"), "text/plain")},
    )
    assert bad_file.status_code == 422 and "UTF-8" in bad_file.text
    assert _count(web_app, PracticeSession) == 0
