"""`peilian chat --json` line handling: one reply line per event, a scorecard last, clear errors."""

from __future__ import annotations

import io
import json

import pytest

from customer.cards import CardError
from customer.chat import ChatInputError, TimedChat, parse_event, run_chat_json
from customer.engine import Conversation

LINES = [
    "王主任您好，我是华声会议系统公司的客户经理李明，刘科长介绍我给您打电话。",
    "",
    '{"text": "今年区里会务这块，您最看重的是什么工作？", "after": 5}',
    '{"silence": 5}',
    '{"silence": 1.5}',
]


def run(lines) -> list[dict]:
    out = io.StringIO()
    run_chat_json("gov-meeting-room", lines, out, seed=0)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_reply_per_event_then_the_scorecard() -> None:
    rows = run(LINES)
    assert len(rows) == 5  # four events (the blank line is skipped) + scorecard
    for row in rows[:4]:
        assert set(row) == {"reply", "revealed", "state"}
        assert {"trust", "patience", "pressure", "stage", "concern", "ended", "outcome"} <= set(row["state"])
    assert rows[1]["revealed"] and rows[1]["reply"]
    assert rows[3]["reply"] == "" and rows[3]["revealed"] == []  # a short silence: he waits
    assert "scorecard" in rows[-1]
    card = rows[-1]["scorecard"]
    assert card is None or card["mode"] == "appointment"


def test_deterministic_per_seed() -> None:
    assert run(LINES) == run(LINES)


def test_transcript_times_follow_the_clock() -> None:
    chat = TimedChat(
        Conversation(
            "gov-meeting-room",
            classifier=lambda t: __import__("customer.synthetic", fromlist=["cls"]).cls("statement"),
        )
    )
    chat.say("您好，我是华声的李明。", None)
    chat.say("我们做会议系统很多年了。", 6.0)
    chat.silence(5.0)
    turns = chat.transcript()["turns"]
    starts = [t["t"] for t in turns]
    assert starts == sorted(starts) and all(t["end"] >= t["t"] for t in turns)
    rep2 = [t for t in turns if t["speaker"] == "rep"][1]
    prev_customer_end = turns[turns.index(rep2) - 1]["end"]
    assert rep2["t"] == pytest.approx(prev_customer_end + 6.0)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{bad json", "第 1 行不是合法的 JSON"),
        ("[1, 2]", None),
        ('{"text": ""}', '"text" 应为非空文本'),
        ('{"text": "你好", "after": -1}', '"after" 应为 0 到 3600'),
        ('{"silence": "long"}', '"silence" 应为 0 到 3600'),
        ('{"text": "你好", "silence": 3}', '应有 "text" 或 "silence" 之一'),
        ('{"mood": "happy"}', "未知字段: mood"),
        ('{"silence": 3, "after": 2}', '"after" 只能和 "text" 一起用'),
    ],
)
def test_bad_lines_raise_one_line_errors(line: str, message: str | None) -> None:
    if message is None:  # not an object: a plain line starting with "[" is just text
        assert parse_event(line, 1) == {"text": line, "after": None}
        return
    with pytest.raises(ChatInputError) as info:
        run([line])
    assert message in str(info.value) and "\n" not in str(info.value)


def test_unknown_scenario() -> None:
    with pytest.raises(CardError, match="未知场景"):
        run_chat_json("no-such-card", [], io.StringIO())


def test_lines_after_the_end_get_empty_replies() -> None:
    pitch = "我们的无线话筒采用最新的数字技术，音质清晰，价格优惠。"
    rows = run([pitch] * 6)
    ended = [r for r in rows[:-1] if r["state"]["ended"]]
    assert ended and ended[0]["state"]["outcome"] == "hung_up"
    assert rows[-2]["reply"] == ""
