"""What the pages show, computed in Python: act labels, the radar chart and the sparkline."""

from __future__ import annotations

import pytest

from web import present


@pytest.mark.parametrize(
    ("act", "label"),
    [
        ({"act": "exploratory", "focus": "need"}, "探索·需求"),
        ({"act": "exploratory", "focus": None}, "探索"),
        ({"act": "confirmation", "form": "summary"}, "确认·麦肯锡式"),
        (
            {
                "act": "commitment",
                "elements": {"time": True, "people": True, "action": True, "benefit": False},
            },
            "行动承诺 3/4",
        ),
        ({"act": "pitch"}, "产品陈述"),
        ({"act": "control"}, "控制"),
        (None, ""),
    ],
)
def test_act_labels(act: dict | None, label: str) -> None:
    assert present.act_label(act) == label


def test_missing_commitment_elements_are_named() -> None:
    act = {"act": "commitment", "elements": {"time": True, "people": False, "action": True, "benefit": False}}
    assert present.missing_elements(act) == ["参与的人", "对客户的好处"]


def test_radar_puts_each_dimension_on_its_axis() -> None:
    scores = {"overall": 70, "appointment": 100, "questioning": 50, "listening": 0, "commitment": 75}
    radar = present.radar("appointment", scores)
    assert [a.key for a in radar.axes] == ["appointment", "questioning", "listening", "commitment"]
    top, right, bottom, left = radar.dots
    assert top == (160.0, 60.0)  # 100 on the outer ring, straight up
    assert right == (210.0, 160.0) and bottom == (160.0, 160.0) and left == (85.0, 160.0)
    assert radar.original_points is None and "倾听 0 分" in radar.summary
    adjusted = present.radar("appointment", {**scores, "listening": 80}, scores)
    assert adjusted.original_points is not None


def test_sparkline() -> None:
    assert present.sparkline([]) is None
    spark = present.sparkline(
        [{"date": "2026-01-01T08:00:00+00:00", "overall": 0}, {"date": None, "overall": 100}]
    )
    assert spark is not None and len(spark.dots) == 2
    assert spark.dots[0][1] == spark.height - 4 and spark.dots[1][1] == 4  # 0 at the bottom, 100 at the top
    assert spark.summary == "2 次对练,从 0 分到 100 分"


FACTS = {
    "facts_earned": 5,
    "facts_total": 12,
    "earned": {"expectation": 2, "need": 2, "motive": 1, "process": 0},
}


@pytest.mark.parametrize(
    ("outcome", "line"),
    [
        (
            {"result": "committed", "commitment": "highest", **FACTS},
            "结果：客户同意（最高承诺）· 挖掘事实 5/12",
        ),
        (
            {"result": "committed", "commitment": "lowest", **FACTS},
            "结果：客户同意（最低承诺）· 挖掘事实 5/12",
        ),
        (
            {"result": "hung_up", "reason": "pitch_in_appointment", **FACTS},
            "结果：客户挂断（约访电话里介绍产品）· 挖掘事实 5/12",
        ),
        ({"result": "hung_up", "reason": "some_code", **FACTS}, "结果：客户挂断 · 挖掘事实 5/12"),
        (
            {"result": "hung_up", "reason": "先挂了", "inferred": True},
            "结果：客户挂断（先挂了，据客户的话判断）· 导入的记录",
        ),
        ({"result": "time_up", **FACTS}, "结果：时间到 · 挖掘事实 5/12"),
        ({"result": "ended", "facts_earned": 0, "facts_total": 9}, "结果：销售结束了通话 · 挖掘事实 0/9"),
        ({"result": "unknown", "facts_earned": None, "facts_total": None}, "结果：无法判断（导入的记录）"),
        (None, "结果：无法判断（这张评分卡没有记录结果）"),
        ({"result": "won", "facts_total": "many"}, "结果：无法判断（导入的记录）"),
    ],
)
def test_outcome_line(outcome: dict | None, line: str) -> None:
    scorecard = {"scores": {"overall": 50}} if outcome is None else {"scores": {}, "outcome": outcome}
    assert present.outcome_line(scorecard) == line


def test_call_level_findings_and_unscored_messages() -> None:
    class Msg:
        def __init__(self, seq: int, speaker: str) -> None:
            self.seq, self.speaker, self.text, self.t, self.meta = seq, speaker, "…", None, {}

    scorecard = {
        "findings": [
            {"code": "talk_ratio_high", "turn": None, "dimension": "listening"},
            {"code": "rushed_reply", "turn": 1, "dimension": "listening"},
        ],
        "turns": [{"index": 0}, {"index": 1}, {"index": 2, "scored": False}],
    }
    [call] = present.call_findings(scorecard)
    assert call["code"] == "talk_ratio_high" and call["dimension_label"] == "倾听"
    rows = present.transcript_view([Msg(0, "customer"), Msg(1, "rep"), Msg(2, "rep")], scorecard)
    assert [r["unscored"] for r in rows] == [False, False, True]
    assert [f["code"] for f in rows[1]["findings"]] == ["rushed_reply"] and rows[0]["findings"] == []
