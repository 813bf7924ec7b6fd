from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.server.factories import login, make_org

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def acme(engine):
    return make_org(engine, "acme", {"rep1": "rep", "coach": "trainer"})


async def test_scenarios_are_listed_without_hidden_facts(client: httpx.AsyncClient, acme) -> None:
    await login(client, "rep1")
    response = await client.get("/api/v1/scenarios")
    assert response.status_code == 200
    cards = response.json()
    assert len(cards) >= 8 and {c["mode"] for c in cards} == {"appointment", "visit"}
    text = response.text
    assert "hidden" not in text and "motives" not in text and "concerns" not in text
    one = await client.get(f"/api/v1/scenarios/{cards[0]['id']}")
    assert one.status_code == 200 and one.json()["goal"]


async def test_unknown_scenario_is_404(client: httpx.AsyncClient, acme) -> None:
    await login(client, "rep1")
    assert (await client.get("/api/v1/scenarios/nope")).status_code == 404


async def test_trainers_upload_cards_and_bad_cards_name_the_field(client: httpx.AsyncClient, acme) -> None:
    headers = await login(client, "coach")
    source = (ROOT / "scenarios" / "gov-meeting-room.yaml").read_text(encoding="utf-8")
    card = source.replace("id: gov-meeting-room", "id: acme-own-card", 1)
    ok = await client.post(
        "/api/v1/scenarios", content=card.encode(), headers={**headers, "content-type": "application/yaml"}
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["id"] == "acme-own-card" and not ok.json()["builtin"]
    assert any(c["id"] == "acme-own-card" for c in (await client.get("/api/v1/scenarios")).json())
    broken = card.replace("mode: appointment", "mode: lunch", 1)
    bad = await client.post(
        "/api/v1/scenarios", content=broken.encode(), headers={**headers, "content-type": "application/yaml"}
    )
    assert bad.status_code == 422 and "mode" in bad.json()["error"]["message"]
    clash = await client.post(
        "/api/v1/scenarios", content=source.encode(), headers={**headers, "content-type": "application/yaml"}
    )
    assert clash.status_code == 422 and "重名" in clash.json()["error"]["message"]
    junk = await client.post(
        "/api/v1/scenarios", content=b"a: [", headers={**headers, "content-type": "application/yaml"}
    )
    assert junk.status_code == 422 and "YAML" in junk.json()["error"]["message"]


async def test_reps_cannot_upload_and_other_orgs_do_not_see_uploads(
    client: httpx.AsyncClient, acme, engine
) -> None:
    make_org(engine, "other", {"stranger": "trainer"})
    headers = await login(client, "rep1")
    denied = await client.post(
        "/api/v1/scenarios", content=b"id: x", headers={**headers, "content-type": "application/yaml"}
    )
    assert denied.status_code == 403
    headers = await login(client, "coach")
    source = (
        (ROOT / "scenarios" / "gov-meeting-room.yaml")
        .read_text(encoding="utf-8")
        .replace("id: gov-meeting-room", "id: acme-secret", 1)
    )
    await client.post(
        "/api/v1/scenarios", content=source.encode(), headers={**headers, "content-type": "application/yaml"}
    )
    await login(client, "stranger")
    assert (await client.get("/api/v1/scenarios/acme-secret")).status_code == 404
