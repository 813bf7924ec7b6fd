"""Inline-SVG geometry for the progress pages (no chart library, no script): a line of one dimension's
effective scores over the attempts, and the heatmap's colour band of a score. Templates only lay these out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web.present import DIMENSIONS, cn_time

# Heatmap bands: (lowest score, class); the number is always in the cell, the colour only repeats it.
BANDS = ((90, "heat-5"), (75, "heat-4"), (60, "heat-3"), (40, "heat-2"), (0, "heat-1"))
BAND_LABELS = ("0–39", "40–59", "60–74", "75–89", "90–100")


def band(score: int | None) -> str:
    if score is None:
        return "heat-none"
    return next(cls for low, cls in BANDS if score >= low)


@dataclass
class ChartDot:
    x: float
    y: float
    score: int
    tip: str
    session_id: str
    adjusted: bool


@dataclass
class LineChart:
    key: str
    label: str
    width: int
    height: int
    left: int
    right: int
    grid: list[tuple[int, float]]  # (score, y) of the 0/50/100 lines
    points: str
    dots: list[ChartDot]
    first: int
    last: int
    best: int
    summary: str  # for screen readers: the numbers, in words


def line_chart(key: str, points: list[Any], width: int = 320, height: int = 150) -> LineChart:
    """One dimension over the attempts, evenly spaced (oldest left), 0 at the bottom and 100 at the top;
    `points` are services.progress.Point."""
    left, right, top, bottom = 34, 12, 18, 14
    pad = 14  # the first and last dot (and their numbers) clear the axis labels and the edge
    inner_w, inner_h = width - left - right, height - top - bottom
    step = (inner_w - 2 * pad) / max(len(points) - 1, 1)

    def y_of(score: float) -> float:
        return round(top + inner_h * (1 - max(0, min(100, score)) / 100), 1)

    dots = []
    for i, p in enumerate(points):
        x = round(left + (pad + i * step if len(points) > 1 else inner_w / 2), 1)
        tip = f"{cn_time(p.started_at)}:{p.score} 分" + ("(培训师调整后)" if p.adjusted else "")
        dots.append(ChartDot(x, y_of(p.score), p.score, tip, p.session_id, p.adjusted))
    scores = [p.score for p in points]
    label = DIMENSIONS.get(key, key)
    summary = f"{label}:{len(scores)} 次对练,依次为 " + "、".join(str(s) for s in scores) + " 分"
    return LineChart(
        key,
        label,
        width,
        height,
        left,
        right,
        [(s, y_of(s)) for s in (0, 50, 100)],
        " ".join(f"{d.x},{d.y}" for d in dots),
        dots,
        scores[0],
        scores[-1],
        max(scores),
        summary,
    )
