"""The demo accounts as a service (server/services/demo.py): `peilian admin demo` and the login page use it;
on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from server.services import accounts
from server.services.demo import DEMO_ORG, DEMO_PASSWORD, DEMO_USERS, demo_hint, ensure_demo


def test_ensure_demo_creates_three_accounts_once(engine) -> None:
    with Session(engine) as db:
        assert demo_hint(db) is None
        org = ensure_demo(db)
        db.commit()
        again = ensure_demo(db)  # idempotent: nothing is created twice, nothing is changed
        db.commit()
        assert again.id == org.id and org.slug == DEMO_ORG
        users = sorted((u.username, u.role) for u in accounts.list_users(db, org=org))
        assert users == sorted((name, role) for name, _, role in DEMO_USERS)
        hint = demo_hint(db)
        assert hint == {"users": " / ".join(n for n, _, _ in DEMO_USERS), "password": DEMO_PASSWORD}


async def test_a_demo_account_logs_in(client: httpx.AsyncClient, engine) -> None:
    with Session(engine) as db:
        ensure_demo(db)
        db.commit()
    page = await client.get("/login")
    assert "demo-rep" in page.text and DEMO_PASSWORD in page.text  # the login page names them
    answer = await client.post("/api/v1/auth/login", json={"username": "demo-rep", "password": DEMO_PASSWORD})
    assert answer.status_code == 200 and answer.json()["user"]["role"] == "rep"


def test_the_cli_demo_command_prints_the_logins(run_cli, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PEILIAN_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("PEILIAN_DATA_DIR", str(tmp_path))
    from peilian.settings import get_settings

    get_settings.cache_clear()
    try:
        first, second = run_cli("admin", "demo"), run_cli("admin", "demo")
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0 and second.exit_code == 0, first.stderr + second.stderr
    assert all(name in first.stdout for name, _, _ in DEMO_USERS) and DEMO_PASSWORD in first.stdout
