"""The composed-population benchmark stays runnable and keeps its order: strong reps above poor ones."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import population_eval  # noqa: E402

from customer.cards import get_card  # noqa: E402


def test_phrasings_bank_is_split_and_complete() -> None:
    tune, held = population_eval.bank("tune"), population_eval.bank("held")
    assert set(tune) == set(held) and len(tune) >= 29
    assert all(tune[m] and held[m] for m in tune)
    assert not set(tune["pitch"]) & set(held["pitch"])


def test_strong_reps_do_better_than_poor_ones() -> None:
    rows = [
        population_eval.play(get_card(card), level, 0, "tune")
        for card in ("gov-meeting-room", "hospital-splice-screen")
        for level in ("strong", "poor")
    ]
    by = {(r["card"], r["level"]): r for r in rows}
    for card in ("gov-meeting-room", "hospital-splice-screen"):
        assert by[(card, "strong")]["overall"] > by[(card, "poor")]["overall"]
        assert by[(card, "poor")]["outcome"]["result"] != "committed"
    assert all(r["repeats"] == 0 for r in rows)
