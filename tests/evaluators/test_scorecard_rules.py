"""One test per finding rule: it fires when its condition holds and stays silent otherwise.

Every rep message carries its dialogue act explicitly (a label table as classifier), so these tests check
the scorer's rules, not the classifier's quality.
"""

from __future__ import annotations

from typing import Any

import pytest

from evaluators.findings.appointment import intro_parts
from evaluators.model import QUESTION_ACTS, Classification, Elements
from evaluators.reading import cue_lexicon as lexicon
from evaluators.scorecard import score_transcript

Turn = tuple[str, str, str, float | None, float | None]


def label(spec: str) -> Classification:
    """'exploratory:motive', 'confirmation:summary', 'commitment:tpab' (time/people/action/benefit), 'pitch'…"""
    act, _, extra = spec.partition(":")
    if act == "exploratory":
        return Classification(act, focus=extra or "process", is_question=True)
    if act == "confirmation":
        return Classification(act, form=extra or "plain", is_question=True)
    if act == "commitment":
        elements = Elements(*(letter in extra for letter in "tpab"))
        return Classification(act, elements=elements, is_question=True)
    return Classification(act, is_question=act in QUESTION_ACTS)


def R(text: str, spec: str = "statement", t: float | None = None, end: float | None = None) -> Turn:  # noqa: N802
    return ("rep", text, spec, t, end)


def C(text: str, t: float | None = None, end: float | None = None) -> Turn:  # noqa: N802
    return ("customer", text, "", t, end)


def score(mode: str, turns: list[Turn]) -> dict[str, Any]:
    table: dict[str, Classification] = {}
    raw = []
    for speaker, text, spec, t, end in turns:
        item: dict[str, Any] = {"speaker": speaker, "text": text}
        if t is not None:
            item["t"] = t
        if end is not None:
            item["end"] = end
        raw.append(item)
        if speaker == "rep":
            assert table.setdefault(text, label(spec)) == label(spec), f"two labels for {text}"
    return score_transcript(
        {"mode": mode, "turns": raw},
        classifier=table.__getitem__,
        cite=lambda query, hint: {"section": f"书 / {hint}", "text": query},
    )


def hits(card: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in card["findings"] if f["code"] == code]


def codes(card: dict[str, Any]) -> set[str]:
    return {f["code"] for f in card["findings"]}


INTRO = "王主任您好,我是深圳声华科技华南区的销售经理陈志远。今天给您打电话,是想约您见个面,聊聊会议室改造的几个问题。"
ASK = (
    "下周二上午或者周四下午,我想跟您和负责会务的刘科长当面聊半小时,把几个区踩过的坑讲讲,"
    "明年报预算能少走弯路。您看哪个时间方便?"
)


def good_call() -> list[Turn]:
    """A clean appointment call, timed, with a 5 s pause before every rep reply."""
    return [
        R(INTRO, "statement", 0, 9),
        C(
            "哦,陈经理你好。我们暂时没有改造的计划,今年预算早就定了,这种电话我一个月接好几个,你具体想聊什么?",
            10,
            20,
        ),
        R(
            "理解。最近跟几个区的办公室主任聊,大家都说临时加会最怕设备出状况。您这边碰到过吗?",
            "exploratory:need",
            25,
            31,
        ),
        C(
            "这个确实头疼。上礼拜市里临时来开协调会,主席台两个话筒不响,小刘满头大汗换电池换线,折腾了十来分钟,"
            "领导脸色都不好看了,现在开会都得提前半小时去调试,大家都很紧张。",
            32,
            48,
        ),
        R(ASK, "commitment:tpab", 53, 63),
        C(
            "周二上午要开常务会,那就周四下午吧,三点以后我和刘科长都在办公室,你来之前先打个电话确认一下。",
            64,
            70,
        ),
        R("好的,那就暂定周四下午三点,谢谢王主任!", "statement", 75, 78),
        C("好,周四见。", 79, 80),
    ]


def good_visit() -> list[Turn]:
    """A clean visit, untimed: need, confirmation, motive, expectation, summary, a full commitment."""
    return [
        R("周经理您好,谢谢您抽时间。上次电话里您提到门店新员工流失比较多,今天想多听听您这边的情况。"),
        C(
            "是的,今年新开了二十多家店,店员三个月内的流失率快到35%了,店长们天天跟我要人,招聘和培训都快顶不住了。"
        ),
        R("流失率这么高,主要是什么原因造成的?", "exploratory:need"),
        C("一个是带教跟不上,老店长自己忙不过来;另一个是新人上岗前只培训两天,被顾客投诉几次就走了。"),
        R("也就是说,问题不全在招人,而是新人上岗后没人带,是这个意思吗?", "confirmation:paraphrase"),
        C("对,就是这个意思。老板上个月开经营会还专门点了这个事,说再这样下去新店都开不起来,钱全白花了。"),
        R("老板点名之后,这件事对您今年的考核影响大吗?", "exploratory:motive"),
        C("影响很大,今年我的KPI里直接加了一条新员工留存率,要求年底把三个月流失率降到20%以内,压力挺大的。"),
        R("这次的培训项目,您希望最好是什么形式?", "exploratory:expectation"),
        C("最好是能在门店里边干边学,别把人拉到总部上课,店里排班排不开。课程要短,店员用手机就能学。"),
        R(
            "我归纳一下您讲的三点:第一,流失率降到20%以内;第二,门店里边干边学;第三,课要短。您看对吗?",
            "confirmation:summary",
        ),
        C("对,差不多就是这些。"),
        R(
            "下周四下午,请您和两位试点门店的店长一起来看看我们的带教方案,年底的留存目标您就更有底了。您看可以吗?",
            "commitment:tpab",
        ),
        C("可以,我先跟两个试点店的店长打个招呼,周四下午两点吧,我们三个一起过去,到时候见。"),
    ]


def test_good_conversations_have_no_findings() -> None:
    assert score("appointment", good_call())["findings"] == []
    assert score("visit", good_visit())["findings"] == []


# --- 约访 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("喂,您好,我是凌风空调的小王,想跟您介绍一下我们的新产品。", "职务、全名"),
        ("您好,我是华东区的销售经理陈志远,想约您见个面。", "公司"),
        ("您好,我是华为的客户经理。", "全名、来电目的"),
        ("您好张院长,我叫刘晓燕,想跟您约个时间。", "公司、职务"),
        ("您好,我是李工。", "公司、职务、全名、来电目的"),
    ],
)
def test_intro_incomplete_names_the_missing_parts(text: str, missing: str) -> None:
    card = score("appointment", [R(text), *good_call()[1:]])
    assert [(f["turn"], f["message"]) for f in hits(card, "intro_incomplete")] == [
        (0, f"开场白缺少:{missing}。")
    ]


@pytest.mark.parametrize(
    "text",
    [
        INTRO,
        "您好张院长,我叫刘晓燕,是迈瑞医疗华东区的临床顾问,打这个电话是想跟您约个时间。",
        "李总您好!我是顺丰供应链的解决方案经理欧阳明,想约您聊聊旺季仓配的做法。",
        "您好王经理,我是张伟,德勤咨询的高级顾问,今天打电话是想请教您几个问题。",
        "您好陈处长,我是中联重科的销售代表孙海涛,给您打电话是想约您见一面。",
    ],
)
def test_complete_intros_pass(text: str) -> None:
    assert all(intro_parts(text, lexicon()).values())
    assert "intro_incomplete" not in codes(score("appointment", [R(text), *good_call()[1:]]))


def test_intro_is_not_checked_in_a_visit() -> None:
    assert "intro_incomplete" not in codes(score("visit", [R("您好,我是小王。"), *good_visit()[1:]]))


def test_pitch_in_appointment_fires_per_pitch_and_only_in_appointments() -> None:
    turns = good_call()
    turns[2] = R("我们的无线话筒续航十二小时,抗干扰能力在同价位里最强。", "pitch", 25, 31)
    card = score("appointment", turns)
    assert [f["turn"] for f in hits(card, "pitch_in_appointment")] == [2]
    assert "无线话筒" in hits(card, "pitch_in_appointment")[0]["message"]
    assert "pitch_in_appointment" not in codes(score("visit", turns))


def test_no_meeting_length() -> None:
    turns = good_call()
    turns[4] = R(ASK.replace("当面聊半小时", "当面聊聊"), "commitment:tpab", 53, 63)
    assert [f["turn"] for f in hits(score("appointment", turns), "no_meeting_length")] == [None]
    # A duration that is not the meeting's does not count.
    turns[2] = R("折腾十来分钟,确实难受。类似的情况一个月会碰上几次?", "exploratory:need", 25, 31)
    assert "no_meeting_length" in codes(score("appointment", turns))
    turns[4] = R(ASK.replace("当面聊半小时", "过去拜访,大概占用您四十分钟"), "commitment:tpab", 53, 63)
    assert "no_meeting_length" not in codes(score("appointment", turns))


def test_no_choice_offered() -> None:
    turns = good_call()
    turns[4] = R(
        ASK.replace("下周二上午或者周四下午", "下周找个时间").replace("哪个时间方便", "哪天方便"),
        "commitment:pab",
        53,
        63,
    )
    assert [f["turn"] for f in hits(score("appointment", turns), "no_choice_offered")] == [None]
    turns[4] = R("您看周二还是周四,我过去跟您聊半小时,给您讲讲同行的做法?", "commitment:tab", 53, 63)
    assert "no_choice_offered" not in codes(score("appointment", turns))


def test_no_tentative_confirm() -> None:
    turns = good_call()
    turns[6] = R("好的,谢谢王主任!", "statement", 75, 78)
    assert [f["turn"] for f in hits(score("appointment", turns), "no_tentative_confirm")] == [6]
    assert "no_tentative_confirm" not in codes(score("appointment", turns[:6]))  # ends on the customer's pick
    turns[5] = C("下周再说吧,到时候你再打电话过来,我现在手头事情太多了,真顾不上这个。", 64, 70)
    assert "no_tentative_confirm" not in codes(score("appointment", turns))  # put off: nothing to confirm
    assert "no_tentative_confirm" not in codes(score("visit", good_call()[:6] + [turns[6], turns[7]]))


def test_no_interest_trigger() -> None:
    turns = good_call()
    turns[2] = R("您这边会议室平时一周开几次会?", "exploratory:process", 25, 31)
    assert "no_interest_trigger" not in codes(score("appointment", turns))  # 踩过的坑/几个区 in the ask
    turns[4] = R(
        "下周二上午或者周四下午,我想跟您和刘科长当面聊半小时。您看哪个时间方便?", "commitment:tpa", 53, 63
    )
    card = score("appointment", turns)
    assert [f["turn"] for f in hits(card, "no_interest_trigger")] == [None]
    assert card["metrics"]["interest_triggers"] == []


# --- 行动承诺 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["appointment", "visit"])
def test_commitment_not_asked(mode: str) -> None:
    turns = good_call() if mode == "appointment" else good_visit()
    ask = next(i for i, turn in enumerate(turns) if turn[2].startswith("commitment"))
    turns[ask] = R("好的,今天先聊到这里,谢谢您。", "statement", turns[ask][3], turns[ask][4])
    card = score(mode, turns)
    assert [f["turn"] for f in hits(card, "commitment_not_asked")] == [None]  # about the whole call
    assert "commitment_incomplete" not in codes(card)


def test_commitment_incomplete_names_missing_elements_of_the_best_ask() -> None:
    turns = good_visit()
    turns[12] = R("下周四您来我们公司看看带教方案,可以吗?", "commitment:ta")
    card = score("visit", turns)
    assert [(f["turn"], f["message"]) for f in hits(card, "commitment_incomplete")] == [
        (12, "索取的行动承诺缺少:参与的人、对客户的好处。")
    ]
    turns[8] = R("要不您先把现在的培训课表发我看看?", "commitment:a")
    assert [f["turn"] for f in hits(score("visit", turns), "commitment_incomplete")] == [12]
    turns[12] = good_visit()[12]  # one complete ask is enough
    assert "commitment_incomplete" not in codes(score("visit", turns))


# --- 倾听 / 黄金静默 ------------------------------------------------------------------------------------------


def test_no_pause_after_question_by_times() -> None:
    turns = good_call()
    turns[3] = R("我问这个,是因为不少单位都碰到过类似的情况。", "statement", 32, 36)  # 1 s after the question
    card = score("appointment", turns)
    assert [(f["turn"], f["message"]) for f in hits(card, "no_pause_after_question")] == [
        (3, "第 2 轮提问之后没有等客户回答(仅隔 1 秒),又说了下一句。")
    ]
    turns[3] = R(
        "我问这个,是因为不少单位都碰到过类似的情况。", "statement", 35, 40
    )  # waited 4 s: golden silence
    assert "no_pause_after_question" not in codes(score("appointment", turns))


def test_no_pause_after_question_by_order_without_times() -> None:
    turns = [R(text, spec) if who == "rep" else C(text) for who, text, spec, _, _ in good_visit()]
    turns = [*turns[:3], R("另外,你们现在的带教是谁在负责?", "exploratory:process"), *turns[3:]]
    assert [f["turn"] for f in hits(score("visit", turns), "no_pause_after_question")] == [3]
    # Two rep messages in a row where the first asks nothing: no silence was owed.
    turns = [*turns[:1], R("今天主要是来听您说的。"), *turns[1:3], *turns[4:]]
    assert "no_pause_after_question" not in codes(score("visit", turns))


def test_no_pause_after_question_with_partial_times_uses_order_for_the_pair() -> None:
    turns = good_call()
    turns[2] = R(turns[2][1], "exploratory:need", 25, None)  # the question's end is missing
    turns.insert(3, R("我问这个,是因为不少单位都碰到过。", "statement", 29, 31))
    assert [f["turn"] for f in hits(score("appointment", turns), "no_pause_after_question")] == [3]


def test_explained_after_question() -> None:
    turns = good_visit()
    turns[2] = R(
        "流失率这么高,主要是什么原因造成的?我们服务过的几家连锁,大多是带教体系没跟上,新人来了以后没人管也没人带。",
        "exploratory:need",
    )
    assert [f["turn"] for f in hits(score("visit", turns), "explained_after_question")] == [2]
    turns[2] = R("流失率这么高,主要是什么原因造成的?您慢慢说。", "exploratory:need")
    assert "explained_after_question" not in codes(score("visit", turns))


def retime(turns: list[Turn], pauses: list[float]) -> list[Turn]:
    """Give each turn 2 s of speech; each rep reply starts after the next pause in `pauses`."""
    out, clock, queue = [], 0.0, list(pauses)
    for k, (speaker, text, spec, _, _) in enumerate(turns):
        if speaker == "rep" and k and turns[k - 1][0] == "customer":
            clock += queue.pop(0)
        elif k:
            clock += 1.0
        out.append((speaker, text, spec, clock, clock + 2.0))
        clock += 2.0
    return out


def test_rushed_reply_fires_when_fewer_than_half_waited() -> None:
    card = score("visit", retime(good_visit(), [1, 1, 5, 1, 2, 6]))
    assert [(f["turn"], f["message"]) for f in hits(card, "rushed_reply")] == [
        (None, "客户说完后,6 次接话中只有 2 次停顿了4秒以上,大多数时候抢着接话。")
    ]
    assert card["metrics"]["golden_silence_rate"] == 0.333
    assert card["metrics"]["reply_pause_median"] == 1.5


def test_rushed_reply_silent_at_half_and_at_exactly_four_seconds() -> None:
    assert "rushed_reply" not in codes(score("visit", retime(good_visit(), [1, 1, 1, 4, 4, 4])))
    turns = good_call()
    turns[6] = R(turns[6][1], "statement", 74.0, 78)  # 4.0 s after the customer's end (70)
    turns[4] = R(ASK, "commitment:tpab", 51.8, 63)  # 3.8 s
    turns[2] = R(turns[2][1], "exploratory:need", 23.2, 31)  # 3.2 s
    card = score("appointment", turns)
    assert card["metrics"]["golden_silence_rate"] == 0.333
    assert "rushed_reply" in codes(card)


def test_rushed_reply_is_not_measured_without_times() -> None:
    untimed = [R(text, spec) if who == "rep" else C(text) for who, text, spec, _, _ in good_call()]
    card = score("appointment", untimed)
    assert "rushed_reply" not in codes(card)
    assert {item["check"] for item in card["not_measured"]} == {
        "rushed_reply",
        "golden_silence_rate",
        "reply_pause_median",
    }


def test_monologue_over_120_characters() -> None:
    turns = good_visit()
    turns[2] = R("原" * 121 + "?", "exploratory:need")
    card = score("visit", turns)
    assert [(f["turn"], f["message"]) for f in hits(card, "monologue")] == [
        (2, "这一段一口气说了 122 个字(超过120字),客户没有插话的机会。")
    ]
    turns[2] = R("原" * 119 + "?", "exploratory:need")
    turns[1] = C("长" * 300)  # the customer may talk as long as they like
    assert "monologue" not in codes(score("visit", turns))


def test_talk_ratio_high_above_sixty_percent() -> None:
    turns = [R("一" * 60 + "?", "exploratory:need"), C("二" * 40)]
    assert "talk_ratio_high" in codes(score("visit", turns))  # 61 / 101
    turns = [R("一" * 59 + "?", "exploratory:need"), C("二" * 40)]  # exactly 60%
    card = score("visit", turns)
    assert card["metrics"]["talk_ratio"] == 0.6
    assert "talk_ratio_high" not in codes(card)


@pytest.mark.parametrize(
    "text",
    [
        "这您就想错了,开利那批老机组能耗高得很。",
        "不对,您这样想是错的。",
        "其实不是这样的,现在都换变频了。",
        "您说的不准确。",
        "那您就错了。",
    ],
)
def test_argued_with_customer(text: str) -> None:
    turns = good_visit()
    turns[4] = R(text)
    assert [f["turn"] for f in hits(score("visit", turns), "argued_with_customer")] == [4]


@pytest.mark.parametrize(
    "text",
    [
        "您看我总结得对不对?",
        "是不是哪里感觉不对劲?",
        "如果我说得不对,您纠正我。",
        "您的看法很有道理。",
        "那要不是这样的话,还会有什么原因?",
    ],
)
def test_not_arguing(text: str) -> None:
    turns = good_visit()
    turns[4] = R(text, "confirmation:plain")
    assert "argued_with_customer" not in codes(score("visit", turns))


def test_no_argument_before_the_customer_spoke() -> None:
    turns = good_visit()
    turns[0] = R("很多人以为培训就是上课,其实不是这样。")
    assert "argued_with_customer" not in codes(score("visit", turns))


# --- 提问 / MEN ---------------------------------------------------------------------------------------------


def test_visit_only_codes_never_fire_in_appointments() -> None:
    card = score("appointment", good_call())
    assert not codes(card) & {
        "no_confirmation",
        "no_summary",
        "no_motive_probe",
        "no_need_probe",
        "pitch_before_expectation",
    }


def test_no_confirmation_and_no_summary() -> None:
    turns = good_visit()
    turns[4] = R("还有呢?", "extension")
    turns[10] = R("明白了,这些情况我都记下了。")
    card = score("visit", turns)
    assert [f["turn"] for f in hits(card, "no_confirmation")] == [None]
    assert [f["turn"] for f in hits(card, "no_summary")] == [None]


def test_no_summary_when_the_summary_is_not_among_the_last_three() -> None:
    turns = good_visit()
    turns[2], turns[10] = R(turns[10][1], "confirmation:summary"), R(turns[2][1], "exploratory:need")
    assert [f["turn"] for f in hits(score("visit", turns), "no_summary")] == [None]
    assert "no_summary" not in codes(score("visit", good_visit()))


def test_no_motive_probe_and_no_need_probe() -> None:
    turns = good_visit()
    turns[6] = R("这件事一般是谁来拍板?", "exploratory:process")
    assert "no_motive_probe" in codes(score("visit", turns))
    turns[2] = R("新员工一般是谁来招的?", "exploratory:process")
    assert "no_need_probe" in codes(score("visit", turns))


def test_pitch_before_expectation() -> None:
    turns = good_visit()
    turns[2] = R("我们的门店带教系统支持手机学习,每节课十分钟,已经服务了三百家门店。", "pitch")
    assert [f["turn"] for f in hits(score("visit", turns), "pitch_before_expectation")] == [2]
    turns = good_visit()
    turns[10] = R("我们的门店带教系统支持手机学习,每节课十分钟。", "pitch")
    assert "pitch_before_expectation" not in codes(score("visit", turns))


def test_control_before_exploratory() -> None:
    turns = good_visit()
    turns[2] = R("与其重新招人,先把带教体系搭起来是不是更合适?", "control")
    assert [f["turn"] for f in hits(score("visit", turns), "control_before_exploratory")] == [2]
    turns = good_visit()
    turns[8] = R("与其重新招人,先把带教体系搭起来是不是更合适?", "control")
    assert "control_before_exploratory" not in codes(score("visit", turns))
    call = good_call()
    call[2] = R("您看周二还是周四给您打个电话详细聊?", "control", 25, 31)
    assert "control_before_exploratory" not in codes(score("appointment", call))


def test_too_few_questions() -> None:
    turns = good_visit()
    for k in (2, 4, 6, 8, 10):
        turns[k] = R(f"明白,这一点我记下了({k})。")
    card = score("visit", turns)
    assert [f["message"] for f in hits(card, "too_few_questions")] == ["销售的 7 句话里只有 1 句是提问。"]
    assert "too_few_questions" not in codes(score("visit", good_visit()))
