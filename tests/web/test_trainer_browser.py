"""The trainer's and admin's pages in Chromium (issue 12 items 3, 6 and 7): trainers land on the desk, times
in Chinese, progress charts with the right numbers, the team heatmap, the compare page; on the admin pages a
reload after 生成密钥 makes no second key, the copy button, revoking and disabling asked in a dialog, a
disabled user cannot log in, a reset password works, LMS settings saved. Screenshots as test_browser's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from knowledge.cite import cite
from server.db.models import ApiKey, Organization, User
from server.services import accounts
from tests.web.conftest import LiveServer
from tests.web.support import PASSWORD
from tests.web.test_progress_pages import LISTEN, card, scored

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
CN_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}")
# The finding as the scorer writes it, with the passage the book index cites for it.
PAUSE = {
    **LISTEN,
    "message": "提问后没有停顿,马上又接着解释",
    "advice": "问完就闭嘴,等客户回答;客户说完再憋 4 秒",
    "reference": cite("提问后不要急着说话 黄金静默 停顿四秒", "第四节 倾听技巧"),
}


def log_in(browser: Any, server: LiveServer, username: str, password: str = PASSWORD, **options: Any) -> Any:
    """A fresh context, logged in through the form; the page is left where the login sent it."""
    context = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="zh-CN", **options)
    context.set_default_timeout(10_000)
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', "
        "(e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));"
    )
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def test_trainers_land_on_the_desk_and_reps_on_the_picker(browser: Any, live_server: LiveServer) -> None:
    scored(live_server.app, card(70, 60))
    trainer = log_in(browser, live_server, "demo-trainer")
    assert trainer.url == f"{live_server.url}/desk"
    assert CN_DATE.fullmatch(trainer.locator("table.sessions time").first.inner_text())
    admin = log_in(browser, live_server, "demo-admin")
    assert admin.url == f"{live_server.url}/desk"
    rep = log_in(browser, live_server, "demo-rep")
    assert rep.url == f"{live_server.url}/" and rep.locator("li.scenario").count() >= 1
    assert CN_DATE.fullmatch(rep.locator("time").first.inner_text())
    assert trainer.evaluate("window.__csp") == [] and rep.evaluate("window.__csp") == []


def test_progress_charts_heatmap_and_compare(
    browser: Any, live_server: LiveServer, screenshots: Path
) -> None:
    with live_server.state.sessionmaker() as db:
        org = db.scalar(select(Organization).where(Organization.slug == "demo"))
        accounts.create_user(
            db, org=org, username="li.na", role="rep", password=PASSWORD, display_name="李娜"
        )
        db.commit()
    for overall, listening in ((52, 35), (61, 48), (68, 62), (74, 70)):
        scored(live_server.app, card(overall, listening), [PAUSE], user="li.na")
    rep = log_in(browser, live_server, "li.na")
    rep.get_by_role("link", name="我的进步").click()
    chart = rep.locator("figure.chart[data-dimension='listening']")
    assert chart.locator("text.value").all_text_contents() == ["35", "48", "62", "70"]
    assert chart.locator("svg").get_attribute("aria-label") == "倾听:4 次对练,依次为 35、48、62、70 分"
    assert rep.locator("figure.chart[data-dimension='overall'] text.value").all_text_contents() == [
        "52",
        "61",
        "68",
        "74",
    ]
    weak = rep.locator("#weakest")
    assert "最需要加强:倾听" in weak.inner_text() and weak.locator("#weakest-average").inner_text() == "54"
    assert "第四节 倾听技巧" in weak.inner_text() and "黄金静默:制造4秒冷场" in weak.inner_text()
    rep.screenshot(path=str(screenshots / "progress.png"), full_page=True)
    boxes = rep.locator("form.compare-pick input[type=checkbox]")
    boxes.nth(0).check()  # the newest
    boxes.nth(3).check()  # the oldest
    rep.get_by_role("button", name="并排比较").click()
    rep.wait_for_url(re.compile(r".*/progress/compare\?s=.*"))
    row = rep.locator("tr[data-dimension='listening'] td")
    assert row.all_inner_texts() == ["35", "70"] and rep.locator("article.compare-card").count() == 2
    rep.screenshot(path=str(screenshots / "compare.png"), full_page=True)
    assert rep.evaluate("window.__csp") == []

    trainer = log_in(browser, live_server, "demo-trainer")
    trainer.get_by_role("navigation", name="主导航").get_by_role("link", name="团队热力图").click()
    cells = trainer.locator("tr[data-user='li.na'] td.heat")
    assert cells.locator("span.score").all_inner_texts() == ["64", "80", "60", "54", "70"]
    assert "heat-2" in trainer.locator("tr[data-user='li.na'] td[data-dimension='listening']").get_attribute(
        "class"
    )
    trainer.screenshot(path=str(screenshots / "team-heatmap.png"), full_page=True)
    trainer.locator("tr[data-user='li.na'] th a").click()
    assert "李娜 的进步" in trainer.locator("h1").inner_text()
    assert trainer.evaluate("window.__csp") == []


def test_a_new_key_is_shown_once_copied_and_revoked_after_asking(
    browser: Any, live_server: LiveServer, screenshots: Path
) -> None:
    def keys() -> list[ApiKey]:
        with live_server.state.sessionmaker() as db:
            return list(db.scalars(select(ApiKey).where(ApiKey.name == "Canvas")))

    page = log_in(browser, live_server, "demo-admin", permissions=["clipboard-read", "clipboard-write"])
    page.get_by_role("link", name="用户与密钥").click()
    page.get_by_label("新密钥的名称").fill("Canvas")
    page.get_by_role("button", name="生成密钥").click()
    secret = page.locator("#new-key").inner_text()
    assert secret.startswith("pl_") and "pl_" not in page.url
    page.get_by_role("button", name="复制").click()
    page.wait_for_function("() => document.getElementById('copy-status').textContent === '已复制'")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    page.reload()
    assert page.locator("#new-key").count() == 0 and len(keys()) == 1  # a reload makes no second key

    revoke = page.get_by_role("button", name="吊销密钥 Canvas")
    revoke.click()
    dialog = page.locator("dialog.confirm")
    assert dialog.is_visible() and "确定吊销密钥「Canvas」" in dialog.inner_text()
    page.screenshot(path=str(screenshots / "admin-revoke-confirm.png"))
    dialog.get_by_role("button", name="取消").click()
    assert page.locator("dialog.confirm").count() == 0 and keys()[0].revoked_at is None
    revoke.click()
    page.keyboard.press("Escape")  # Escape cancels too
    assert keys()[0].revoked_at is None
    revoke.click()
    page.locator("dialog.confirm").get_by_role("button", name="确认吊销").click()
    page.wait_for_selector("#notice")
    assert "已吊销密钥" in page.locator("#notice").inner_text() and keys()[0].revoked_at is not None
    assert page.evaluate("window.__csp") == []


def test_an_admin_disables_a_user_and_resets_a_password(
    browser: Any, live_server: LiveServer, screenshots: Path
) -> None:
    with live_server.state.sessionmaker() as db:
        org = db.scalar(select(Organization).where(Organization.slug == "demo"))
        for name, display in (("zhao.lei", "赵磊"), ("qian.yu", "钱宇")):
            accounts.create_user(
                db, org=org, username=name, role="rep", password=PASSWORD, display_name=display
            )
        db.commit()
        ids = {u.username: u.id for u in db.scalars(select(User).where(User.org_id == org.id))}
    zhao = log_in(browser, live_server, "zhao.lei")
    assert zhao.url == f"{live_server.url}/"
    admin = log_in(browser, live_server, "demo-admin")
    admin.goto("/admin")
    admin.get_by_role("link", name="管理 赵磊").click()
    admin.get_by_label("显示名").fill("赵磊(华东)")
    admin.get_by_role("button", name="保存").click()
    admin.wait_for_selector("#notice")
    assert "赵磊(华东)" in admin.locator("h1").inner_text()
    admin.get_by_role("button", name="停用").click()
    admin.locator("dialog.confirm").get_by_role("button", name="确认停用").click()
    admin.wait_for_selector("#disabled-badge")
    assert "已停用" in admin.locator("#notice").inner_text()
    admin.screenshot(path=str(screenshots / "admin-user.png"), full_page=True)
    zhao.goto("/progress")  # logged out at once: a page of the app sends TA to the login
    assert zhao.url.startswith(f"{live_server.url}/login")
    again = log_in(browser, live_server, "zhao.lei")
    assert (
        again.url.startswith(f"{live_server.url}/login")
        and "用户名或密码不正确" in again.get_by_role("alert").inner_text()
    )

    admin.goto(f"/admin/users/{ids['qian.yu']}")
    admin.get_by_label("新密码").fill("fresh-pass-77")
    admin.get_by_label("再输一次").fill("fresh-pass-77")
    admin.get_by_role("button", name="设置新密码").click()
    admin.wait_for_selector("#notice")
    assert "新密码已生效" in admin.locator("#notice").inner_text()
    old = log_in(browser, live_server, "qian.yu")
    assert old.url.startswith(f"{live_server.url}/login")
    new = log_in(browser, live_server, "qian.yu", password="fresh-pass-77")
    assert new.url == f"{live_server.url}/"
    assert admin.evaluate("window.__csp") == []


def test_lms_settings_are_saved_in_the_page(browser: Any, live_server: LiveServer, screenshots: Path) -> None:
    admin = log_in(browser, live_server, "demo-admin")
    admin.goto("/admin")
    admin.get_by_role("link", name=re.compile("成绩投递设置")).click()
    admin.get_by_label("LRS 地址").fill("https://lrs.example.com/xapi/")
    admin.get_by_label("LRS 的 Authorization 头").fill("Basic dGVzdDp0ZXN0")
    admin.get_by_label("webhook 地址").fill("ftp://wrong.example.com")
    admin.get_by_role("button", name="保存设置").click()
    assert "webhook 地址 必须是" in admin.get_by_role("alert").inner_text()
    with live_server.state.sessionmaker() as db:
        assert db.scalar(select(Organization).where(Organization.slug == "demo")).lrs_endpoint is None
    admin.get_by_label("webhook 地址").fill("https://lms.example.com/hook")
    admin.get_by_label("LRS 的 Authorization 头").fill("Basic dGVzdDp0ZXN0")
    admin.get_by_role("button", name="保存设置").click()
    admin.wait_for_selector("#notice")
    assert admin.get_by_label("LRS 地址").input_value() == "https://lrs.example.com/xapi/"
    assert "已设置" in admin.locator("label[for=l-auth]").inner_text()
    admin.screenshot(path=str(screenshots / "admin-lms.png"), full_page=True)
    with live_server.state.sessionmaker() as db:
        org = db.scalar(select(Organization).where(Organization.slug == "demo"))
        assert (org.lrs_endpoint, org.lrs_auth, org.webhook_url) == (
            "https://lrs.example.com/xapi/",
            "Basic dGVzdDp0ZXN0",
            "https://lms.example.com/hook",
        )
    assert admin.evaluate("window.__csp") == []


def test_the_new_pages_fit_a_phone(browser: Any, live_server: LiveServer) -> None:
    ids = [scored(live_server.app, card(60 + i, 40 + i), [PAUSE]) for i in range(2)]
    phone = {"viewport": {"width": 390, "height": 844}}
    overflow = "document.documentElement.scrollWidth - window.innerWidth"
    for username, paths in (
        ("demo-rep", ["/progress", f"/progress/compare?s={ids[0]}&s={ids[1]}"]),
        ("demo-trainer", ["/desk/team", "/progress/demo-rep"]),
        ("demo-admin", ["/admin", "/admin/lms"]),
    ):
        page = log_in(browser, live_server, username)
        page.set_viewport_size(phone["viewport"])
        for path in paths:
            page.goto(path)
            assert page.evaluate(overflow) <= 0, path
            assert page.evaluate("window.__csp") == [], path
