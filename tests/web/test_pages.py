"""Server-rendered pages through the ASGI transport: who sees what, forms, escaping. Fast (no browser)."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.conftest import ROOT
from tests.web.support import ASK, INTRO, QUESTION, play_session, post_login

XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"
PAGES = ["/desk", "/desk/scenarios", "/admin", "/call/abc", "/sessions/abc", "/sessions/abc/review"]


def state(client_or_app) -> object:
    return client_or_app.state.peilian


# -- logging in ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", *PAGES])
async def test_logged_out_visitors_are_sent_to_login(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    if path == "/":  # the landing page: what Peilian is, the book search, a way to log in
        assert response.status_code == 200 and 'href="/login"' in response.text
        return
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=%2F")


async def test_login_form_shows_the_demo_accounts_and_refuses_a_wrong_password(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/login")
    assert page.status_code == 200 and "demo-rep" in page.text and "peilian-demo" in page.text
    wrong = await post_login(client, "demo-rep", "nope")
    assert wrong.status_code == 401 and "用户名或密码不正确" in wrong.text
    assert "peilian_session" not in wrong.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/desk/scenarios", "/desk/scenarios"), ("https://evil.example/", "/desk"), ("//evil", "/desk")],
)
async def test_login_returns_to_the_page_asked_for_never_elsewhere(
    client: httpx.AsyncClient, target: str, expected: str
) -> None:
    response = await post_login(client, "demo-trainer", next=target)
    assert response.status_code == 303 and response.headers["location"] == expected
    assert "peilian_session=" in response.headers["set-cookie"]


async def test_logout_needs_the_csrf_token(client: httpx.AsyncClient, login) -> None:
    csrf = await login("demo-rep")
    refused = await client.post("/logout", data={})
    assert refused.status_code == 403 and "CSRF" in refused.text
    done = await client.post("/logout", data={"csrf_token": csrf})
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert (await client.get("/desk")).status_code == 303


# -- practice ------------------------------------------------------------------------------------------
async def test_home_lists_scenarios_without_their_hidden_facts(client: httpx.AsyncClient, login) -> None:
    await login("demo-rep")
    page = await client.get("/")
    assert page.status_code == 200
    assert "区政府会议室改造" in page.text and "约到王主任 20~40 分钟的见面" in page.text
    assert "区长当面说了我们办公室" not in page.text and "营商环境现场会" not in page.text  # hidden facts
    assert 'href="/desk"' not in page.text and 'href="/admin"' not in page.text  # a rep's navigation


async def test_start_a_call_and_see_the_greeting(client: httpx.AsyncClient, login) -> None:
    csrf = await login("demo-rep")
    refused = await client.post("/practice/start", data={"scenario_id": "gov-meeting-room"})
    assert refused.status_code == 403
    started = await client.post(
        "/practice/start", data={"scenario_id": "gov-meeting-room", "csrf_token": csrf}
    )
    assert started.status_code == 303 and started.headers["location"].startswith("/call/")
    page = await client.get(started.headers["location"])
    assert page.status_code == 200
    assert 'id="composer"' in page.text and 'id="silence"' in page.text and 'aria-live="polite"' in page.text
    data = json.loads(
        re.search(r'<script type="application/json" id="call-data">(.*?)</script>', page.text, re.S)[1]
    )
    assert data["labels"]["acts"]["exploratory"] == "探索"
    assert "营商环境现场会" not in page.text
    unknown = await client.post("/practice/start", data={"scenario_id": "nope", "csrf_token": csrf})
    assert unknown.status_code == 404 and "未知场景" in unknown.text


async def test_an_ended_call_page_goes_to_the_scorecard(client: httpx.AsyncClient, login, web_app) -> None:
    await login("demo-rep")
    sid = play_session(state(web_app), "demo-rep", [INTRO])
    response = await client.get(f"/call/{sid}")
    assert response.status_code == 303 and response.headers["location"] == f"/sessions/{sid}"
    active = play_session(state(web_app), "demo-rep", [INTRO], end=False)
    assert (await client.get(f"/sessions/{active}")).headers["location"] == f"/call/{active}"


# -- the scorecard -------------------------------------------------------------------------------------
async def test_scorecard_page_shows_scores_metrics_facts_and_the_annotated_transcript(
    client: httpx.AsyncClient, login, web_app
) -> None:
    await login("demo-rep")
    sid = play_session(
        state(web_app), "demo-rep", [INTRO, QUESTION, "我们的无线话筒音质好,价格优惠,性价比很高。", ASK]
    )
    page = await client.get(f"/sessions/{sid}")
    assert page.status_code == 200
    text = page.text
    assert 'class="radar"' in text and '<polygon class="area"' in text and "各维度得分雷达图" in text
    for label in ("说话占比", "提问比例", "黄金静默", "最长独白", "约访", "提问", "倾听", "行动承诺"):
        assert label in text
    assert "探索·期望" in text or "探索·需求" in text  # the question's act
    assert "产品陈述" in text and 'data-code="pitch_in_appointment"' in text
    assert "书中原文:第二篇 转化商机" in text and "应该这样做:" in text
    assert "✓ 挣到" in text and "✗ 错过" in text and "区长当面说了我们办公室" not in text
    assert "设备要稳定可靠" in text  # the hidden facts, revealed after the call
    assert f'href="/sessions/{sid}/scorecard.json"' in text and f'href="/sessions/{sid}/print"' in text
    assert f'href="/sessions/{sid}/review"' not in text  # not for a rep


async def test_exports_json_and_a_printable_page(client: httpx.AsyncClient, login, web_app) -> None:
    await login("demo-rep")
    sid = play_session(state(web_app), "demo-rep", [INTRO, ASK])
    exported = await client.get(f"/sessions/{sid}/scorecard.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    body = exported.json()
    assert {"scores", "metrics", "findings", "turns", "facts", "session", "review"} <= set(body)
    printable = await client.get(f"/sessions/{sid}/print")
    assert (
        printable.status_code == 200
        and 'id="print-now"' in printable.text
        and '<details class="ref" open>' in printable.text
    )


async def test_user_text_is_escaped_everywhere(client: httpx.AsyncClient, login, web_app) -> None:
    await login("demo-trainer")
    sid = play_session(state(web_app), "demo-rep", [XSS])
    for path in (f"/sessions/{sid}", f"/sessions/{sid}/review", f"/sessions/{sid}/print"):
        page = await client.get(path)
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text, path
    book = await client.get("/book", params={"q": XSS})
    assert "<script>alert" not in book.text and "&lt;script&gt;" in book.text


async def test_a_session_of_another_organisation_is_not_found(
    client: httpx.AsyncClient, login, web_app
) -> None:
    sid = play_session(state(web_app), "other-rep", [INTRO])
    await login("demo-admin")
    for path in (f"/sessions/{sid}", f"/sessions/{sid}/review", f"/call/{sid}", f"/sessions/{sid}/print"):
        response = await client.get(path)
        assert response.status_code == 404 and "不存在" in response.text, path


async def test_a_rep_cannot_see_a_colleagues_session(client: httpx.AsyncClient, login, web_app) -> None:
    sid = play_session(state(web_app), "demo-trainer", [INTRO])
    await login("demo-rep")
    assert (await client.get(f"/sessions/{sid}")).status_code == 404


# -- the trainer's review ------------------------------------------------------------------------------
async def test_trainer_comments_on_a_message_and_adjusts_a_score(
    client: httpx.AsyncClient, login, web_app
) -> None:
    sid = play_session(state(web_app), "demo-rep", [INTRO, ASK])
    csrf = await login("demo-trainer")
    page = await client.get(f"/sessions/{sid}/review")
    assert page.status_code == 200 and "点评这句" in page.text and "调整分数" in page.text
    comment = await client.post(
        f"/sessions/{sid}/review/comments",
        data={"csrf_token": csrf, "message_seq": "1", "text": "开场很完整,<b>好</b>"},
    )
    assert comment.status_code == 303 and comment.headers["location"].endswith("#m1")
    before = (await client.get(f"/api/v1/sessions/{sid}/review")).json()["scores"]["original"]["listening"]
    adjust = await client.post(
        f"/sessions/{sid}/review/adjustments",
        data={"csrf_token": csrf, "dimension": "listening", "score": "95", "reason": "客户打断,情有可原"},
    )
    assert adjust.status_code == 303
    bad = await client.post(
        f"/sessions/{sid}/review/adjustments",
        data={"csrf_token": csrf, "dimension": "listening", "score": "120", "reason": "太高"},
    )
    assert bad.status_code == 422 and "0–100" in bad.text
    no_reason = await client.post(
        f"/sessions/{sid}/review/adjustments",
        data={"csrf_token": csrf, "dimension": "listening", "score": "90", "reason": ""},
    )
    assert no_reason.status_code == 422 and "理由" in no_reason.text
    review = await client.get(f"/sessions/{sid}/review")
    assert "开场很完整,&lt;b&gt;好&lt;/b&gt;" in review.text and "客户打断,情有可原" in review.text
    assert f"原始 {before},培训师已调整" in review.text  # the original is kept beside the new score
    # The rep sees the comment and the adjusted score on the scorecard, but no forms.
    await client.post("/logout", data={"csrf_token": csrf})
    await login("demo-rep")
    card = await client.get(f"/sessions/{sid}")
    assert "开场很完整" in card.text and "培训师已调整" in card.text and "点评这句" not in card.text


async def test_a_rep_cannot_review(client: httpx.AsyncClient, login, web_app) -> None:
    sid = play_session(state(web_app), "demo-rep", [INTRO])
    csrf = await login("demo-rep")
    assert (await client.get(f"/sessions/{sid}/review")).status_code == 403
    refused = await client.post(
        f"/sessions/{sid}/review/comments", data={"csrf_token": csrf, "text": "我自己夸自己"}
    )
    assert refused.status_code == 403
    assert (await client.get(f"/api/v1/sessions/{sid}/review")).json()["comments"] == []


# -- the trainer desk ----------------------------------------------------------------------------------
async def test_desk_lists_reps_with_trends_and_filters_sessions(
    client: httpx.AsyncClient, login, web_app
) -> None:
    good = play_session(state(web_app), "demo-rep", [INTRO, QUESTION, ASK])
    play_session(state(web_app), "demo-rep", ["我们的产品很好,价格便宜,您买吧。"])
    await login("demo-trainer")
    desk = await client.get("/desk")
    assert desk.status_code == 200 and "演示销售 小陈" in desk.text and 'class="spark"' in desk.text
    assert desk.text.count('/review">点评</a>') == 2
    overall = (
        state(web_app)
        .sessionmaker()
        .get(__import__("server.db.models", fromlist=["x"]).PracticeSession, good)
        .overall_score
    )
    high = await client.get("/desk", params={"rep": "demo-rep", "min": str(overall), "since": "2000-01-01"})
    assert f'/sessions/{good}"' in high.text and high.text.count('/review">点评</a>') == 1
    none = await client.get("/desk", params={"until": "2000-01-01"})
    assert "没有符合条件的对练" in none.text
    noted = await client.get("/desk", params={"since": "yesterday", "min": "abc"})
    assert noted.status_code == 200 and "开始日期格式应为" in noted.text and "最低分应为" in noted.text


async def test_a_rep_sees_no_desk(client: httpx.AsyncClient, login) -> None:
    await login("demo-rep")
    for path in ("/desk", "/desk/scenarios", "/admin"):
        response = await client.get(path)
        assert response.status_code == 403 and "没有权限" in response.text, path


# -- scenario management and administration -----------------------------------------------------------
def valid_card() -> str:
    """A built-in card under a new id and title: a card that passes validation."""
    text = (ROOT / "scenarios" / "gov-meeting-room.yaml").read_text(encoding="utf-8")
    return text.replace("id: gov-meeting-room", "id: my-visit").replace(
        "title: 区政府会议室改造", "title: 我的测试拜访"
    )


async def test_trainer_uploads_a_card_and_sees_validation_errors(client: httpx.AsyncClient, login) -> None:
    csrf = await login("demo-trainer")
    page = await client.get("/desk/scenarios")
    assert page.status_code == 200 and "区政府会议室改造" in page.text
    bad = await client.post(
        "/desk/scenarios", data={"csrf_token": csrf, "yaml_text": "id: x\nmode: party\n<b>"}
    )
    assert bad.status_code == 422 and "无法保存" in bad.text and "&lt;b&gt;" in bad.text  # kept, escaped
    empty = await client.post("/desk/scenarios", data={"csrf_token": csrf, "yaml_text": "  "})
    assert empty.status_code == 422
    good = await client.post(
        "/desk/scenarios",
        data={"csrf_token": csrf},
        files={"card_file": ("card.yaml", valid_card().encode(), "application/yaml")},
    )
    if good.status_code != 303:
        pytest.fail(re.search(r'id="upload-error">(.*?)</p>', good.text, re.S)[1])
    assert good.headers["location"] == "/desk/scenarios?saved=my-visit"
    assert "我的测试拜访" in (await client.get("/")).text


async def test_admin_creates_users_and_api_keys_shown_once(client: httpx.AsyncClient, login) -> None:
    csrf = await login("demo-admin")
    page = await client.get("/admin")
    assert page.status_code == 200 and "demo-trainer" in page.text
    made = await client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "zhang.wei",
            "display_name": "张伟",
            "role": "rep",
            "password": "long-enough-1",
        },
    )
    assert made.status_code == 303 and "张伟" in (await client.get(made.headers["location"])).text
    short = await client.post(
        "/admin/users", data={"csrf_token": csrf, "username": "li.na", "role": "rep", "password": "x"}
    )
    assert short.status_code == 422 and "密码至少" in short.text and 'value="li.na"' in short.text
    key = await client.post("/admin/api-keys", data={"csrf_token": csrf, "name": "Moodle"})
    assert key.status_code == 303 and "pl_" not in key.headers["location"]
    shown = await client.get(key.headers["location"])
    secret = re.search(r'id="new-key" class="secret">(pl_[^<]+)</code>', shown.text)[1]
    assert "只显示这一次" in shown.text
    assert secret not in (await client.get("/admin")).text
    lms = await client.get("/api/v1/scenarios", headers={"Authorization": f"Bearer {secret}"})
    assert lms.status_code == 200
    key_id = re.search(r'action="/admin/api-keys/([0-9a-f]+)/revoke"', (await client.get("/admin")).text)[1]
    revoked = await client.post(
        f"/admin/api-keys/{key_id}/revoke", data={"csrf_token": csrf, "confirm": "yes"}
    )
    assert revoked.status_code == 303 and "已吊销" in (await client.get(revoked.headers["location"])).text


async def test_the_admin_page_answers_refusals_by_their_kind(client: httpx.AsyncClient, login) -> None:
    csrf = await login("demo-admin")
    before = (await client.get("/api/v1/admin/users")).json()
    assert any(u["username"] == "demo-rep" for u in before)
    dup = await client.post(
        "/admin/users",
        data={"csrf_token": csrf, "username": "demo-rep", "role": "rep", "password": "long-enough-1"},
    )
    assert dup.status_code == 409 and "已被使用" in dup.text  # a Conflict, whatever its wording
    gone = await client.post("/admin/api-keys/no-such-key/revoke", data={"csrf_token": csrf})
    assert gone.status_code == 404 and "不存在" in gone.text
    assert (await client.get("/api/v1/admin/users")).json() == before  # nothing stored changed


async def test_a_trainer_cannot_administer(client: httpx.AsyncClient, login) -> None:
    csrf = await login("demo-trainer")
    assert (await client.get("/admin")).status_code == 403
    assert (await client.post("/admin/api-keys", data={"csrf_token": csrf, "name": "x"})).status_code == 403


async def test_book_page_searches(client: httpx.AsyncClient) -> None:
    page = await client.get("/book", params={"q": "黄金静默"})
    assert page.status_code == 200 and "倾听技巧" in page.text
