"""Input the red team sent (issue 13): alias bombs in cards, NUL characters everywhere, out-of-range and
coerced numbers. Each is a JSON 4xx, on SQLite and on PostgreSQL, and nothing is stored."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from customer.cards import load_yaml
from server.db.models import Comment, Message, PracticeSession, ScenarioCard, ScoreAdjustment, User
from tests.server.factories import login, make_org
from tests.server.test_review import ended_session
from tests.server.test_sessions import INTRO, start

ROOT = Path(__file__).resolve().parents[2]
YAML = {"content-type": "application/yaml"}


@pytest.fixture
def acme(engine):
    return make_org(engine, "acme", {"rep1": "rep", "coach": "trainer"})


def card_text(card_id: str = "acme-card") -> str:
    source = (ROOT / "scenarios" / "gov-meeting-room.yaml").read_text(encoding="utf-8")
    return source.replace("id: gov-meeting-room", f"id: {card_id}", 1)


def alias_bomb() -> str:
    """The 1.6 KB "billion laughs" of the report: nine levels of nine aliases each, as the card's mode."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\nid: bomb\nmode: *a8\n"


def count(engine, model) -> int:
    with Session(engine) as db:
        return db.scalar(select(func.count()).select_from(model))


# -- 1. YAML ---------------------------------------------------------------------------------------------
async def test_an_alias_bomb_is_refused_at_once_with_a_short_answer(
    client: httpx.AsyncClient, acme, engine
) -> None:
    headers = await login(client, "coach")
    bomb = alias_bomb()
    assert len(bomb) < 2000
    began = time.perf_counter()
    response = await client.post("/api/v1/scenarios", content=bomb.encode(), headers={**headers, **YAML})
    assert time.perf_counter() - began < 2
    assert response.status_code == 422 and len(response.content) < 500
    message = response.json()["error"]["message"]
    assert response.json()["error"]["code"] == "invalid_card" and "别名" in message and "lol" not in message
    assert (await client.get("/healthz")).status_code == 200
    assert count(engine, ScenarioCard) == 0


@pytest.mark.parametrize("text", ["a: &x 1\nb: 2\n", "a: *x\n", "a: &x [1]\nb: *x\n", "<<: *base\n"])
def test_the_card_loader_refuses_anchors_and_aliases(text: str) -> None:
    with pytest.raises(yaml.YAMLError, match="锚点或别名"):
        load_yaml(text)


def test_the_card_loader_reads_cards_and_stars_in_text() -> None:
    assert load_yaml('a: "5 * 3 & more"\nb: [1, 2]\n') == {"a": "5 * 3 & more", "b": [1, 2]}
    assert load_yaml(card_text())["id"] == "acme-card"


async def test_cards_are_capped_and_refusals_never_echo_the_card(
    client: httpx.AsyncClient, acme, engine
) -> None:
    headers = await login(client, "coach")
    big = card_text() + "#" + "x" * (64 * 1024) + "\n"
    too_big = await client.post("/api/v1/scenarios", content=big.encode(), headers={**headers, **YAML})
    assert too_big.status_code == 422 and "64 KB" in too_big.json()["error"]["message"]
    echo = card_text().replace("mode: appointment", "mode: [" + ", ".join(["lunch"] * 3000) + "]", 1)
    refused = await client.post("/api/v1/scenarios", content=echo.encode(), headers={**headers, **YAML})
    assert refused.status_code == 422 and len(refused.json()["error"]["message"]) <= 300
    assert count(engine, ScenarioCard) == 0


@pytest.mark.parametrize("nul", ['"\\0"', '"\\x00"', '"a\\u0000b"'])
async def test_a_nul_written_as_a_yaml_escape_is_refused(
    client: httpx.AsyncClient, acme, engine, nul: str
) -> None:
    headers = await login(client, "coach")
    text = card_text().replace("title: ", f"title: {nul}\nx_title: ", 1)
    text = "\n".join(line for line in text.splitlines() if not line.startswith("x_title"))
    response = await client.post("/api/v1/scenarios", content=text.encode(), headers={**headers, **YAML})
    assert response.status_code == 422 and "NUL" in response.json()["error"]["message"]
    raw = await client.post(
        "/api/v1/scenarios",
        content=card_text().replace("title: ", "title: \x00", 1).encode(),
        headers={**headers, **YAML},
    )
    assert raw.status_code == 422
    assert count(engine, ScenarioCard) == 0


async def test_a_stored_card_with_an_alias_is_skipped_not_expanded(
    client: httpx.AsyncClient, acme, engine
) -> None:
    """Cards uploaded before aliases were refused do not come back to life."""
    with Session(engine) as db:
        org_id = db.scalar(select(User.org_id).where(User.username == "coach"))
        db.add(ScenarioCard(org_id=org_id, card_id="bomb", yaml_text=alias_bomb()))
        db.commit()
    await login(client, "rep1")
    assert all(c["id"] != "bomb" for c in (await client.get("/api/v1/scenarios")).json())
    assert (await client.get("/api/v1/scenarios/bomb")).status_code == 404


# -- 2. NUL characters -----------------------------------------------------------------------------------
async def test_nul_in_a_login_is_422_even_anonymously(client: httpx.AsyncClient, acme) -> None:
    for body in ({"username": "rep1\x00", "password": "x"}, {"username": "rep1", "password": "pass\x00word"}):
        response = await client.post("/api/v1/auth/login", json=body)
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
        assert "NUL" in response.json()["error"]["message"]
    assert (await client.get("/healthz")).status_code == 200  # the connection is still good


async def test_nul_in_bodies_is_422_and_nothing_is_stored(client: httpx.AsyncClient, acme, engine) -> None:
    sid = await ended_session(client)
    headers = await login(client, "rep1")
    live = await start(client, headers)
    messages = count(engine, Message)
    assert (
        await client.post("/api/v1/sessions", json={"scenario_id": "gov-meeting-room\x00"}, headers=headers)
    ).status_code == 422
    said = await client.post(
        f"/api/v1/sessions/{live['id']}/messages", json={"text": "您好\x00"}, headers=headers
    )
    assert said.status_code == 422 and said.json()["error"]["code"] == "invalid_request"
    headers = await login(client, "coach")
    for path, body in (
        (f"/api/v1/sessions/{sid}/comments", {"text": "好\x00"}),
        (
            f"/api/v1/sessions/{sid}/adjustments",
            {"dimension": "listening", "score": 80, "reason": "理由\x00"},
        ),
        (f"/api/v1/sessions/{sid}/adjustments", {"dimension": "listen\x00", "score": 80, "reason": "理由"}),
    ):
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 422 and "NUL" in response.json()["error"]["message"], (path, body)
    assert count(engine, Comment) == 0 and count(engine, ScoreAdjustment) == 0
    assert count(engine, PracticeSession) == 2 and count(engine, Message) == messages


async def test_nul_in_an_lms_learner_id_is_422(client: httpx.AsyncClient, acme, engine) -> None:
    lms = {"Authorization": f"Bearer {acme.key}"}
    for learner in ({"id": "moodle-42\x00"}, {"id": "moodle-42", "name": "张\x00伟"}):
        response = await client.post(
            "/api/v1/sessions", json={"scenario_id": "gov-meeting-room", "learner": learner}, headers=lms
        )
        assert response.status_code == 422, response.text
    assert count(engine, User) == 2


@pytest.mark.parametrize("query", ["rep=%00", "scenario=gov%00", "status=%00", "since=%00", "x=%00", "%00=1"])
async def test_nul_in_a_query_is_422(client: httpx.AsyncClient, acme, query: str) -> None:
    await login(client, "coach")
    response = await client.get(f"/api/v1/sessions?{query}")
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("path", ["/api/v1/knowledge/search?q=%E9%BB%84%00", "/api/v1/knowledge/ask?q=%00"])
async def test_nul_in_a_book_query_is_422(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/scenarios/%00",
        "/api/v1/scenarios/gov%00",
        "/api/v1/sessions/%00",
        "/api/v1/sessions/a%00/scorecard",
        "/api/v1/sessions/%00/review",
    ],
)
async def test_nul_in_a_path_names_nothing(client: httpx.AsyncClient, acme, path: str) -> None:
    await login(client, "coach")
    response = await client.get(path)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


# -- 4. numbers and booleans -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        f"offset={2**63}",
        "offset=1000001",
        "offset=-1",
        f"limit={2**63}",
        "limit=0",
        "until=0",
        "since=1700000000",
        "since=2026-13-01",
        "min_score=101",
        "until=true",
    ],
)
async def test_list_parameters_out_of_range_or_of_the_wrong_type_are_422(
    client: httpx.AsyncClient, acme, query: str
) -> None:
    await login(client, "coach")
    response = await client.get(f"/api/v1/sessions?{query}")
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request", (
        response.text
    )


async def test_the_furthest_page_is_empty_not_an_error(client: httpx.AsyncClient, acme) -> None:
    await login(client, "coach")
    response = await client.get("/api/v1/sessions?offset=1000000&until=2026-12-01")
    assert response.status_code == 200 and response.json()["items"] == []


async def test_booleans_are_no_numbers_and_numbers_no_booleans(client: httpx.AsyncClient, acme) -> None:
    sid = await ended_session(client)
    headers = await login(client, "rep1")
    for body in (
        {"scenario_id": "gov-meeting-room", "seed": False},
        {"scenario_id": "gov-meeting-room", "seed": "3"},
        {"scenario_id": "gov-meeting-room", "seed": 1.5},
    ):
        assert (await client.post("/api/v1/sessions", json=body, headers=headers)).status_code == 422, body
    live = await start(client, headers)
    for body in ({"text": INTRO, "sent_at": True}, {"text": INTRO, "typing_started_at": "1764230400"}):
        said = await client.post(f"/api/v1/sessions/{live['id']}/messages", json=body, headers=headers)
        assert said.status_code == 422, body
    assert (
        await client.post(f"/api/v1/sessions/{live['id']}/silence", json={"seconds": True}, headers=headers)
    ).status_code == 422
    headers = await login(client, "coach")
    for path, body in (
        (f"/api/v1/sessions/{sid}/adjustments", {"dimension": "listening", "score": False, "reason": "理由"}),
        (f"/api/v1/sessions/{sid}/comments", {"message_seq": False, "text": "好"}),
        (f"/api/v1/sessions/{sid}/labels", {"message_seq": False, "act": "statement"}),
        (
            f"/api/v1/sessions/{sid}/labels",
            {
                "message_seq": 1,
                "act": "commitment",
                "elements": {"time": 1, "people": 0, "action": 1, "benefit": 1},
            },
        ),
    ):
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 422, (path, body, response.text)
    ok = await client.post(
        f"/api/v1/sessions/{sid}/adjustments",
        json={"dimension": "listening", "score": 80, "reason": "理由"},
        headers=headers,
    )
    assert ok.status_code == 201
