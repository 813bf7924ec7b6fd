"""Test data: organisations, users, logins and API keys made through the real services."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from server.services import accounts

PASSWORD = "correct-horse-9"


@dataclass
class Org:
    slug: str
    key: str  # an API key's secret


def make_org(engine: Engine, slug: str, users: dict[str, str]) -> Org:
    """An organisation with `users` (username → role) and one API key."""
    with Session(engine) as db:
        org = accounts.create_organization(db, name=slug.upper(), slug=slug)
        for username, role in users.items():
            accounts.create_user(db, org=org, username=username, role=role, password=PASSWORD)
        secret = accounts.create_api_key(db, org=org, name="LMS").secret
        db.commit()
    return Org(slug, secret)


async def login(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    """Log the client in; returns the headers (CSRF) its changing requests need."""
    response = await client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}
