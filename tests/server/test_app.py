from __future__ import annotations

import httpx
import pytest

from server.app import create_app


@pytest.fixture
async def client():
    app = create_app()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


async def test_home_page_searches_the_book_and_escapes_the_query(client: httpx.AsyncClient) -> None:
    response = await client.get("/", params={"q": "<script>alert(1)</script>行动承诺"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text and "理解行动承诺" in response.text


async def test_knowledge_search_api(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/knowledge/search", params={"q": "黄金静默", "k": 2})
    assert response.status_code == 200
    hits = response.json()
    assert len(hits) == 2 and "倾听技巧" in hits[0]["section"]


@pytest.mark.parametrize(
    ("params", "code"),
    [({"q": "  "}, "invalid_query"), ({"q": "x", "k": 0}, "invalid_request"), ({}, "invalid_request")],
)
async def test_knowledge_search_rejects_bad_input_with_json(
    client: httpx.AsyncClient, params: dict, code: str
) -> None:
    response = await client.get("/api/v1/knowledge/search", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


async def test_unknown_path_is_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


async def test_openapi_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200 and "/api/v1/knowledge/search" in response.json()["paths"]
