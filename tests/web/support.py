"""Test data for the web tests: a demo organisation (as `peilian admin demo` makes it) and a second one,
and practice sessions played through the practice service the API uses."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from server.db.models import User
from server.services import accounts, scenarios
from server.services.demo import DEMO_PASSWORD, DEMO_USERS

PASSWORD = DEMO_PASSWORD
SCENARIO = "gov-meeting-room"
INTRO = "王主任您好,我是华声会议系统公司的客户经理李明,信息中心刘科长介绍我给您打电话,今天是想约您见个面。"
QUESTION = "听说下半年区里要承办一些大型会议,您今年在会务上最看重的是什么?"
ASK = (
    "其他区的办公室去年也遇到过类似的问题,他们的做法您可能会感兴趣。您看下周二上午还是周四下午,我和技术同事过去拜访"
    "您和刘科长,占用您半小时,帮您把现场会的会务风险排查一遍?"
)
# A whole appointment call that ends with the customer agreeing to meet, whatever the voice's seed
# (checked against the scripted voice): intro, a question, a golden silence, a confirmation, an obstacle
# question, the ask with its four elements.
CALL = [
    INTRO,
    QUESTION,
    None,
    "我确认一下,您最在意的是开会时设备稳定、千万不能出岔子,对吗?",
    "现在这套话筒平时都出过哪些毛病?",
    ASK,
]


def seed_accounts(engine: Engine) -> None:
    with Session(engine) as db:
        demo = accounts.create_organization(db, name="演示组织", slug="demo")
        for username, display, role in DEMO_USERS:
            accounts.create_user(
                db, org=demo, username=username, role=role, password=PASSWORD, display_name=display
            )
        other = accounts.create_organization(db, name="别的公司", slug="other")
        accounts.create_user(
            db, org=other, username="other-rep", role="rep", password=PASSWORD, display_name="别家销售"
        )
        db.commit()


def play_session(state: Any, username: str, messages: list[str], *, end: bool = True) -> str:
    """A session of `username` with `messages` sent straight away (no pauses), through the practice service
    the API uses; ended unless `end` is False. Returns the session id."""
    with state.sessionmaker() as db:
        user = db.scalar(select(User).where(User.username == username))
        card = scenarios.get_card_for(db, org=user.organization, card_id=SCENARIO)
        session_id = state.practice.start(db, user=user, card=card, voice="scripted", seed=0, via="web").id
    for text in messages:
        if state.practice.rep_message(session_id, text=text, typing_started_at=None, sent_at=None).ended:
            break
    if end:
        state.practice.end(session_id)
    return session_id


def login_token(page: str) -> str:
    """The login form's CSRF token in the login page's HTML."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the login form carries no csrf_token"
    return found.group(1)


async def post_login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD, **fields: str
) -> httpx.Response:
    """Open the login page (its token and cookie), then post the form as a browser would. A client logged in
    already is logged out first (the login page sends a logged-in visitor on)."""
    client.cookies.delete("peilian_session")
    token = login_token((await client.get("/login")).text)
    data = {"username": username, "password": password, "next": "/", "csrf_token": token, **fields}
    return await client.post("/login", data=data)
