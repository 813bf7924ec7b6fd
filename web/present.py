"""What the pages show, computed once in Python: Chinese labels, the radar chart and sparklines (inline SVG
geometry), metrics as text. Templates only lay these out; the JS reads the same labels from the page."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.services.outcomes import api_outcome, outcome_of, recorded

ACTS = {
    "exploratory": "探索",
    "control": "控制",
    "confirmation": "确认",
    "extension": "扩展",
    "commitment": "行动承诺",
    "pitch": "产品陈述",
    "statement": "陈述",
}
FOCUS = {"process": "流程", "expectation": "期望", "need": "需求", "motive": "动机"}
FORMS = {"plain": "普通式", "paraphrase": "换言式", "summary": "麦肯锡式"}
ELEMENTS = {"time": "时间", "people": "参与的人", "action": "做什么", "benefit": "对客户的好处"}
DIMENSIONS = {
    "overall": "总分",
    "appointment": "约访",
    "men": "挖掘MEN",
    "questioning": "提问",
    "listening": "倾听",
    "commitment": "行动承诺",
}
# Radar axes per mode, in the order of docs/scoring.md (the mode's own dimension first).
AXES = {
    "appointment": ("appointment", "questioning", "listening", "commitment"),
    "visit": ("men", "questioning", "listening", "commitment"),
}
MODES = {"appointment": "约访电话", "visit": "拜访"}
ROLES = {"rep": "销售", "trainer": "培训师", "admin": "管理员", "lms": "LMS"}
FACT_GROUPS = {"expectation": "期望", "need": "需求", "motive": "动机", "process": "流程"}
END_REASONS = {
    "rep_ended": "你结束了通话",
    "committed": "客户答应了你的行动承诺",
    "hung_up": "客户挂断了电话",
    "time_up": "时间到了,客户结束了谈话",
    "customer_ended": "客户结束了谈话",
    "real_call": "真实通话",
}


OUTCOME_RESULTS = {
    "committed": "客户同意",
    "hung_up": "客户挂断",
    "time_up": "时间到",
    "ended": "销售结束了通话",
    "unknown": "无法判断",
}
COMMITMENT_LEVELS = {"highest": "最高承诺", "lowest": "最低承诺"}
# Why the customer hung up, for the reasons the customer engine names by a code (others are shown as given).
HANG_UP_REASONS = {
    "pitch_in_appointment": "约访电话里介绍产品",
    "pitch_before_needs": "还没弄清需求就介绍产品",
    "gaming": "答非所问",
    "argued_with_customer": "和客户争论",
    "contempt": "轻视客户",
}


def labels_for_js() -> dict[str, Any]:
    """The label tables the practice page's script needs (one source of truth: this module)."""
    return {"acts": ACTS, "focus": FOCUS, "forms": FORMS, "elements": ELEMENTS, "endReasons": END_REASONS}


def act_label(act: dict[str, Any] | None) -> str:
    """探索·需求, 确认·麦肯锡式, 行动承诺 3/4, 产品陈述…; "" when the message has no act (a customer's)."""
    if not act or not act.get("act"):
        return ""
    name = act["act"]
    label = ACTS.get(name, name)
    if name == "exploratory" and act.get("focus"):
        return f"{label}·{FOCUS.get(act['focus'], act['focus'])}"
    if name == "confirmation" and act.get("form"):
        return f"{label}·{FORMS.get(act['form'], act['form'])}"
    if name == "commitment" and isinstance(act.get("elements"), dict):
        return f"{label} {sum(bool(v) for v in act['elements'].values())}/4"
    return label


def missing_elements(act: dict[str, Any] | None) -> list[str]:
    if not act or act.get("act") != "commitment" or not isinstance(act.get("elements"), dict):
        return []
    return [ELEMENTS[k] for k in ELEMENTS if not act["elements"].get(k)]


def cn_time(value: datetime | str | None) -> str:
    """A timestamp in the server's local time, the Chinese way: 2026年12月1日 20:15."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone()
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def _reason(reason: str | None) -> str | None:
    if not reason:
        return None
    if reason in HANG_UP_REASONS:
        return HANG_UP_REASONS[reason]
    return reason if any("\u4e00" <= ch <= "\u9fff" for ch in reason) else None  # an unnamed code: left out


def outcome_line(scorecard: dict[str, Any] | None) -> str:
    """The call's outcome in one line: 结果：客户同意（最高承诺）· 挖掘事实 5/12. An imported transcript (no
    facts) says so; a scorecard stored before outcomes were recorded reads as unknown."""
    outcome = outcome_of(scorecard)
    result = outcome["result"]
    details: list[str] = []
    if result == "committed" and outcome["commitment"]:
        details.append(COMMITMENT_LEVELS[outcome["commitment"]])
    if result == "hung_up" and (reason := _reason(outcome["reason"])):
        details.append(reason)
    imported = recorded(scorecard) and outcome["facts_total"] is None
    if result == "unknown":
        details.append("导入的记录" if imported else "这张评分卡没有记录结果")
    elif api_outcome(scorecard).get("inferred") is True:
        details.append("据客户的话判断")
    head = f"结果：{OUTCOME_RESULTS[result]}" + (f"（{'，'.join(details)}）" if details else "")
    tail = None
    if outcome["facts_total"] is not None:
        tail = f"挖掘事实 {outcome['facts_earned'] or 0}/{outcome['facts_total']}"
    elif imported and result != "unknown":
        tail = "导入的记录"
    if tail is None:
        return head
    return head + ("· " if head.endswith("）") else " · ") + tail  # a full-width bracket needs no space


# -- charts ---------------------------------------------------------------------------------------------
@dataclass
class RadarAxis:
    key: str
    label: str
    score: int
    original: int
    x: float  # end of the axis line
    y: float
    lx: float  # label position
    ly: float
    anchor: str


@dataclass
class Radar:
    size: int
    axes: list[RadarAxis]
    rings: list[str]  # polygon points of the 25/50/75/100 grid
    points: str  # effective scores
    original_points: str | None  # when a trainer adjusted a score
    summary: str  # for screen readers
    dots: list[tuple[float, float]] = field(default_factory=list)


def dimension_order(mode: str, scores: dict[str, int]) -> list[str]:
    """The scored dimensions (not overall) in the radar's order."""
    axes = [k for k in AXES.get(mode, ()) if k in scores]
    return axes + [k for k in scores if k != "overall" and k not in axes]


def _polar(cx: float, cy: float, r: float, i: int, n: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * i / n
    return round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)


def radar(mode: str, effective: dict[str, int], original: dict[str, int] | None = None) -> Radar:
    """Geometry of the per-dimension radar chart: 0 at the centre, 100 on the outer ring."""
    original = original or effective
    keys = dimension_order(mode, effective)
    size, cx, r = 320, 160, 100
    n = max(len(keys), 3)

    def ring(fraction: float) -> str:
        return " ".join(f"{x},{y}" for x, y in (_polar(cx, cx, r * fraction, i, n) for i in range(n)))

    axes = []
    for i, key in enumerate(keys):
        x, y = _polar(cx, cx, r, i, n)
        lx, ly = _polar(cx, cx, r + 18, i, n)
        anchor = "middle" if abs(lx - cx) < 5 else ("start" if lx > cx else "end")
        axes.append(
            RadarAxis(
                key,
                DIMENSIONS.get(key, key),
                int(effective[key]),
                int(original.get(key, effective[key])),
                x,
                y,
                lx,
                ly + (16 if ly > cx + 5 else (-4 if ly < cx - 5 else 5)),
                anchor,
            )
        )

    def shape(scores: dict[str, int]) -> list[tuple[float, float]]:
        return [
            _polar(cx, cx, r * max(0, min(100, scores.get(k, 0))) / 100, i, n) for i, k in enumerate(keys)
        ]

    dots = shape(effective)
    changed = any(original.get(k) != effective.get(k) for k in keys)
    return Radar(
        size=size,
        axes=axes,
        rings=[ring(f) for f in (0.25, 0.5, 0.75, 1.0)],
        points=" ".join(f"{x},{y}" for x, y in dots),
        original_points=" ".join(f"{x},{y}" for x, y in shape(original)) if changed else None,
        summary=",".join(f"{a.label} {a.score} 分" for a in axes),
        dots=dots,
    )


@dataclass
class Sparkline:
    width: int
    height: int
    points: str
    dots: list[tuple[float, float, str]]  # x, y, tooltip
    summary: str


def sparkline(trend: list[dict[str, Any]], width: int = 140, height: int = 36) -> Sparkline | None:
    """A small line of overall scores over time (oldest left); None without any scored session."""
    values = [(p.get("date"), p.get("overall")) for p in trend if p.get("overall") is not None]
    if not values:
        return None
    pad = 4
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    dots = []
    for i, (date, score) in enumerate(values):
        x = round(pad + i * step if len(values) > 1 else width / 2, 1)
        y = round(height - pad - (height - 2 * pad) * score / 100, 1)
        dots.append((x, y, f"{cn_time(date)}:{score} 分" if date else f"{score} 分"))
    first, last = values[0][1], values[-1][1]
    summary = f"{len(values)} 次对练,从 {first} 分到 {last} 分"
    return Sparkline(width, height, " ".join(f"{x},{y}" for x, y, _ in dots), dots, summary)


# -- scorecard ------------------------------------------------------------------------------------------
def metrics_view(scorecard: dict[str, Any]) -> list[dict[str, str]]:
    """The four headline metrics, as text, with a hint saying what good looks like."""
    m = scorecard.get("metrics") or {}
    reasons = {n.get("check"): n.get("reason") for n in scorecard.get("not_measured") or []}
    silence = m.get("golden_silence_rate")
    silence_hint = "客户说完后停顿 ≥ 4 秒再接话的比例"
    if silence is None:
        silence_hint = next(iter(reasons.values()), None) or "没有可测量的接话"
    return [
        {
            "key": "talk_ratio",
            "label": "说话占比",
            "value": percent(m.get("talk_ratio")),
            "hint": "销售字数占全部字数;超过 60% 说明讲得太多",
        },
        {
            "key": "question_rate",
            "label": "提问比例",
            "value": percent(m.get("question_rate")),
            "hint": f"共 {m.get('rep_messages', 0)} 句,提问占比;一半以上为好",
        },
        {
            "key": "golden_silence_rate",
            "label": "黄金静默",
            "value": "未测量" if silence is None else percent(silence),
            "hint": silence_hint,
        },
        {
            "key": "longest_monologue",
            "label": "最长独白",
            "value": f"{m.get('longest_monologue', 0)} 字",
            "hint": "一句话超过 120 字就成了独白",
        },
    ]


def transcript_view(
    messages: list[Any],
    scorecard: dict[str, Any] | None,
    comments: list[dict[str, Any]] | None = None,
    corrections: dict[int, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Each message with its act, the findings that point at it, the trainer's comments on it and the
    trainer's current correction of its label (`corrections`: message seq → services.labels' view)."""
    findings: dict[int, list[dict[str, Any]]] = {}
    for f in (scorecard or {}).get("findings") or []:
        turn = f.get("turn")  # None: a finding about the whole call (shown with the scores)
        findings.setdefault(-1 if turn is None else int(turn), []).append(
            {**f, "dimension_label": DIMENSIONS.get(f.get("dimension", ""), "")}
        )
    unscored = {t.get("index") for t in (scorecard or {}).get("turns") or [] if t.get("scored") is False}
    by_seq: dict[int | None, list[dict[str, Any]]] = {}
    for c in comments or []:
        by_seq.setdefault(c.get("message_seq"), []).append(c)
    rows = []
    for m in messages:
        act = (
            {k: (m.meta or {}).get(k) for k in ("act", "focus", "form", "elements")}
            if m.speaker == "rep"
            else None
        )
        rows.append(
            {
                "seq": m.seq,
                "speaker": m.speaker,
                "text": m.text,
                "t": m.t,
                "act": act,
                "act_label": act_label(act),
                "act_name": (act or {}).get("act") or "",
                "missing": missing_elements(act),
                "findings": findings.get(m.seq, []),
                "unscored": m.seq in unscored,
                "comments": by_seq.get(m.seq, []),
                "correction": correction_view((corrections or {}).get(m.seq)),
            }
        )
    return rows


def call_findings(scorecard: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The findings about the whole call (`turn` null), shown with the scores rather than on a message."""
    return [
        {**f, "dimension_label": DIMENSIONS.get(f.get("dimension", ""), "")}
        for f in (scorecard or {}).get("findings") or []
        if f.get("turn") is None
    ]


def correction_view(correction: dict[str, Any] | None) -> dict[str, Any] | None:
    """A trainer's current correction as the page shows it: its label, who, when, how many times."""
    if not correction:
        return None
    label = correction["label"]
    trainer = correction.get("trainer") or {}
    return {
        **label,
        "label": act_label(label),
        "missing": missing_elements(label),
        "author": trainer.get("display_name") or trainer.get("username") or "",
        "created_at": correction["created_at"],
        "count": correction.get("count", 1),
    }


def facts_view(card: Any, earned: set[str]) -> list[dict[str, Any]]:
    """Hidden facts by group (期望/需求/动机/流程), each earned or missed — shown only after the call."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for fact in card.facts() if card is not None else []:
        group = card.category(fact.id)
        groups.setdefault(group, []).append(
            {"id": fact.id, "kind": fact.kind, "text": fact.text, "earned": fact.id in earned}
        )
    return [{"key": g, "label": FACT_GROUPS[g], "facts": groups[g]} for g in FACT_GROUPS if g in groups]
