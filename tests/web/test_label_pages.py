"""The review page's "标签有误" form: a trainer corrects a rep message's label; the correction is shown next
to the classifier's label with who and when (Chinese date); CSRF, permissions, escaping, bad input."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import httpx
import pytest

from tests.web.support import ASK, INTRO, QUESTION, play_session
from web import present

CN_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}")


def state(app) -> object:
    return app.state.peilian


def rep_seqs(page: str) -> list[str]:
    return re.findall(r'<li id="m(\d+)" class="turn rep">', page)


async def test_a_trainer_corrects_a_label_and_sees_it_beside_the_classifiers(
    client: httpx.AsyncClient, login, web_app
) -> None:
    sid = play_session(state(web_app), "demo-rep", [INTRO, QUESTION, ASK])
    csrf = await login("demo-trainer")
    page = (await client.get(f"/sessions/{sid}/review")).text
    seqs = rep_seqs(page)
    assert len(seqs) == 3 and page.count("<summary>标签有误</summary>") == 3  # rep messages only
    assert page.count(f'action="/sessions/{sid}/review/labels"') == 3
    assert f'<label for="l{seqs[1]}-act">' in page and f'id="l{seqs[1]}-act" name="act" required' in page
    assert page.count(f'name="csrf_token" value="{csrf}"') >= 3
    assert '<fieldset data-act="exploratory">' in page and 'name="elements" value="benefit"' in page

    url = f"/sessions/{sid}/review/labels"
    refused = await client.post(url, data={"message_seq": seqs[1], "act": "statement"})
    assert refused.status_code == 403 and "CSRF" in refused.text
    # Fields of other acts are ignored (the page hides them; without script all are shown).
    fixed = await client.post(
        url,
        data={
            "csrf_token": csrf,
            "message_seq": seqs[1],
            "act": "exploratory",
            "focus": "motive",
            "form": "summary",
            "elements": ["time"],
        },
    )
    assert fixed.status_code == 303 and fixed.headers["location"] == f"/sessions/{sid}/review#m{seqs[1]}"
    stored = (await client.get(f"/api/v1/sessions/{sid}/labels")).json()
    assert stored[0]["label"] == {"act": "exploratory", "focus": "motive", "form": None, "elements": None}
    assert stored[0]["trainer"]["username"] == "demo-trainer"

    page = (await client.get(f"/sessions/{sid}/review")).text
    fix = re.search(rf'<li id="m{seqs[1]}".*?<p class="label-fix".*?</p>', page, re.S)[0]
    assert "培训师更正:" in fix and "探索·动机" in fix and "演示培训师 王老师" in fix
    assert re.search(r"<s>[^<]+</s>", fix) and CN_DATE.search(fix) and 'data-format="cn"' in fix
    assert "共更正" not in fix
    # Correcting the same message again: the newest is shown, and that there were two.
    ask = await client.post(
        url,
        data={
            "csrf_token": csrf,
            "message_seq": seqs[1],
            "act": "commitment",
            "elements": ["time", "action"],
        },
    )
    assert ask.status_code == 303
    page = (await client.get(f"/sessions/{sid}/review")).text
    fix = re.search(rf'<li id="m{seqs[1]}".*?<p class="label-fix".*?</p>', page, re.S)[0]
    assert "行动承诺 2/4" in fix and "共更正 2 次" in fix and 'title="缺少:参与的人、对客户的好处"' in fix
    form = re.search(rf'<li id="m{seqs[1]}".*?data-label-form>.*?</form>', page, re.S)[
        0
    ]  # the form starts from the current one
    assert '<option value="commitment" selected>' in form and 'value="time" checked' in form
    assert 'value="people" checked' not in form

    # The rep sees the correction on the scorecard, without the form.
    await client.post("/logout", data={"csrf_token": csrf})
    await login("demo-rep")
    card = (await client.get(f"/sessions/{sid}")).text
    assert "培训师更正:" in card and "行动承诺 2/4" in card and "标签有误" not in card


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"act": "exploratory"}, "必须给出 focus"),
        ({"act": "confirmation"}, "必须给出 form"),
        ({"act": "<script>alert(1)</script>"}, "收到:&lt;script&gt;alert(1)&lt;/script&gt;"),
        ({"act": "statement\x00"}, "不允许的字符"),  # every form refuses a NUL before the page looks at it
        ({"act": ""}, "请选择对话行为"),
        ({"act": "commitment", "elements": ["charm"]}, "未知的行动承诺要素"),
        ({"act": "statement", "message_seq": "0"}, "只能更正销售发言"),
        ({"act": "statement", "message_seq": "99"}, "没有第 99 条消息"),
        ({"act": "statement", "message_seq": "x"}, "message_seq"),
    ],
)
async def test_a_bad_correction_shows_the_review_page_with_the_error(
    client: httpx.AsyncClient, login, web_app, data: dict, message: str
) -> None:
    sid = play_session(state(web_app), "demo-rep", [INTRO])
    csrf = await login("demo-trainer")
    response = await client.post(
        f"/sessions/{sid}/review/labels", data={"csrf_token": csrf, "message_seq": "1", **data}
    )
    assert response.status_code == 422 and 'role="alert"' in response.text and message in response.text
    assert "<script>alert(1)" not in response.text
    assert (await client.get(f"/api/v1/sessions/{sid}/labels")).json() == []


async def test_reps_and_other_organisations_cannot_correct(client: httpx.AsyncClient, login, web_app) -> None:
    sid = play_session(state(web_app), "demo-rep", [INTRO])
    other = play_session(state(web_app), "other-rep", [INTRO])
    csrf = await login("demo-rep")
    refused = await client.post(
        f"/sessions/{sid}/review/labels", data={"csrf_token": csrf, "message_seq": "1", "act": "statement"}
    )
    assert refused.status_code == 403
    csrf = await login("demo-trainer")
    hidden = await client.post(
        f"/sessions/{other}/review/labels", data={"csrf_token": csrf, "message_seq": "1", "act": "statement"}
    )
    assert hidden.status_code == 404 and "不存在" in hidden.text
    assert (await client.get(f"/api/v1/sessions/{sid}/labels")).json() == []


def test_dates_are_written_the_chinese_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert present.cn_time(datetime(2026, 12, 1, 12, 15, tzinfo=UTC)) == "2026年12月1日 20:15"
        assert present.cn_time("2026-01-05T01:02:00+00:00") == "2026年1月5日 09:02"
        assert present.cn_time(None) == ""
    finally:
        monkeypatch.undo()
        time.tzset()
