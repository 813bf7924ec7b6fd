"""The card editor's service and the card versions sessions record, on SQLite and PostgreSQL: every problem
listed with its line, nothing stored while there is one, clones, edits that keep old sessions on the version
they were played on, and retired cards that leave the picker but not their sessions."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.models import CardVersion, Organization, PracticeSession, ScenarioCard, User
from server.services import card_editor, scenarios
from tests.server.factories import login, make_org

INTRO = "王主任您好,我是华声会议系统的客户经理李明。"


@pytest.fixture
def acme(engine):
    return make_org(engine, "acme", {"rep1": "rep", "coach": "trainer"})


def _org(db: Session) -> tuple[Organization, User]:
    org = db.scalar(select(Organization).where(Organization.slug == "acme"))
    return org, db.scalar(select(User).where(User.username == "coach"))


def three_errors() -> str:
    """The template with three mistakes, on lines 4, 18 and 33."""
    text = card_editor.template_text()
    text = text.replace("mode: appointment ", "mode: phone ", 1)
    text = text.replace("stage: 2 ", "stage: 12 ", 1)
    return text.replace("      kind: 障碍\n", "      kind: 障害\n", 1)


def test_the_template_is_a_valid_card() -> None:
    checked = card_editor.check_text(card_editor.template_text())
    assert checked.problems == [] and checked.card is not None and checked.card.id == "my-new-scenario"
    assert card_editor.template_text().count("#") > 20  # commented


def test_every_problem_is_listed_with_its_line() -> None:
    checked = card_editor.check_text(three_errors())
    assert checked.card is None
    lines = card_editor.template_text().splitlines()
    assert [(p.line, p.field) for p in checked.problems] == [
        (4, "mode"),
        (18, "stage"),
        (lines.index("      kind: 障碍") + 1, "hidden.needs[0].kind"),
    ]
    assert all(p.message for p in checked.problems)
    assert "另有 2 处错误" in checked.summary()
    missing = card_editor.check_text(card_editor.template_text().replace("goal: 约到", "gaol: 约到"))
    assert {p.field for p in missing.problems} == {"goal", "gaol"}
    assert all(p.line is not None for p in missing.problems)


def test_safety_rules_of_the_upload_hold_in_the_editor() -> None:
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n'
    (problem,) = card_editor.check_text(bomb).problems
    assert problem.line == 1 and "锚点" in problem.message
    big = card_editor.check_text("x: " + "长" * (scenarios.MAX_CARD_BYTES // 2))
    assert "文件过大" in big.problems[0].message
    nul = card_editor.check_text("id: a\ntitle: b\x00\n")
    assert nul.problems[0].line == 2 and "NUL" in nul.problems[0].message
    secret = "绝密内容" * 30
    echoed = card_editor.check_text(
        card_editor.template_text().replace("mode: appointment", f"mode: {secret}")
    )
    assert all(secret not in p.message for p in echoed.problems)


def test_save_new_clone_edit_and_retire(engine, acme) -> None:
    with Session(engine) as db:
        org, coach = _org(db)
        card, checked = card_editor.save_text(db, org=org, user=coach, text=three_errors(), editing=None)
        assert card is None and len(checked.problems) == 3
        assert db.scalar(select(func.count()).select_from(ScenarioCard)) == 0
        card, _ = card_editor.save_text(
            db, org=org, user=coach, text=card_editor.template_text(), editing=None
        )
        db.commit()
        assert card is not None and "my-new-scenario" in scenarios.cards_for(db, org=org)
        again, checked = card_editor.save_text(
            db, org=org, user=coach, text=card_editor.template_text(), editing=None
        )
        assert again is None and "已有 id" in checked.problems[0].message and checked.problems[0].line == 2
        clone = card_editor.clone_text(db, org=org, card_id="gov-meeting-room")
        assert clone is not None and "\nid: gov-meeting-room-copy\n" in clone and "# 约访电话" in clone
        assert card_editor.check_text(clone).card is not None
        renamed = card_editor.template_text().replace("id: my-new-scenario", "id: other-id")
        _, checked = card_editor.save_text(db, org=org, user=coach, text=renamed, editing="my-new-scenario")
        assert "不能修改 id" in checked.problems[0].message
        _, checked = card_editor.save_text(db, org=org, user=coach, text=clone, editing="gov-meeting-room")
        assert "内置场景不能直接修改" in checked.problems[0].message
        edited = card_editor.template_text().replace("张经理", "李经理")
        card, _ = card_editor.save_text(db, org=org, user=coach, text=edited, editing="my-new-scenario")
        db.commit()
        row = scenarios.stored_row(db, org=org, card_id="my-new-scenario")
        assert card.customer.name == "李经理" and row.version == 2
        scenarios.set_retired(db, org=org, card_id="my-new-scenario", retired=True)
        db.commit()
        assert "my-new-scenario" not in scenarios.cards_for(db, org=org)
        assert scenarios.get_card_for(db, org=org, card_id="my-new-scenario") is None
        assert scenarios.get_card_for(db, org=org, card_id="my-new-scenario", include_retired=True)
        with pytest.raises(scenarios.CardError, match="内置场景不能停用"):
            scenarios.set_retired(db, org=org, card_id="gov-meeting-room", retired=True)


async def test_a_session_keeps_the_card_version_it_was_played_on(
    client: httpx.AsyncClient, acme, engine
) -> None:
    with Session(engine) as db:
        org, coach = _org(db)
        card_editor.save_text(db, org=org, user=coach, text=card_editor.template_text(), editing=None)
        db.commit()
    headers = await login(client, "rep1")
    start = await client.post("/api/v1/sessions", json={"scenario_id": "my-new-scenario"}, headers=headers)
    assert start.status_code == 201, start.text
    sid = start.json()["id"]
    with Session(engine) as db:  # the trainer rewrites the card while the call is on
        org, coach = _org(db)
        edited = card_editor.template_text().replace("设备故障全靠人工巡检，发现晚", "改过的需求")
        card, _ = card_editor.save_text(db, org=org, user=coach, text=edited, editing="my-new-scenario")
        assert card is not None
        scenarios.set_retired(db, org=org, card_id="my-new-scenario", retired=True)
        db.commit()
    said = await client.post(f"/api/v1/sessions/{sid}/messages", json={"text": INTRO}, headers=headers)
    assert said.status_code == 200, said.text
    assert (await client.post(f"/api/v1/sessions/{sid}/end", headers=headers)).status_code == 200
    scorecard = (await client.get(f"/api/v1/sessions/{sid}/scorecard")).json()
    texts = {f["id"]: f["text"] for f in scorecard["facts"]}
    assert texts["n1"] == "设备故障全靠人工巡检，发现晚"  # the version played, not the edit
    with Session(engine) as db:
        session = db.get(PracticeSession, sid)
        assert session.card_hash and db.get(CardVersion, session.card_hash) is not None
        assert scenarios.card_for_session(db, session).hidden.needs[0].text.startswith("设备故障")
    refused = await client.post("/api/v1/sessions", json={"scenario_id": "my-new-scenario"}, headers=headers)
    assert refused.status_code == 404  # retired: no new session
    listed = (await client.get("/api/v1/scenarios")).json()
    assert "my-new-scenario" not in {c["id"] for c in listed}


async def test_the_same_card_is_stored_once(client: httpx.AsyncClient, acme, engine) -> None:
    headers = await login(client, "rep1")
    for _ in range(2):
        r = await client.post("/api/v1/sessions", json={"scenario_id": "gov-meeting-room"}, headers=headers)
        assert r.status_code == 201
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(CardVersion)) == 1
        hashes = set(db.scalars(select(PracticeSession.card_hash)))
        assert len(hashes) == 1 and None not in hashes


async def test_the_api_checks_a_card_and_lists_every_problem(client: httpx.AsyncClient, acme, engine) -> None:
    yaml_headers = {**(await login(client, "coach")), "content-type": "application/yaml"}
    ok = await client.post(
        "/api/v1/scenarios/check", content=card_editor.template_text().encode(), headers=yaml_headers
    )
    assert ok.status_code == 200 and ok.json()["valid"] and ok.json()["card"]["id"] == "my-new-scenario"
    bad = await client.post("/api/v1/scenarios/check", content=three_errors().encode(), headers=yaml_headers)
    body = bad.json()
    assert bad.status_code == 200 and not body["valid"] and body["card"] is None
    assert [(p["line"], p["field"]) for p in body["problems"]][:2] == [(4, "mode"), (18, "stage")]
    assert len(body["problems"]) == 3
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(ScenarioCard)) == 0
    await client.post("/api/v1/auth/logout", headers=yaml_headers)
    rep = {**(await login(client, "rep1")), "content-type": "application/yaml"}
    denied = await client.post("/api/v1/scenarios/check", content=b"id: x", headers=rep)
    assert denied.status_code == 403
