"""The call's outcome in the scorecard (CONTRACT §4 `outcome`) and how it combines with the process scores."""

from __future__ import annotations

from typing import Any

import pytest

from customer.engine import Conversation
from evaluators.scorecard import score_transcript
from evaluators.transcript import TranscriptError
from tests.evaluators.test_scorecard_scoring import BASE, fake_cite, labelled


def card(mode: str, turns: list[tuple[str, str, str]], outcome: Any = None, **extra: Any) -> dict[str, Any]:
    raw, clf = labelled(*turns)
    return score_transcript(
        {"mode": mode, "turns": raw, **extra}, classifier=clf, cite=fake_cite, outcome=outcome
    )


def codes(scorecard: dict[str, Any]) -> set[str]:
    return {f["code"] for f in scorecard["findings"]}


def test_without_outcome_a_transcript_is_unknown_and_scored_as_before() -> None:
    scored = card("visit", BASE)
    assert scored["outcome"]["result"] in ("unknown", "committed")  # "可以。" after the ask reads as a yes
    assert scored["outcome"]["facts_total"] is None


def test_no_commitment_caps_the_overall_below_80() -> None:
    for result in ("hung_up", "time_up", "ended"):
        scored = card("visit", BASE, {"result": result})
        assert scored["scores"]["overall"] < 80, result
        assert scored["scores"]["commitment"] <= 40
    committed = card("visit", BASE, {"result": "committed", "commitment": "highest"})
    assert committed["scores"]["overall"] > card("visit", BASE, {"result": "ended"})["scores"]["overall"]


def test_hung_up_costs_more_than_time_up() -> None:
    hung = card("visit", BASE, {"result": "hung_up"})["scores"]["overall"]
    late = card("visit", BASE, {"result": "time_up"})["scores"]["overall"]
    assert hung < late


def test_men_follows_the_facts_earned() -> None:
    few = {
        "result": "committed",
        "commitment": "lowest",
        "earned": {"expectation": 1, "need": 1, "motive": 0, "process": 0},
        "totals": {"expectation": 2, "need": 4, "motive": 2, "process": 2},
    }
    all_ = {**few, "earned": few["totals"]}
    assert card("visit", BASE, few)["scores"]["men"] < card("visit", BASE, all_)["scores"]["men"] - 30


def test_messages_after_the_hang_up_are_shown_not_scored() -> None:
    turns = [
        ("rep", "王主任您好,我们的会议话筒现在八折,还送安装。", "pitch"),
        ("customer", "我们不需要,谢谢。先挂了。", ""),
        ("rep", "王主任,您看下周二还是周四,我过去聊半小时,给您讲讲同行怎么做的?", "commitment"),
        ("rep", "我们给城西区做过,效果很好。", "statement"),
    ]
    scored = card("appointment", turns, {"result": "hung_up"})
    assert [t.get("scored", True) for t in scored["turns"]] == [True, True, False, False]
    assert "commitment_not_asked" in codes(scored)  # the ask came after he hung up
    assert scored["scores"]["overall"] <= 15


def test_an_imported_transcript_s_end_is_judged_from_the_customer_s_words() -> None:
    hung = card(
        "appointment", [("rep", "您好,我们的产品八折。", "pitch"), ("customer", "没兴趣,别再打了。", "")]
    )
    assert hung["outcome"]["result"] == "hung_up" and hung["outcome"]["inferred"]
    yes = card(
        "appointment",
        [("rep", "下周二还是周四,我过去半小时?", "commitment"), ("customer", "行,那就周四下午吧。", "")],
    )
    assert yes["outcome"]["result"] == "committed" and yes["outcome"]["commitment"] is None
    open_end = card(
        "appointment",
        [("rep", "您现在会议室用得怎么样?", "exploratory"), ("customer", "还行吧,就是话筒老出问题。", "")],
    )
    assert open_end["outcome"]["result"] == "unknown"


def test_a_transcript_may_carry_its_outcome_and_a_bad_one_is_refused() -> None:
    raw, clf = labelled(*BASE)
    scored = score_transcript(
        {"mode": "visit", "turns": raw, "outcome": {"result": "time_up"}}, classifier=clf
    )
    assert scored["outcome"]["result"] == "time_up"
    with pytest.raises(TranscriptError, match="outcome.result"):
        score_transcript({"mode": "visit", "turns": raw, "outcome": {"result": "won"}}, classifier=clf)


def test_pleading_pressure_and_pushing_past_a_concern_are_findings() -> None:
    turns = [
        ("rep", "王主任您好,我是华声科技的销售经理李明,想约您见一面。", "commitment"),
        ("customer", "这个我再考虑考虑吧。", ""),
        ("rep", "王主任,您就见我一面嘛,求您了,下周二上午行吗?", "commitment"),
        ("customer", "我说了再考虑。", ""),
        ("rep", "您现在主要担心的是哪一块?", "exploratory"),
    ]
    scored = card("appointment", turns)
    assert [f["turn"] for f in scored["findings"] if f["code"] == "pressure_close"] == [2]
    assert [f["turn"] for f in scored["findings"] if f["code"] == "concern_pushed_past"] == [2]
    polite = card("appointment", [turns[0], turns[1], turns[4], ("customer", "主要是预算。", "")])
    assert not codes(polite) & {"pressure_close", "concern_pushed_past"}


def test_a_summary_is_no_monologue_and_a_visit_cites_the_visit_s_chapter() -> None:
    summary = "我总结一下您刚才说的:" + "一是门店带教跟不上,新人上岗前只培训两天;" * 5 + "我理解得对吗?"
    raw, _ = labelled(*BASE)
    from evaluators.model import Classification

    def clf(text: str) -> Classification:
        if text == summary:
            return Classification("confirmation", form="summary", is_question=True)
        return Classification("statement")

    turns = [*raw, {"speaker": "rep", "text": summary}, {"speaker": "rep", "text": "销" * 130}]
    scored = score_transcript({"mode": "visit", "turns": turns}, classifier=clf, cite=fake_cite)
    assert [f["turn"] for f in scored["findings"] if f["code"] == "monologue"] == [len(turns) - 1]
    talk = next(f for f in scored["findings"] if f["code"] == "talk_ratio_high")
    assert talk["turn"] is None
    assert "提问与倾听" in talk["reference"]["section"]


def test_the_engine_s_outcome_reaches_the_scorecard() -> None:
    conv = Conversation("gov-meeting-room", seed=0)
    for text in [
        "您好,我们的会议系统八折优惠,无线话筒还送安装调试。",
        "我们的话筒音质特别好,全数字的,价格也便宜。",
        "王主任,我们的主机带录音录像,今天下单还有优惠。",
        "我们产品真的很好。",
    ]:
        if conv.state.ended:
            break
        conv.rep_says(text, after=1.0)
    out = conv.outcome()
    assert out["result"] == "hung_up" and out["facts_total"] > 0
    scored = score_transcript(conv.transcript(), outcome=out)
    assert scored["outcome"]["result"] == "hung_up"
    assert scored["scores"]["overall"] <= 50


def test_running_down_the_customer_or_a_competitor_is_a_finding() -> None:
    turns = [
        ("rep", "王主任您好,我是华声科技的销售经理李明。", "statement"),
        ("customer", "你好,什么事?", ""),
        ("rep", "你们现在这套系统太落后了,别家的也都是坑。", "statement"),
        ("customer", "嗯。", ""),
        ("rep", "您现在会议室用得怎么样?", "exploratory"),
    ]
    scored = card("appointment", turns)
    assert [f["turn"] for f in scored["findings"] if f["code"] == "contempt"] == [2]
    assert "contempt" not in codes(card("appointment", [*turns[:2], turns[4]]))
