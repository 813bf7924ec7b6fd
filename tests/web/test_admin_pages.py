"""The admin pages (issue 12 item 6): POST → redirect → GET everywhere, a new key shown once and never made
twice by a reload, revoking and disabling asked first, users edited, disabled and given a new password, and
LMS delivery set in the page through the same service the CLI uses."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import ApiKey, Organization, User
from tests.web.support import PASSWORD, post_login


def _user_id(web_app, username: str) -> str:
    with Session(web_app.state.peilian.engine) as db:
        return db.scalar(select(User.id).where(User.username == username))


def _keys(web_app) -> list[ApiKey]:
    with Session(web_app.state.peilian.engine) as db:
        return list(db.scalars(select(ApiKey)))


async def test_a_new_key_is_shown_once_and_a_reload_makes_no_second(
    client: httpx.AsyncClient, login, web_app
) -> None:
    csrf = await login("demo-admin")
    made = await client.post("/admin/api-keys", data={"csrf_token": csrf, "name": "Moodle"})
    assert made.status_code == 303 and made.headers["location"] == "/admin#new-key"
    shown = await client.get("/admin")
    secret = re.search(r'id="new-key" class="secret">(pl_[^<]+)</code>', shown.text)[1]
    assert 'data-copy="#new-key"' in shown.text and "复制" in shown.text
    reload = await client.get("/admin")  # what a reload does after the redirect
    assert secret not in reload.text and 'id="new-key"' not in reload.text
    assert len(_keys(web_app)) == 1


async def test_revoking_asks_first_even_without_javascript(client: httpx.AsyncClient, login, web_app) -> None:
    csrf = await login("demo-admin")
    await client.post("/admin/api-keys", data={"csrf_token": csrf, "name": "Moodle"})
    page = (await client.get("/admin")).text
    assert 'data-confirm="确定吊销密钥「Moodle」' in page
    key_id = re.search(r'action="/admin/api-keys/([0-9a-f]+)/revoke"', page)[1]
    asked = await client.post(f"/admin/api-keys/{key_id}/revoke", data={"csrf_token": csrf})
    assert asked.status_code == 200 and "确定吊销密钥「Moodle」" in asked.text and 'value="yes"' in asked.text
    assert _keys(web_app)[0].revoked_at is None  # nothing happened yet
    done = await client.post(f"/admin/api-keys/{key_id}/revoke", data={"csrf_token": csrf, "confirm": "yes"})
    assert done.status_code == 303 and "已吊销密钥" in (await client.get("/admin")).text
    assert _keys(web_app)[0].revoked_at is not None
    missing = await client.post("/admin/api-keys/nope/revoke", data={"csrf_token": csrf, "confirm": "yes"})
    assert missing.status_code == 404 and "不存在" in missing.text


async def test_an_admin_edits_disables_and_enables_a_user(client: httpx.AsyncClient, login, web_app) -> None:
    rep_id = _user_id(web_app, "demo-rep")
    csrf = await login("demo-admin")
    assert f'href="/admin/users/{rep_id}"' in (await client.get("/admin")).text
    edited = await client.post(
        f"/admin/users/{rep_id}", data={"csrf_token": csrf, "display_name": "张伟", "role": "trainer"}
    )
    assert edited.status_code == 303
    page = (await client.get(edited.headers["location"])).text
    assert "张伟" in page and "已保存" in page and '<option value="trainer" selected>' in page
    blank = await client.post(
        f"/admin/users/{rep_id}", data={"csrf_token": csrf, "display_name": " ", "role": "rep"}
    )
    assert blank.status_code == 422 and "显示名不能为空" in blank.text
    asked = await client.post(f"/admin/users/{rep_id}/active", data={"csrf_token": csrf, "active": "0"})
    assert asked.status_code == 200 and "确定停用「张伟」" in asked.text
    off = await client.post(
        f"/admin/users/{rep_id}/active", data={"csrf_token": csrf, "active": "0", "confirm": "yes"}
    )
    assert off.status_code == 303 and "已停用" in (await client.get(off.headers["location"])).text
    refused = await post_login(client, "demo-rep")
    assert refused.status_code == 401 and "用户名或密码不正确" in refused.text
    csrf = await login("demo-admin")
    admin_id = _user_id(web_app, "demo-admin")
    own = await client.post(
        f"/admin/users/{admin_id}/active", data={"csrf_token": csrf, "active": "0", "confirm": "yes"}
    )
    assert own.status_code == 422 and "不能停用自己的账号" in own.text
    on = await client.post(f"/admin/users/{rep_id}/active", data={"csrf_token": csrf, "active": "1"})
    assert on.status_code == 303
    assert (await post_login(client, "demo-rep")).status_code == 303


async def test_an_admin_resets_a_password(client: httpx.AsyncClient, login, web_app) -> None:
    rep_id = _user_id(web_app, "demo-rep")
    csrf = await login("demo-admin")
    url = f"/admin/users/{rep_id}/password"
    differ = await client.post(
        url, data={"csrf_token": csrf, "password": "new-pass-123", "password2": "other-123"}
    )
    assert differ.status_code == 422 and "不一致" in differ.text
    short = await client.post(url, data={"csrf_token": csrf, "password": "short", "password2": "short"})
    assert short.status_code == 422 and "密码至少" in short.text
    done = await client.post(
        url, data={"csrf_token": csrf, "password": "new-pass-123", "password2": "new-pass-123"}
    )
    assert done.status_code == 303 and "新密码已生效" in (await client.get(done.headers["location"])).text
    assert (await post_login(client, "demo-rep")).status_code == 401
    assert (await post_login(client, "demo-rep", password="new-pass-123")).status_code == 303
    assert PASSWORD != "new-pass-123"


async def test_lms_delivery_is_set_in_the_page(client: httpx.AsyncClient, login, web_app) -> None:
    csrf = await login("demo-admin")
    assert "成绩投递设置" in (await client.get("/admin/lms")).text
    data = {
        "csrf_token": csrf,
        "lrs_endpoint": "https://lrs.example.com/xapi/",
        "lrs_auth": "Basic abc",
        "webhook_url": "https://lms.example.com/hook",
        "webhook_secret": "s3cret-value",
    }
    saved = await client.post("/admin/lms", data=data)
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/lms"
    page = (await client.get("/admin/lms")).text
    assert "已保存" in page and 'value="https://lrs.example.com/xapi/"' in page
    assert "s3cret-value" not in page and "Basic abc" not in page and "已设置;留空保持不变" in page

    def org() -> Organization:
        with Session(web_app.state.peilian.engine) as db:
            return db.scalar(select(Organization).where(Organization.slug == "demo"))

    assert (org().lrs_auth, org().webhook_secret) == ("Basic abc", "s3cret-value")
    bad = await client.post("/admin/lms", data={**data, "webhook_url": "ftp://nope", "webhook_secret": ""})
    assert bad.status_code == 422 and "webhook 地址 必须是" in bad.text and 'value="ftp://nope"' in bad.text
    assert org().webhook_url == "https://lms.example.com/hook"  # a refused form changes nothing
    keep = await client.post(
        "/admin/lms", data={**data, "lrs_auth": "", "webhook_secret": "", "clear_webhook_secret": "1"}
    )
    assert keep.status_code == 303 and (org().lrs_auth, org().webhook_secret) == ("Basic abc", None)
    trainer = await login("demo-trainer")
    assert (await client.post("/admin/lms", data={**data, "csrf_token": trainer})).status_code == 403


async def test_trainers_and_admins_land_on_the_desk_reps_on_the_picker(client: httpx.AsyncClient) -> None:
    for username, landing in (("demo-rep", "/"), ("demo-trainer", "/desk"), ("demo-admin", "/desk")):
        response = await post_login(client, username)
        assert response.status_code == 303 and response.headers["location"] == landing, username
    asked = await post_login(client, "demo-trainer", next="/progress")
    assert asked.headers["location"] == "/progress"  # the page asked for wins
