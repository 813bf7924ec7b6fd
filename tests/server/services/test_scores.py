"""The effective-score rule and the outcome's reading, without a database."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import pytest

from server.services.outcomes import UNKNOWN, api_outcome, committed, known, outcome_of, recorded
from server.services.scores import Effective, effective_from, scorecard_view

Change = namedtuple("Change", ["dimension", "adjusted"])
# Appointment weights: 0.35 appointment, 0.2 questioning, 0.25 listening, 0.2 commitment → 69.
SCORES = {"overall": 69, "appointment": 80, "questioning": 60, "listening": 60, "commitment": 70}


def test_without_adjustments_the_scorecard_stands() -> None:
    scores = effective_from("appointment", SCORES, [])
    assert scores == Effective(SCORES, SCORES, ()) and not scores.recomputed
    assert (scores.overall, scores.original_overall) == (69, 69)


def test_the_latest_adjustment_of_a_dimension_counts_and_the_overall_follows() -> None:
    scores = effective_from("appointment", SCORES, [Change("listening", 20), Change("listening", 100)])
    assert scores.effective["listening"] == 100 and scores.adjusted == ("listening",)
    assert scores.overall == 79 and scores.recomputed  # the weighted mean of the effective dimensions
    assert scores.original == SCORES  # never changed


def test_an_overall_set_directly_is_kept_whatever_follows() -> None:
    scores = effective_from("appointment", SCORES, [Change("overall", 90), Change("commitment", 0)])
    assert scores.overall == 90 and scores.adjusted == ("overall", "commitment") and not scores.recomputed


@pytest.mark.parametrize(("overall", "expected"), [(35, 40), (48, 55), (15, 17)])
def test_the_outcome_rule_carries_over(overall: int, expected: int) -> None:
    """Hung up (× 0.5), ended without a commitment (× 0.7), a call too short to judge (capped at 15): the
    recomputed overall keeps the scorer's ratio to the weighted mean (69 → 79)."""
    scores = effective_from("appointment", {**SCORES, "overall": overall}, [Change("listening", 100)])
    assert scores.overall == expected


def test_odd_scorecards_keep_their_overall() -> None:
    odd = {"overall": 82, "opening": 90}  # no dimension the weights know
    assert effective_from("appointment", odd, [Change("opening", 100)]).overall == 82
    assert effective_from("interview", SCORES, [Change("listening", 100)]).overall == 69  # unknown mode
    zero = dict.fromkeys(SCORES, 0)
    assert effective_from("appointment", zero, [Change("listening", 100)]).overall == 25
    assert effective_from("appointment", {}, [Change("listening", 100)]).effective == {"listening": 100}


def test_scorecard_view_gives_effective_scores_beside_the_originals() -> None:
    card: dict[str, Any] = {"mode": "appointment", "scores": SCORES, "findings": []}
    view = scorecard_view(card, effective_from("appointment", SCORES, [Change("listening", 100)]))
    assert view["scores"]["overall"] == 79 and view["original_scores"] == SCORES
    assert view["adjusted"] == ["listening"] and view["outcome"] == UNKNOWN and card["scores"] is SCORES


OUTCOME = {
    "result": "hung_up",
    "commitment": None,
    "elements": None,
    "reason": "gaming",
    "facts_earned": 2,
    "facts_total": 9,
    "earned": {"expectation": 1, "need": 1, "motive": 0, "process": 0},
    "totals": {"expectation": 3, "need": 3, "motive": 2, "process": 1},
    "inferred": False,
    "end_turn": 7,
}


def test_the_outcome_is_read_as_written() -> None:
    card = {"outcome": OUTCOME}
    assert recorded(card) and known(outcome_of(card)) and not committed(outcome_of(card))
    assert outcome_of(card) == {k: OUTCOME[k] for k in UNKNOWN}
    assert api_outcome(card) == OUTCOME  # the scorer's other fields pass through


@pytest.mark.parametrize("card", [None, {}, {"outcome": None}, {"outcome": "committed"}, {"outcome": []}])
def test_no_outcome_is_unknown(card: Any) -> None:
    assert outcome_of(card) == UNKNOWN and api_outcome(card) == UNKNOWN and not known(outcome_of(card))
    assert not recorded(card)


def test_malformed_fields_read_as_unknown_or_null() -> None:
    bad = {
        "result": "won",
        "commitment": "all",
        "elements": "time",
        "reason": 3,
        "facts_earned": True,
        "facts_total": -2,
        "earned": {"need": "many", "motive": 2},
        "extra": 1,
    }
    outcome = outcome_of({"outcome": bad})
    assert outcome == {**UNKNOWN, "earned": {"expectation": 0, "need": 0, "motive": 2, "process": 0}}
    assert (
        api_outcome({"outcome": bad})["extra"] == 1 and api_outcome({"outcome": bad})["result"] == "unknown"
    )
