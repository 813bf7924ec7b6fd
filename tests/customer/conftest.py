"""Shared helpers: conversations driven by explicit classifications, so the rules are tested on their own."""

from __future__ import annotations

import pytest

from customer.cards import get_card
from customer.engine import Conversation
from customer.synthetic import cls


@pytest.fixture
def gov():
    return get_card("gov-meeting-room")


@pytest.fixture
def hospital():
    return get_card("hospital-splice-screen")


def convo(card, **state) -> Conversation:
    """A conversation whose classifier must never be called, with state fields preset."""

    def refuse(text: str):
        raise AssertionError(f"classifier called for {text!r}: pass classification=")

    conv = Conversation(card, seed=0, classifier=refuse)
    for key, value in state.items():
        setattr(conv.state, key, value)
    return conv


__all__ = ["cls", "convo"]
