"""The progress pages (issue 12 item 3) through the ASGI transport: the rep's charts carry the effective
scores, the weakest skill names its passage, the compare page lays 2–4 attempts side by side, the team
heatmap is for trainers; who may see what. Scorecards are fixed after the call so the numbers are known."""

from __future__ import annotations

import re
from typing import Any

import httpx

from server.db.models import PracticeSession
from tests.web.support import INTRO, play_session

LISTEN = {
    "code": "no_pause_after_question",
    "turn": 1,
    "dimension": "listening",
    "message": "提问后没有停顿就接着说",
    "advice": "问完停 4 秒",
    "reference": {"section": "第四节 倾听技巧", "text": "黄金静默的原文"},
}


def scored(
    app: Any, scores: dict[str, int], findings: list[dict[str, Any]] = (), user: str = "demo-rep"
) -> str:
    state = app.state.peilian
    sid = play_session(state, user, [INTRO])
    with state.sessionmaker() as db:
        session = db.get(PracticeSession, sid)
        session.scorecard = {**session.scorecard, "scores": dict(scores), "findings": list(findings)}
        session.overall_score = scores["overall"]
        db.commit()
    return sid


def card(overall: int, listening: int) -> dict[str, int]:
    return {
        "overall": overall,
        "appointment": 80,
        "questioning": 60,
        "listening": listening,
        "commitment": 70,
    }


def chart_values(html: str, dimension: str) -> list[int]:
    chart = re.search(rf'<figure class="chart" data-dimension="{dimension}">(.*?)</figure>', html, re.S)[1]
    return [int(v) for v in re.findall(r'<text class="value"[^>]*>(\d+)</text>', chart)]


async def test_a_rep_sees_their_charts_weakest_skill_and_attempts(
    client: httpx.AsyncClient, login, web_app
) -> None:
    first = scored(web_app, card(60, 40), [LISTEN])
    second = scored(web_app, card(66, 50), [LISTEN])
    await login("demo-rep")
    page = (await client.get("/progress")).text
    assert "我的进步" in page and "共 2 次有评分的对练" in page
    assert chart_values(page, "listening") == [40, 50] and chart_values(page, "overall") == [60, 66]
    assert 'aria-label="倾听:2 次对练,依次为 40、50 分"' in page
    weak = re.search(r'<section class="panel weakest".*?</section>', page, re.S)[0]
    assert 'data-dimension="listening"' in weak and '平均 <strong id="weakest-average">45</strong>' in weak
    assert (
        "其中 2 次都出现:提问后没有停顿就接着说" in weak
        and "第四节 倾听技巧" in weak
        and "黄金静默的原文" in weak
    )
    assert f'value="{first}"' in page and f'value="{second}"' in page  # both offered for comparison
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", page)


async def test_a_trainers_adjustment_shows_in_the_charts(client: httpx.AsyncClient, login, web_app) -> None:
    sid = scored(web_app, card(60, 40), [LISTEN])
    scored(web_app, card(66, 50), [LISTEN])
    csrf = await login("demo-trainer")
    done = await client.post(
        f"/sessions/{sid}/review/adjustments",
        data={"csrf_token": csrf, "dimension": "listening", "score": "90", "reason": "客户打断"},
    )
    assert done.status_code == 303
    page = (await client.get("/progress/demo-rep")).text
    assert "演示销售" in page and chart_values(page, "listening") == [90, 50]
    assert 'class="dot adjusted"' in page and "(培训师调整后)" in page


async def test_the_compare_page(client: httpx.AsyncClient, login, web_app) -> None:
    a = scored(web_app, card(60, 40), [LISTEN])
    b = scored(web_app, card(66, 50))
    await login("demo-rep")
    page = await client.get("/progress/compare", params=[("s", a), ("s", b)])
    assert page.status_code == 200
    row = re.search(r'<tr data-dimension="listening">(.*?)</tr>', page.text, re.S)[1]
    assert re.findall(r"<td[^>]*>(?:<strong>)?(\d+)", row) == ["40", "50"] and "<strong>50</strong>" in row
    assert (
        page.text.count('<article class="panel compare-card"') == 2 and "提问后没有停顿就接着说" in page.text
    )
    assert page.text.count('svg class="radar small"') == 2
    one = await client.get("/progress/compare", params=[("s", a)])
    assert one.status_code == 422 and "请选择 2–4 次对练来比较" in one.text
    many = await client.get("/progress/compare", params=[("s", x) for x in (a, b, "c", "d", "e")])
    assert many.status_code == 422
    ghost = await client.get("/progress/compare", params=[("s", a), ("s", "nope")])
    assert ghost.status_code == 404 and "不存在" in ghost.text


async def test_who_sees_whose_progress(client: httpx.AsyncClient, login, web_app) -> None:
    a = scored(web_app, card(60, 40))
    b = scored(web_app, card(66, 50))
    other = scored(web_app, card(10, 10), user="other-rep")
    assert (await client.get("/progress")).status_code == 303  # a visitor logs in first
    await login("demo-rep")
    assert (await client.get("/progress/demo-rep")).status_code == 200
    assert (await client.get("/progress/demo-trainer")).status_code == 404
    assert (await client.get("/desk/team")).status_code == 403
    assert (await client.get("/progress/compare", params=[("s", a), ("s", other)])).status_code == 404
    await login("demo-trainer")
    assert (await client.get("/progress/other-rep")).status_code == 404  # another organisation's
    assert (await client.get("/progress/compare", params=[("s", a), ("s", b)])).status_code == 200


async def test_the_team_heatmap(client: httpx.AsyncClient, login, web_app) -> None:
    scored(web_app, card(60, 40), [LISTEN])
    scored(web_app, card(70, 61))
    await login("demo-trainer")
    page = (await client.get("/desk/team")).text
    row = re.search(r'<tr data-user="demo-rep">(.*?)</tr>', page, re.S)[1]
    cells = dict(
        re.findall(r'data-dimension="(\w+)"><span class="score">(\d+)</span> <small>\(2\)</small>', row)
    )
    assert cells == {
        "overall": "65",
        "appointment": "80",
        "questioning": "60",
        "listening": "51",
        "commitment": "70",
    }
    assert 'class="num heat heat-2" data-dimension="listening"' in row and "<td>倾听</td>" in row
    assert "other-rep" not in page and 'href="/progress/demo-rep"' in page
    assert "<caption" in page and "颜色图例" in page
