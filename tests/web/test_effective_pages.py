"""The pages after a trainer's adjustment and with the call's outcome: the rep's list, the desk, the
scorecard and review pages (ASGI transport, no browser). Scorecards are fixed in the database after the call
so that the numbers do not depend on the scorer's tuning."""

from __future__ import annotations

import re
from typing import Any

import httpx

from server.db.models import PracticeSession
from tests.web.support import INTRO, play_session

# Appointment weights: 0.35 appointment, 0.2 questioning, 0.25 listening, 0.2 commitment → 69.
SCORES = {"overall": 69, "appointment": 80, "questioning": 60, "listening": 60, "commitment": 70}
COMMITTED = {
    "result": "committed",
    "commitment": "highest",
    "elements": ["time", "people", "action"],
    "reason": None,
    "facts_earned": 5,
    "facts_total": 12,
    "earned": {"expectation": 2, "need": 2, "motive": 1, "process": 0},
}


def fixed_session(app: Any, outcome: Any = COMMITTED, scores: dict[str, int] = SCORES, **extra: Any) -> str:
    """An ended session of demo-rep with a known scorecard (no `outcome` key when `outcome` is None)."""
    state = app.state.peilian
    sid = play_session(state, "demo-rep", [INTRO])
    with state.sessionmaker() as db:
        session = db.get(PracticeSession, sid)
        card: dict[str, Any] = {**session.scorecard, "scores": dict(scores), **extra}
        card.pop("outcome", None)
        if outcome is not None:
            card["outcome"] = outcome
        session.scorecard, session.overall_score = card, scores["overall"]
        db.commit()
    return sid


def outcome_of_page(html: str) -> str:
    match = re.search(r'<p class="outcome" id="outcome" data-result="(\w+)">([^<]*)</p>', html)
    assert match, "no outcome line"
    return f"{match.group(1)}: {match.group(2)}"


async def test_the_outcome_heads_the_scorecard_and_review(client: httpx.AsyncClient, login, web_app) -> None:
    committed = fixed_session(web_app)
    hung_up = fixed_session(
        web_app,
        {
            **COMMITTED,
            "result": "hung_up",
            "commitment": None,
            "elements": None,
            "reason": "pitch_in_appointment",
            "facts_earned": 1,
        },
    )
    imported = fixed_session(web_app, {"result": "unknown", "facts_earned": None, "facts_total": None})
    old = fixed_session(web_app, None)
    await login("demo-trainer")
    expected = {
        committed: "committed: 结果：客户同意（最高承诺）· 挖掘事实 5/12",
        hung_up: "hung_up: 结果：客户挂断（约访电话里介绍产品）· 挖掘事实 1/12",
        imported: "unknown: 结果：无法判断（导入的记录）",
        old: "unknown: 结果：无法判断（这张评分卡没有记录结果）",
    }
    for sid, line in expected.items():
        for path in (f"/sessions/{sid}", f"/sessions/{sid}/review", f"/sessions/{sid}/print"):
            page = await client.get(path)
            assert page.status_code == 200, path
            assert outcome_of_page(page.text) == line, path
            assert page.text.index('id="outcome"') < page.text.index('id="scores"')  # at the top
    body = (await client.get(f"/sessions/{old}/scorecard.json")).json()
    assert body["outcome"]["result"] == "unknown" and body["original_scores"] == SCORES
    active = play_session(web_app.state.peilian, "demo-rep", [INTRO], end=False)
    assert 'id="outcome"' not in (await client.get(f"/sessions/{active}")).text


async def test_an_adjustment_shows_on_every_page(client: httpx.AsyncClient, login, web_app) -> None:
    sid = fixed_session(web_app)
    other = fixed_session(web_app, scores={**SCORES, "overall": 66})
    csrf = await login("demo-trainer")
    review = await client.get(f"/sessions/{sid}/review")
    assert "自动重算" in review.text and "不会重算总分" not in review.text  # the text says what it does
    posted = await client.post(
        f"/sessions/{sid}/review/adjustments",
        data={"csrf_token": csrf, "dimension": "listening", "score": "100", "reason": "客户打断"},
    )
    assert posted.status_code == 303
    review = await client.get(f"/sessions/{sid}/review")
    assert '<span class="big" id="overall-score">79</span>' in review.text
    assert "原始 69,按调整后的各维度重算" in review.text and "原始 60,培训师已调整" in review.text
    assert re.search(r'<td class="num">60 → 100</td><td>演示培训师 王老师</td><td>客户打断</td>', review.text)

    desk = await client.get("/desk")
    assert (
        '<td class="num">79 <small class="muted" title="原始 69,培训师调整过分数">已调整</small></td>'
        in desk.text
    )
    high = await client.get("/desk", params={"min": "75"})
    assert f'/sessions/{sid}"' in high.text and f'/sessions/{other}"' not in high.text
    low = await client.get("/desk", params={"max": "70"})
    assert f'/sessions/{sid}"' not in low.text and f'/sessions/{other}"' in low.text
    [rep] = [
        r for r in (await client.get("/api/v1/reports/reps")).json() if r["user"]["username"] == "demo-rep"
    ]
    assert rep["average"] == round((79 + 66) / 2)
    assert f'<td class="num">{rep["average"]}</td>' in desk.text  # the desk's average is the effective one

    await client.post("/logout", data={"csrf_token": csrf})
    await login("demo-rep")
    home = await client.get("/")
    assert '<td class="num">79 <small class="muted" title="培训师调整过分数">已调整</small></td>' in home.text
    assert '<td class="num">66</td>' in home.text
    card = await client.get(f"/sessions/{sid}")
    assert '<span class="big" id="overall-score">79</span>' in card.text and "60 → 100" in card.text


async def test_call_level_findings_and_messages_after_a_hang_up(
    client: httpx.AsyncClient, login, web_app
) -> None:
    finding = {
        "code": "commitment_not_asked",
        "turn": None,
        "dimension": "commitment",
        "message": "整通没有索取承诺",
        "advice": "最后要索取行动承诺",
        "reference": {"section": "第五篇", "text": "行动承诺"},
    }
    sid = fixed_session(web_app, findings=[finding], turns=[{"index": 0}, {"index": 1, "scored": False}])
    await login("demo-rep")
    page = await client.get(f"/sessions/{sid}")
    assert "整通对话" in page.text and 'data-code="commitment_not_asked"' in page.text
    assert "整通没有索取承诺" in page.text and "客户已经离开,这句不计分" in page.text
