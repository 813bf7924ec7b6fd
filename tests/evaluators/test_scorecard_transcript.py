"""Parsing and validation of transcripts (CONTRACT.md §3): good input parses, bad input raises one clear line."""

from __future__ import annotations

import math
from typing import Any

import pytest

from evaluators.model import Classification
from evaluators.scorecard import score_transcript
from evaluators.transcript import MAX_TURNS, Transcript, TranscriptError, parse_transcript


def rep(text: str, **times: float) -> dict[str, Any]:
    return {"speaker": "rep", "text": text, **times}


def cust(text: str, **times: float) -> dict[str, Any]:
    return {"speaker": "customer", "text": text, **times}


def statement(_: str) -> Classification:
    return Classification("statement")


def test_parses_a_timed_transcript() -> None:
    tr = parse_transcript(
        {"mode": "visit", "turns": [rep("您好", t=0, end=1.5), cust("你好", t=2, end=3)], "scenario": "x"}
    )
    assert tr.mode == "visit"
    assert [(t.index, t.speaker, t.t, t.end) for t in tr.turns] == [
        (0, "rep", 0.0, 1.5),
        (1, "customer", 2.0, 3.0),
    ]
    assert tr.timing == "full"


def test_untimed_and_partial_timing() -> None:
    assert parse_transcript({"mode": "visit", "turns": [rep("a"), cust("b")]}).timing == "none"
    assert parse_transcript({"mode": "visit", "turns": [rep("a", t=0), cust("b")]}).timing == "partial"
    assert (
        parse_transcript({"mode": "visit", "turns": [rep("a", t=0, end=1), cust("b", t=2)]}).timing
        == "partial"
    )


def test_unwraps_a_labelled_case_file_and_accepts_a_transcript() -> None:
    tr = parse_transcript(
        {"transcript": {"mode": "appointment", "turns": [rep("您好")]}, "expect_present": []}
    )
    assert tr.mode == "appointment"
    assert parse_transcript(tr) is tr


def test_overlap_with_previous_end_is_allowed() -> None:
    # The rep may cut in before the customer finished: t goes on, only end of the previous turn is later.
    tr = parse_transcript({"mode": "visit", "turns": [cust("说了很久", t=0, end=10), rep("嗯", t=8, end=9)]})
    assert tr.turns[1].t == 8.0


@pytest.mark.parametrize(
    ("obj", "needle"),
    [
        ([], "应为 JSON 对象"),
        ("text", "应为 JSON 对象"),
        (None, "应为 JSON 对象"),
        ({"turns": [rep("a")]}, "缺少 mode"),
        ({"mode": "demo", "turns": [rep("a")]}, "mode 应为"),
        ({"mode": ["visit"], "turns": [rep("a")]}, "mode 应为"),
        ({"mode": "visit"}, "缺少 turns"),
        ({"mode": "visit", "turns": {"0": rep("a")}}, "turns 应为列表"),
        ({"mode": "visit", "turns": []}, "turns 为空"),
        ({"mode": "visit", "turns": ["您好"]}, "第 0 轮"),
        ({"mode": "visit", "turns": [{"text": "a"}]}, "缺少 speaker"),
        ({"mode": "visit", "turns": [{"speaker": "sales", "text": "a"}]}, "speaker 应为"),
        ({"mode": "visit", "turns": [{"speaker": "Rep", "text": "a"}]}, "speaker 应为"),
        ({"mode": "visit", "turns": [{"speaker": "rep"}]}, "缺少 text"),
        ({"mode": "visit", "turns": [{"speaker": "rep", "text": 42}]}, "text 应为字符串"),
        ({"mode": "visit", "turns": [rep("a"), cust("")]}, "第 1 轮(turns[1]):text 为空"),
        ({"mode": "visit", "turns": [rep("a"), cust(" \n\t ")]}, "text 为空"),
        ({"mode": "visit", "turns": [cust("只有客户")]}, "没有销售"),
        ({"mode": "visit", "turns": [rep("a", t="0")]}, "t 应为秒数"),
        ({"mode": "visit", "turns": [rep("a", t=True)]}, "t 应为秒数"),
        ({"mode": "visit", "turns": [rep("a", end=[1])]}, "end 应为秒数"),
        ({"mode": "visit", "turns": [rep("a", t=math.nan)]}, "不是有限数"),
        ({"mode": "visit", "turns": [rep("a", t=0, end=math.inf)]}, "不是有限数"),
        ({"mode": "visit", "turns": [rep("a", t=-1)]}, "不能为负数"),
        ({"mode": "visit", "turns": [rep("a", t=5, end=4)]}, "早于 t"),
        ({"mode": "visit", "turns": [rep("a", t=5, end=6), cust("b", t=3, end=4)]}, "时间倒退"),
        ({"mode": "visit", "turns": [rep("a", t=5), cust("b"), rep("c", t=1)]}, "第 2 轮:时间倒退"),
    ],
)
def test_bad_input_raises_one_line(obj: Any, needle: str) -> None:
    with pytest.raises(TranscriptError) as info:
        parse_transcript(obj)
    message = str(info.value)
    assert needle in message
    assert "\n" not in message
    assert isinstance(info.value, ValueError)


def test_score_transcript_validates_dicts_too() -> None:
    with pytest.raises(TranscriptError, match="turns 为空"):
        score_transcript({"mode": "visit", "turns": []}, classifier=statement)


def test_too_many_turns_is_a_clear_error() -> None:
    turns = [rep("a")] * (MAX_TURNS + 1)
    with pytest.raises(TranscriptError, match="turns 过多"):
        parse_transcript({"mode": "visit", "turns": turns})


def test_ten_thousand_turns_are_scored() -> None:
    """No limit below 10,000 turns; speed is measured by benchmarks/bench_score.py, not asserted here."""
    turns = []
    for i in range(5000):
        turns.append(rep(f"第{i}个问题,您那边情况怎么样?", t=10.0 * i, end=10.0 * i + 3))
        turns.append(cust("情况还可以,就是人手有点紧。", t=10.0 * i + 4, end=10.0 * i + 8))
    card = score_transcript(
        {"mode": "visit", "turns": turns},
        classifier=lambda text: Classification("exploratory", focus="process", is_question=True),
        cite=lambda q, h: None,
    )
    assert len(card["turns"]) == 10_000
    assert card["metrics"]["golden_silence_rate"] == 0.0
    assert card["metrics"]["questions_without_pause"] == 0


def test_transcript_is_immutable() -> None:
    tr = parse_transcript({"mode": "visit", "turns": [rep("a")]})
    assert isinstance(tr, Transcript)
    with pytest.raises(AttributeError):
        tr.mode = "appointment"  # type: ignore[misc]
