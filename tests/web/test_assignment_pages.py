"""The assignment pages without a browser (ASGI transport): a trainer assigns from the form, a rep sees 我的任务
and starts an attempt, an exam's call page has no coach labels or ring and shows the turn budget, refusals
are Chinese messages on the page with nothing stored, the release button, the certificate."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select

from server.db.models import Assignment, PracticeSession
from tests.web.support import INTRO


def local_in(days: float) -> str:
    """A datetime-local value (the server's local time) `days` from now."""
    return (datetime.now().astimezone() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


async def create(client: httpx.AsyncClient, csrf: str, **fields: object) -> httpx.Response:
    data = {
        "csrf_token": csrf,
        "scenario_id": "gov-meeting-room",
        "difficulty": "standard",
        "pass_mark": "60",
        "deadline": local_in(3),
        "reps": "demo-rep",
        **fields,
    }
    return await client.post("/assignments", data=data)


def sessions_count(app) -> int:
    with app.state.peilian.sessionmaker() as db:
        return db.scalar(select(func.count()).select_from(PracticeSession)) or 0


async def test_a_trainer_assigns_an_exam_and_the_rep_takes_it(
    client: httpx.AsyncClient, login, web_app
) -> None:
    csrf = await login("demo-trainer")
    page = await client.get("/assignments")
    assert page.status_code == 200 and "布置新任务" in page.text and "任务与考核" in page.text
    made = await create(client, csrf, exam="1", max_attempts="1", pass_mark="101")
    assert made.status_code == 422 and "及格线应为 0–100" in made.text
    made = await create(client, csrf, exam="1", max_attempts="1", deadline=local_in(-1))
    assert made.status_code == 422 and "截止时间必须晚于现在" in made.text
    made = await create(client, csrf, exam="1", max_attempts="1")
    assert made.status_code == 303
    detail = await client.get(made.headers["location"])
    assert "演示销售 小陈" in detail.text and "未开始" in detail.text and "考核" in detail.text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", detail.text)  # dates the Chinese way

    csrf = await login("demo-rep")
    home = await client.get("/")
    assert "我的任务" in home.text and "开始考核" in home.text and "未开始" in home.text
    aid = made.headers["location"].rsplit("/", 1)[1]
    started = await client.post(f"/assignments/{aid}/start", data={"csrf_token": csrf})
    assert started.status_code == 303 and started.headers["location"].startswith("/call/")
    call = await client.get(started.headers["location"])
    assert 'data-exam="1"' in call.text
    assert 'id="coach"' not in call.text  # no coach labels
    assert re.search(r'id="silence"[^>]*hidden', call.text)  # no live meter
    assert "本通最多 16 轮" in call.text and 'id="end-dialog"' in call.text
    sid = started.headers["location"].rsplit("/", 1)[1]
    practice = web_app.state.peilian.practice
    practice.rep_message(sid, text=INTRO, typing_started_at=None, sent_at=None)
    assert "第 1/16 轮" in (await client.get(f"/call/{sid}")).text
    practice.end(sid)

    # Over the limit: a clear message, nothing stored.
    before = sessions_count(web_app)
    refused = await client.post(f"/assignments/{aid}/start", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "最多可以做 1 次" in refused.text
    assert sessions_count(web_app) == before

    scorecard = await client.get(f"/sessions/{sid}")
    assert 'id="exam"' in scorecard.text and "及格线 60 分" in scorecard.text
    assert "隐藏信息要等培训师公布" in scorecard.text and 'class="facts"' not in scorecard.text

    csrf = await login("demo-trainer")
    review = await client.get(f"/sessions/{sid}/review")
    assert 'id="release-facts"' in review.text and 'class="facts"' in review.text
    released = await client.post(f"/sessions/{sid}/review/release", data={"csrf_token": csrf})
    assert released.status_code == 303
    assert "隐藏信息已于" in (await client.get(f"/sessions/{sid}/review")).text
    assert (
        "未通过" in (await client.get(f"/assignments/{aid}")).text
        or "已通过" in (await client.get(f"/assignments/{aid}")).text
    )

    await login("demo-rep")
    scorecard = await client.get(f"/sessions/{sid}")
    assert 'class="facts"' in scorecard.text and "隐藏信息要等培训师公布" not in scorecard.text


async def test_a_pass_is_a_certificate_on_the_reps_page(client: httpx.AsyncClient, login, web_app) -> None:
    csrf = await login("demo-trainer")
    made = await create(client, csrf, exam="1", pass_mark="0")  # any score passes
    aid = made.headers["location"].rsplit("/", 1)[1]
    csrf = await login("demo-rep")
    started = await client.post(f"/assignments/{aid}/start", data={"csrf_token": csrf})
    sid = started.headers["location"].rsplit("/", 1)[1]
    practice = web_app.state.peilian.practice
    practice.rep_message(sid, text=INTRO, typing_started_at=None, sent_at=None)
    practice.end(sid)
    home = await client.get("/")
    assert "我的证书" in home.text and "考核通过 · 区政府会议室改造" in home.text
    assert "演示培训师 王老师" in home.text and "已通过" in home.text
    assert "开始考核" not in home.text  # passed: no more attempts
    again = await client.post(f"/assignments/{aid}/start", data={"csrf_token": csrf})
    assert again.status_code == 409 and "已经通过" in again.text


async def test_an_expired_task_refuses_with_a_message(client: httpx.AsyncClient, login, web_app) -> None:
    csrf = await login("demo-trainer")
    made = await create(client, csrf)
    aid = made.headers["location"].rsplit("/", 1)[1]
    with web_app.state.peilian.sessionmaker() as db:
        db.get(Assignment, aid).deadline = datetime.now().astimezone() - timedelta(minutes=5)
        db.commit()
    csrf = await login("demo-rep")
    home = await client.get("/")
    assert "已过期" in home.text and "开始练习" not in home.text
    before = sessions_count(web_app)
    refused = await client.post(f"/assignments/{aid}/start", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "截止,不能再开始新的练习" in refused.text
    assert sessions_count(web_app) == before


async def test_teams_and_who_may_see_the_pages(client: httpx.AsyncClient, login, web_app) -> None:
    csrf = await login("demo-trainer")
    saved = await client.post(
        "/assignments/teams", data={"csrf_token": csrf, "username": "demo-rep", "team": "演示一组"}
    )
    assert saved.status_code == 303
    page = await client.get("/assignments")
    assert "演示一组" in page.text
    made = await create(client, csrf, reps="", teams="演示一组")
    assert made.status_code == 303
    detail = await client.get(made.headers["location"])
    assert 'data-team="演示一组"' in detail.text
    bad = await client.post(
        "/assignments/teams", data={"csrf_token": csrf, "username": "demo-admin", "team": "x"}
    )
    assert bad.status_code == 404 and "请选择一位本组织的销售" in bad.text
    stale = await create(client, "wrong-token")
    assert stale.status_code == 403

    await login("demo-rep")
    assert (await client.get("/assignments")).status_code == 403
    assert "我的任务" in (await client.get("/")).text  # the team's task reached the rep
    assert (await client.get("/assignments/nope")).status_code == 403
