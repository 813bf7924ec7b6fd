"""Rules that must hold beyond the phrasings of our own case transcripts (found on the blind `tune` half,
tests/evaluators/data/transcripts_blind/tune/). Each test words the situation differently from those cases.

Acts are given explicitly (label tables), so these tests check the scorer's rules, not the classifier.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evaluators.findings import specs
from evaluators.findings.appointment import intro_parts
from evaluators.model import Classification
from evaluators.reading import cue_lexicon as lexicon
from evaluators.reading import says_meeting_length
from evaluators.scorecard import score_transcript
from tests.evaluators.test_scorecard_rules import ASK, C, R, codes, good_call, good_visit, hits, label, score


def parts(text: str) -> dict[str, bool]:
    return {key: bool(found) for key, found in intro_parts(text, lexicon()).items()}


# --- 开场白:公司、职务、全名 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # a company name without a usual suffix, with the rep's region or team after it
        "周总您好,我是阿里云华北大区的客户经理孙浩,想约您聊聊数据库迁移。",
        "您好,这里是美团优选供应链团队,我叫何静,是采购经理,想跟您约个时间。",
        # the company right before the title, no 的; 鄙人 as the self marker
        "钱总您好,鄙人马骏,金山办公渠道经理,打电话是想约您见一面。",
        "您好,我叫程立,京东物流的仓储顾问,想约您见个面。",
        # a title whose first character could be a surname (信息安全, 首席)
        "您好,我是星河数据的信息安全工程师杜明,想约您交流一下。",
        # modern surnames the classic list lacks
        "您好,我是华润医药的客户经理闫磊,想约您见面。",
        "您好,我是中粮的区域经理涂海燕,想约您见面。",
    ],
)
def test_complete_intros_in_other_phrasings(text: str) -> None:
    assert parts(text) == {"company": True, "title": True, "name": True, "purpose": True}


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("您好,我是西南区的客户经理孙浩,想约您见面。", "company"),  # a region alone is not a company
        ("您好,我是政企部的销售总监孙浩,想约您见面。", "company"),  # nor a department
        ("您好,我是负责西南区的销售孙浩,想约您见面。", "company"),  # nor a duty
        ("您好,我们是做冷链仓储的,我叫孙浩,想约您见面。", "company"),
        ("您好,我是孙浩,想跟贵司的韩经理约个时间。", "title"),  # the customer's title, not the rep's
        ("您好,我是孙浩,想约韩经理见个面。", "title"),
    ],
)
def test_intro_parts_still_missing(text: str, missing: str) -> None:
    assert parts(text)[missing] is False


# --- 说明会谈时长 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "我过去拜访您,二十多分钟就够。",
        "当面聊的话大概一个多小时。",
        "约个腾讯会议,半小时就够了。",
        "线上过一遍,45 分钟左右,不会多占您时间。",
        "您抽二十分钟给我,我把方案讲清楚。",
        "拜访的话 30 mins 足够。",
    ],
)
def test_meeting_length_in_other_words(text: str) -> None:
    assert says_meeting_length(text, lexicon())


@pytest.mark.parametrize("text", ["抽检一次要一个多小时。", "送货路上二十多分钟。"])
def test_durations_that_are_not_the_meeting(text: str) -> None:
    assert not says_meeting_length(text, lexicon())


def test_duration_said_right_after_the_ask_is_the_meetings() -> None:
    turns = good_call()
    turns[4] = R("下周二上午或者周四下午,我带工程师去厂里看看,您看哪天方便?", "commitment:tpa", 53, 63)
    assert "no_meeting_length" in codes(score("appointment", turns))
    # the length comes in the rep's next message, before the customer answers: it is the meeting's
    turns.insert(5, R("前后大概四十来分钟。", "statement", 63.5, 64))
    assert "no_meeting_length" not in codes(score("appointment", turns))
    # the same words away from the ask (after the customer spoke) are not about the meeting
    turns.pop(5)
    turns[2] = R("大概四十来分钟吧。您那边现在怎么调试?", "exploratory:process", 25, 31)
    assert "no_meeting_length" in codes(score("appointment", turns))


# --- 二选一 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["您看是这周五呢,还是下周一?我过去跟您聊半小时。", "下周二上午,或者周四下午,我过去跟您聊半小时。"],
)
def test_choice_of_times_with_a_pause_in_between(text: str) -> None:
    turns = good_call()
    turns[4] = R(text, "commitment:ta", 53, 63)
    assert "no_choice_offered" not in codes(score("appointment", turns))


def test_one_time_with_a_comma_is_still_no_choice() -> None:
    turns = good_call()
    turns[4] = R("下周二上午,我过去跟您聊半小时,您看可以吗?", "commitment:ta", 53, 63)
    assert [f["turn"] for f in hits(score("appointment", turns), "no_choice_offered")] == [None]


# --- 争辩 -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "您可错了,培训不是成本是投资。",
        "话可不能这么说,带教做好了流失率能降一半。",
        "这可不对,新人走主要不是因为工资。",
        "我并不认同您的判断,问题不在招聘。",
        "我不太同意这个说法。",
    ],
)
def test_argued_in_other_words(text: str) -> None:
    turns = good_visit()
    turns[4] = R(text)
    assert [f["turn"] for f in hits(score("visit", turns), "argued_with_customer")] == [4]


@pytest.mark.parametrize(
    "text",
    [
        "这也不对那也不对,店长们确实难做。",
        "这不是您的错,是带教体系没搭起来。",
        "我们不认同低价抢人的做法,所以更重视带教。",
        "您别误会,我不是来推销课程的。",
        "您说得一点没错。",
        "这个我完全同意您。",
    ],
)
def test_agreeing_or_empathising_is_not_arguing(text: str) -> None:
    turns = good_visit()
    turns[4] = R(text)
    assert "argued_with_customer" not in codes(score("visit", turns))


def test_appointment_with_every_generalised_phrasing_is_clean() -> None:
    """A whole call in other words: no suffix company with a region, 呢-还是 choice, 多 in the length."""
    turns = [
        R(
            "邹经理您好,我是海尔暖通华中大区的大客户代表肖晨,打电话是想约您聊聊明年机房空调的改造。",
            "statement",
            0,
            9,
        ),
        C("哦,海尔的。我们机房空调是有点老了,夏天老报警。", 10, 14),
        R("夏天报警最怕宕机。其他几家数据中心去年是怎么处理的,我想当面讲给您听。", "statement", 19, 25),
        C("可以啊,你什么时候方便?", 26, 28),
        R(
            ASK.replace("下周二上午或者周四下午", "下周二上午呢,还是周四下午").replace(
                "半小时", "二十多分钟"
            ),
            "commitment:tpab",
            33,
            43,
        ),
        C("周四下午吧,三点。", 44, 46),
        R("好的,暂定周四下午三点,谢谢邹经理!", "statement", 51, 54),
        C("好。", 55, 56),
    ]
    found = codes(score("appointment", turns))
    assert not found & {"intro_incomplete", "no_meeting_length", "no_choice_offered", "no_tentative_confirm"}


# --- the blind transcripts ------------------------------------------------------------------------------------

BLIND = Path(__file__).parent / "data" / "transcripts_blind"
TUNE = sorted((BLIND / "tune").glob("*.json"))


def gold_table(case: dict[str, Any]) -> dict[str, Classification]:
    rep = [t["text"] for t in case["transcript"]["turns"] if t["speaker"] == "rep"]
    assert len(rep) == len(case["gold_acts"])
    return {text: label(spec) for text, spec in zip(rep, case["gold_acts"], strict=True)}


@pytest.mark.parametrize("path", sorted(BLIND.glob("*/*.json")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_blind_cases_are_well_formed(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert 6 <= len(case["transcript"]["turns"]) <= 14
    assert set(case["expect_present"]) | set(case["expect_absent"]) <= set(specs())
    assert not set(case["expect_present"]) & set(case["expect_absent"])
    gold_table(case)


@pytest.mark.parametrize("path", TUNE, ids=lambda p: p.stem)
def test_tune_half_with_gold_acts(path: Path) -> None:
    """The rules generalise to the tune half (the holdout half is measured by the benchmark, never asserted)."""
    case = json.loads(path.read_text(encoding="utf-8"))
    card = score_transcript(
        case["transcript"], classifier=gold_table(case).__getitem__, cite=lambda q, h: None
    )
    found = {f["code"] for f in card["findings"]}
    assert sorted(set(case["expect_present"]) - found) == []
    assert sorted(set(case["expect_absent"]) & found) == []
