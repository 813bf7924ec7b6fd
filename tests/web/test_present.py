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
