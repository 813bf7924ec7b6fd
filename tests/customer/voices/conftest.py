"""Fixtures of the LLM voice's tests: one stub OpenAI-compatible server per session (127.0.0.1 only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from customer.cards import Card, get_card, load_scenarios
from tests.customer.voices.stub_openai import StubOpenAI


@pytest.fixture(scope="session")
def stub() -> Iterator[StubOpenAI]:
    with StubOpenAI(slow_seconds=1.5) as server:
        yield server


@pytest.fixture(scope="session")
def cards() -> dict[str, Card]:
    return load_scenarios()


@pytest.fixture(scope="session")
def gov_card() -> Card:
    return get_card("gov-meeting-room")
