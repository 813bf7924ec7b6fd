"""The scorecard as a whole: its shape, the scores' formulas, silence with and without times, references."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from evaluators.findings import RULES, specs
from evaluators.model import QUESTION_ACTS, Classification, Elements
from evaluators.scorecard import reference, score_transcript
from evaluators.scoring import scoring_rules
from evaluators.transcript import MODES

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_CODES = {
    "intro_incomplete", "pitch_in_appointment", "no_meeting_length", "no_choice_offered", "commitment_not_asked",
    "commitment_incomplete", "no_pause_after_question", "rushed_reply", "monologue", "talk_ratio_high",
    "no_confirmation", "no_summary", "no_motive_probe", "argued_with_customer",
}  # fmt: skip


def labelled(*turns: tuple[str, str, str]) -> tuple[list[dict[str, Any]], Any]:
    """(speaker, text, act) triples → turns and a classifier that returns those acts."""
    table = {}
    for speaker, text, act in turns:
        if speaker == "rep":
            elements = Elements(True, True, True, True) if act == "commitment" else None
            focus = "need" if act == "exploratory" else None
            table[text] = Classification(
                act, focus=focus, elements=elements, is_question=act in QUESTION_ACTS
            )
    return [{"speaker": s, "text": t} for s, t, _ in turns], table.__getitem__


def fake_cite(query: str, hint: str) -> dict[str, str]:
    return {"section": f"某篇 / {hint}", "text": f"原文:{query}"}


def card_for(mode: str, *turns: tuple[str, str, str], **times: Any) -> dict[str, Any]:
    raw, clf = labelled(*turns)
    return score_transcript({"mode": mode, "turns": raw}, classifier=clf, cite=fake_cite)


BASE = [
    ("rep", "周经理您好,今天想多听听您的情况。", "statement"),
    ("customer", "好的,我们门店新员工流失比较多,店长们天天跟我要人,招聘和培训都快顶不住了。", ""),
    ("rep", "主要是什么原因造成的?", "exploratory"),
    ("customer", "带教跟不上,新人上岗前只培训两天,被顾客投诉几次就走了,老店长也忙不过来。", ""),
    ("rep", "我理解有三点:一带教,二培训,三投诉,对吗?", "confirmation"),
    ("customer", "对,差不多就是这些,你总结得挺准的。", ""),
    ("rep", "下周四请您和店长一起来看方案,好吗?", "commitment"),
    ("customer", "可以。", ""),
]


def test_scorecard_shape() -> None:
    card = card_for("visit", *BASE)
    assert set(card) == {"mode", "scores", "outcome", "metrics", "not_measured", "findings", "turns"}
    assert set(card["scores"]) == {"overall", "questioning", "listening", "men", "commitment"}
    assert all(isinstance(v, int) and 0 <= v <= 100 for v in card["scores"].values())
    for key in ("talk_ratio", "question_rate", "golden_silence_rate", "longest_monologue", "act_counts"):
        assert key in card["metrics"]
    rep, customer = card["turns"][2], card["turns"][1]
    assert rep == {"index": 2, "speaker": "rep", "text": "主要是什么原因造成的?", "act": "exploratory",
                   "focus": "need", "form": None, "elements": None}  # fmt: skip
    assert customer["act"] is None and customer["elements"] is None and "t" not in customer
    assert card["turns"][6]["elements"] == {"time": True, "people": True, "action": True, "benefit": True}


def test_appointment_scores_have_the_appointment_dimension() -> None:
    card = card_for("appointment", *BASE)
    assert set(card["scores"]) == {"overall", "questioning", "listening", "appointment", "commitment"}


def test_findings_carry_message_advice_and_reference() -> None:
    card = card_for("visit", ("rep", "您好。", "statement"), ("customer", "你好。", ""))
    assert card["findings"]
    for finding in card["findings"]:
        assert set(finding) == {"code", "turn", "message", "advice", "dimension", "reference"}
        assert finding["turn"] is None or 0 <= finding["turn"] < len(card["turns"])
        assert finding["message"] and "{" not in finding["message"]
        hint, query = specs()[finding["code"]].passage("visit")
        assert finding["reference"] == fake_cite(query, hint)


def test_metrics_count_acts_and_characters() -> None:
    m = card_for("visit", *BASE)["metrics"]
    assert m["question_rate"] == 0.75
    assert m["rep_chars"] + m["customer_chars"] == sum(len(t) for _, t, _ in BASE)
    assert m["talk_ratio"] == round(m["rep_chars"] / (m["rep_chars"] + m["customer_chars"]), 3)
    assert m["act_counts"]["exploratory"] == 1 and m["focus_counts"]["need"] == 1
    assert m["commitment_asks"] == 1 and m["commitment_best_elements"] == 4
    assert m["timing"] == "none"


# --- scores -------------------------------------------------------------------------------------------------


def test_clean_conversation_scores_full_marks() -> None:
    card = card_for(
        "visit", *BASE[:4], ("rep", "我理解有三点:一带教,二培训,三投诉,对吗?", "confirmation"), *BASE[5:]
    )
    # BASE's confirmation has no form/focus motive: only those findings take points off.
    assert {f["code"] for f in card["findings"]} == {"no_summary", "no_motive_probe"}
    assert card["scores"]["men"] == 100 - 15 - 30
    assert card["scores"]["questioning"] == card["scores"]["listening"] == card["scores"]["commitment"] == 100


def test_repeated_findings_take_off_first_then_each_up_to_max() -> None:
    long = "原" * 130
    turns = [("rep", long + str(k), "exploratory") for k in range(5)]
    turns = [x for k, t in enumerate(turns) for x in (t, ("customer", "客" * 800 + str(k), ""))]
    listening = card_for("visit", *turns[:2])["scores"]["listening"]
    assert listening == 90  # one monologue: 10
    assert card_for("visit", *turns[:4])["scores"]["listening"] == 80  # two: 10 + 10
    assert card_for("visit", *turns)["scores"]["listening"] == 70  # five: capped at 30


def test_commitment_dimension() -> None:
    none = card_for("visit", *BASE[:6])
    assert none["scores"]["commitment"] == 0
    raw, clf = labelled(*BASE)
    partial = Classification("commitment", elements=Elements(time=True, action=True), is_question=True)
    card = score_transcript(
        {"mode": "visit", "turns": raw},
        classifier=lambda text: partial if text == BASE[6][1] else clf(text),
        cite=fake_cite,
    )
    assert card["scores"]["commitment"] == 70  # two elements missing: 15 + 15


def test_questioning_base_follows_question_rate() -> None:
    turns = [("rep", f"陈述{k}。", "statement") for k in range(3)] + [("rep", "原因是什么?", "exploratory")]
    card = card_for(
        "visit", *[x for t in turns for x in (t, ("customer", "嗯,是这样的,我们也在想办法。", ""))]
    )
    assert card["metrics"]["question_rate"] == 0.25
    assert card["scores"]["questioning"] == 50 - 10  # base 100 × 0.25 / 0.5, minus no_confirmation


def test_overall_is_the_weighted_mean() -> None:
    for mode in MODES:
        turns = [("rep", f"您好,我是小王{k}。", "pitch") for k in range(3)]
        card = card_for(mode, *[x for t in turns for x in (t, ("customer", "你好。", ""))])
        assert card["outcome"]["result"] == "unknown"
        weights = scoring_rules().weights[mode]
        expected = sum(weights[k] * card["scores"][k] for k in weights)
        assert card["scores"]["overall"] == int(expected + 0.5)
        assert all(0 <= v <= 100 for v in card["scores"].values())


def test_a_call_too_short_to_judge_is_capped_and_says_so() -> None:
    for mode in MODES:
        card = card_for(
            mode,
            ("rep", "王主任您好,我是华声科技的销售经理李明,想约您见一面。", "commitment"),
            ("customer", "你好。", ""),
        )
        assert card["scores"]["overall"] <= 15
        assert [f["turn"] for f in card["findings"] if f["code"] == "too_short_to_judge"] == [None]


def test_yaml_and_rules_agree() -> None:
    dims = scoring_rules().dimensions
    assert set(specs()) == set(RULES)
    assert set(specs()) >= CONTRACT_CODES
    for spec in specs().values():
        assert set(spec.modes) <= set(MODES) and spec.modes
        assert spec.dimension in dims
        assert set(spec.penalties) <= set(dims)
        assert spec.hint and spec.query and spec.advice and spec.term


# --- silence ------------------------------------------------------------------------------------------------


def timed(pauses: list[float | None]) -> dict[str, Any]:
    """Customer / rep alternating; each rep reply starts `pause` s after the customer's end (None: no t)."""
    turns: list[dict[str, Any]] = [{"speaker": "rep", "text": "您好,想听听您的情况?", "t": 0.0, "end": 2.0}]
    clock = 3.0
    for k, pause in enumerate(pauses):
        turns.append({"speaker": "customer", "text": f"情况是这样的{k}。", "t": clock, "end": clock + 3})
        clock += 3
        rep = {"speaker": "rep", "text": f"明白{k}。"}
        if pause is not None:
            clock += pause
            rep.update(t=clock, end=clock + 1)
        turns.append(rep)
        clock += 2
    acts = {t["text"]: Classification("statement") for t in turns if t["speaker"] == "rep"}
    acts["您好,想听听您的情况?"] = Classification("exploratory", focus="need", is_question=True)
    return score_transcript({"mode": "visit", "turns": turns}, classifier=acts.__getitem__, cite=fake_cite)


def test_silence_with_times() -> None:
    card = timed([5, 4, 1, 6])
    assert card["metrics"]["golden_silence_rate"] == 0.75
    assert card["metrics"]["reply_pause_median"] == 4.5
    assert card["not_measured"] == []
    assert "rushed_reply" not in {f["code"] for f in card["findings"]}
    assert card["turns"][2]["t"] == 11.0


def test_silence_without_times_is_not_measured_never_guessed() -> None:
    raw, clf = labelled(*BASE)
    card = score_transcript({"mode": "visit", "turns": raw}, classifier=clf, cite=fake_cite)
    assert card["metrics"]["golden_silence_rate"] is None
    assert card["metrics"]["reply_pause_median"] is None
    assert [x["check"] for x in card["not_measured"]] == [
        "rushed_reply",
        "golden_silence_rate",
        "reply_pause_median",
    ]
    assert "没有时间" in card["not_measured"][0]["reason"]


def test_silence_with_partial_times_is_not_measured() -> None:
    card = timed([1, None, 1])
    assert card["metrics"]["timing"] == "partial"
    assert card["metrics"]["golden_silence_rate"] is None
    assert "部分回合缺少时间" in card["not_measured"][0]["reason"]
    assert "rushed_reply" not in {f["code"] for f in card["findings"]}


def test_silence_without_any_reply() -> None:
    card = score_transcript(
        {"mode": "visit", "turns": [{"speaker": "rep", "text": "您好。", "t": 0, "end": 1}]},
        classifier=lambda text: Classification("statement"),
        cite=fake_cite,
    )
    assert card["metrics"]["golden_silence_rate"] is None
    assert "没有客户说完后销售接话" in card["not_measured"][0]["reason"]


# --- references ---------------------------------------------------------------------------------------------


def test_reference_falls_back_to_the_rule_data() -> None:
    spec = specs()["monologue"]
    assert reference(spec, None) == {"section": spec.hint, "text": spec.query}
    assert reference(spec, lambda q, h: None) == {"section": spec.hint, "text": spec.query}
    assert reference(spec, lambda q, h: {"section": "", "text": "x"}) == {
        "section": spec.hint,
        "text": spec.query,
    }

    def broken(query: str, hint: str) -> dict[str, str]:
        raise RuntimeError("index missing")

    assert reference(spec, broken) == {"section": spec.hint, "text": spec.query}


@pytest.mark.parametrize(("code", "mode"), [(c, m) for c in sorted(specs()) for m in specs()[c].modes])
def test_every_reference_resolves_in_the_book(code: str, mode: str) -> None:
    cite = pytest.importorskip("knowledge.cite").cite
    spec = specs()[code]
    found = reference(spec, cite, mode)
    hint, query = spec.passage(mode)
    assert hint in found["section"]
    # The passage (heading path and text) holds most of the characters of the rule's query.
    wanted = set(query) - set(" 、,:-!。")
    assert len(wanted & set(found["section"] + found["text"])) >= 0.8 * len(wanted)


def test_importing_the_scorer_stays_light() -> None:
    code = (
        "import sys, evaluators.scorecard, evaluators.transcript;"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('chromadb', 'langchain', 'langchain_core', 'fastapi', 'openai', 'jieba', 'numpy', 'knowledge')];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_docs_cover_every_code_and_dimension() -> None:
    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    for code in specs():
        assert f"`{code}`" in doc, code
    for key, dimension in scoring_rules().dimensions.items():
        assert f"`{key}`" in doc and dimension.label in doc, key
