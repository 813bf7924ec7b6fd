"""A burst of more concurrent requests than the database pool has connections is answered, not stuck:
finished requests used to hold every connection while waiting for a thread to serialise their answer,
and the threads waited for a connection (server/deps.get_db)."""

from __future__ import annotations

import asyncio

import httpx

from tests.server.factories import make_org

BURST = 90  # more than PostgreSQL's pool (20 + 40 overflow)


async def test_a_burst_larger_than_the_pool_is_answered(app, client: httpx.AsyncClient) -> None:
    state = app.state.peilian
    org = make_org(state.engine, "burst", {})
    headers = {"X-API-Key": org.key}

    async def start(i: int) -> int:
        body = {"scenario_id": "gov-meeting-room", "seed": i, "learner": {"id": f"burst-{i}"}}
        return (await client.post("/api/v1/sessions", json=body, headers=headers)).status_code

    statuses = await asyncio.wait_for(asyncio.gather(*(start(i) for i in range(BURST))), timeout=120)
    assert statuses == [201] * BURST
    # Every slot came back: a second burst, as large, is answered too.
    again = await asyncio.wait_for(asyncio.gather(*(start(BURST + i) for i in range(BURST))), timeout=120)
    assert again == [201] * BURST
