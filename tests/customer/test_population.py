"""The synthetic-rep population over every scenario: the customer must walk away from bad selling and open
up to the method — and no rep type may win by gaming the rules."""

from __future__ import annotations

import pytest

from customer.cards import load_scenarios
from customer.population import BluntProber, Closer, Gamer, MethodFollower, Parrot, Pitcher, Repeater, play

CARDS = load_scenarios()


@pytest.mark.parametrize("card_id", sorted(CARDS))
def test_a_pitching_rep_earns_no_motive_and_is_hung_up_on(card_id: str) -> None:
    for seed in range(3):
        result = play(CARDS[card_id], Pitcher, seed)
        assert not [f for f in result.earned if f.startswith("m")]
        assert result.outcome == "hung_up", result.transcript


@pytest.mark.parametrize("card_id", sorted(c for c in CARDS if CARDS[c].mode == "visit"))
def test_a_method_follower_earns_needs_and_motives_in_visits(card_id: str) -> None:
    result = play(CARDS[card_id], MethodFollower, 0)
    assert sum(f.startswith("n") for f in result.earned) >= 2
    assert any(f.startswith("m") for f in result.earned), result.transcript


def test_method_followers_win_most_commitments() -> None:
    results = [play(card, MethodFollower, seed) for card in CARDS.values() for seed in range(2)]
    assert sum(r.outcome == "committed" for r in results) / len(results) > 0.5


@pytest.mark.parametrize("rep", [Parrot, Gamer, Closer, BluntProber, Repeater])
def test_no_gaming_rep_wins_or_earns_a_motive(rep) -> None:
    for card in CARDS.values():
        result = play(card, rep, 0)
        assert result.outcome != "committed", (card.id, result.transcript)
        assert not [f for f in result.earned if f.startswith("m")], (card.id, result.transcript)
