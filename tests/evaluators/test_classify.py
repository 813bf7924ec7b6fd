"""Behaviour of evaluators.classify.classify: the contract of CONTRACT §1 on real chat text."""

from __future__ import annotations

import pytest

from evaluators.classify import classify
from evaluators.model import ACTS, QUESTION_ACTS, Classification, Elements


def act_of(text: str) -> str:
    return classify(text).act


# ---------------------------------------------------------------- robustness
@pytest.mark.parametrize("text", ["", "   ", "\n\t", "　"])
def test_empty_text_is_a_statement(text: str) -> None:
    got = classify(text)
    assert got == Classification(act="statement", rules=("empty",))
    assert not got.is_question


def test_non_string_input_does_not_raise() -> None:
    assert classify(None).act == "statement"  # type: ignore[arg-type]
    assert classify(123).act in ACTS  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "?",
        "。。。",
        "🙂🙂",
        "OK",
        "hello, any update?",
        "a" * 5000,
        "好" * 3000 + "?",
        "(?:[",
        "\\d+{2}",
        "吧吧吧",
    ],
)
def test_odd_text_gets_an_act(text: str) -> None:
    got = classify(text)
    assert got.act in ACTS
    assert isinstance(got.to_dict(), dict)


def test_deterministic_and_cached() -> None:
    text = "您看是先上考勤模块还是先上薪酬模块?"
    assert classify(text) is classify(text)
    assert classify(text) == classify(text + "")


# ---------------------------------------------------------------- punctuation and tags
@pytest.mark.parametrize(
    ("half", "full"),
    [
        ("我确认一下,你们要的是3台服务器,对吗?", "我确认一下，你们要的是３台服务器，对吗？"),
        ("与其外包,是不是自建更划算?", "与其外包，是不是自建更划算？"),
        ("还有呢?", "还有呢？"),
    ],
)
def test_full_width_and_half_width_agree(half: str, full: str) -> None:
    assert classify(half).to_dict() == classify(full).to_dict()


@pytest.mark.parametrize(
    ("text", "act", "focus"),
    [
        ("你们仓库现在有几个叉车司机", "exploratory", "process"),
        ("这事领导催得紧吧", "exploratory", "motive"),
        ("系统上线后您是不是轻松多了嘛", "exploratory", "motive"),
        ("项目资金批下来了么", "exploratory", "process"),
        ("那售后这块您有啥要求呢", "exploratory", "expectation"),
        ("为啥设备老是停机", "exploratory", "need"),
    ],
)
def test_questions_without_question_marks(text: str, act: str, focus: str) -> None:
    got = classify(text)
    assert (got.act, got.focus) == (act, focus), got.rules
    assert got.is_question


def test_spaces_separate_chat_sentences() -> None:
    got = classify("好的 明白 那你们今年的预算大概多少")
    assert (got.act, got.focus) == ("exploratory", "process")


# ---------------------------------------------------------------- precedence (CONTRACT §1)
def test_commitment_wins_over_a_later_question() -> None:
    text = "下周二上午您和财务部的刘经理来我们展厅看一下演示吧。另外,你们今年的预算大概多少?"
    assert act_of(text) == "commitment"


def test_last_question_wins() -> None:
    assert act_of("您那边预算多少?这事着急吗?") == "exploratory"
    assert classify("这事着急吗?预算大概多少?").focus == "process"
    assert act_of("还有呢?我确认一下,您要的是两台,对吧?") == "confirmation"


def test_pitch_with_a_trailing_question_takes_the_question() -> None:
    got = classify("我们的平台支持多仓协同,上线只要两周。您现在用的是哪家的系统?")
    assert (got.act, got.focus) == ("exploratory", "process")
    assert act_of("我们的平台支持多仓协同,上线只要两周。") == "pitch"


def test_statement_with_a_courtesy_tag_is_a_statement_but_a_question_in_form() -> None:
    got = classify("我晚点把会议纪要整理好发您,好吗?")
    assert got.act == "statement"
    assert got.is_question  # the golden-silence rules look at the form


def test_rep_own_promise_is_not_a_commitment_ask() -> None:
    assert act_of("我回去把资料发您邮箱。") == "statement"
    assert act_of("我明天给您寄一份样品目录,可以吗?") == "statement"
    assert act_of("您明天把样品目录寄给我,可以吗?") == "commitment"


def test_a_greeting_question_is_not_a_question_act() -> None:
    assert act_of("喂?") == "statement"
    assert act_of("喂?王经理您好,你们今年的扩产计划定了吗?") == "exploratory"


# ---------------------------------------------------------------- confusable pairs
@pytest.mark.parametrize(
    ("text", "act", "focus"),
    [
        # hypothesis about the person → motive; rep's framing of the solution → control
        ("这套系统上了以后,您应该能少加不少班吧?", "exploratory", "motive"),
        ("这套系统分两期上,是不是更稳妥?", "control", None),
        # open question about a measure → exploratory; rep's options → control
        ("您觉得排队问题怎么解决比较好?", "exploratory", "expectation"),
        ("排队问题,是先加窗口还是先上自助机?", "control", None),
        # timing of the customer's plan → process; asking to meet → commitment
        ("你们一般什么时候做年度采购?", "exploratory", "process"),
        ("您平时什么时候有空?", "exploratory", "process"),
        ("你们打算什么时候做压力测试?", "exploratory", "process"),
        ("能不能下周安排一次压力测试?", "commitment", None),
        ("下周三下午您有时间吗?", "commitment", None),
        # trigger of the purchase → process; cause of a problem → need
        ("为什么想到要换一套排班系统?", "exploratory", "process"),
        ("为什么排班总是出错?", "exploratory", "need"),
        # organisation's benefit → need; the person's benefit → motive
        ("自动对账对财务部有什么好处?", "exploratory", "need"),
        ("自动对账对您个人有什么好处?", "exploratory", "motive"),
    ],
)
def test_confusable_pairs(text: str, act: str, focus: str | None) -> None:
    got = classify(text)
    assert (got.act, got.focus) == (act, focus), got.rules


@pytest.mark.parametrize(
    ("text", "act", "form"),
    [
        ("我确认一下,培训安排在八月,对吗?", "confirmation", "plain"),
        ("培训安排在八月吗?", "exploratory", None),  # no restatement: a new question
        ("您刚才说的是八月培训,没错吧?", "confirmation", "plain"),
        ("也就是说,您更在乎培训效果而不是培训时长?", "confirmation", "paraphrase"),
        ("我总结一下:培训要在八月,要分两批,要有考核,对吗?", "confirmation", "summary"),
        ("您的意思是培训要分两批,对吗?", "confirmation", "paraphrase"),
        ("您刚才提到培训效果差,主要原因是什么?", "exploratory", None),
    ],
)
def test_confirmation_forms(text: str, act: str, form: str | None) -> None:
    got = classify(text)
    assert (got.act, got.form) == (act, form), got.rules


def test_summary_of_the_reps_own_points_is_not_a_confirmation() -> None:
    assert act_of("第一我们交期短,第二我们价格低,第三我们售后快。") == "pitch"


# ---------------------------------------------------------------- commitment elements
@pytest.mark.parametrize(
    ("text", "elements"),
    [
        (
            "下周二上午,您和信息科的王科长一起来看一下演示,这样你们就能直观比较两种方案,可以吗?",
            Elements(time=True, people=True, action=True, benefit=True),
        ),
        ("您有空的时候来我们工厂参观一下?", Elements(action=True)),
        ("改天我过去拜访您?", Elements(action=True)),
        ("这周内您能把设备清单发我吗?", Elements(time=True, action=True)),
        ("您能来参加一下我们的方案交流会吗?", Elements(action=True)),  # 您 alone: no people
        ("明天下午我带我们的技术总监过去当面聊聊,您方便吗?", Elements(time=True, action=True)),  # rep's side
        ("麻烦贵司财务负责人月底前确认一下报价清单?", Elements(time=True, people=True, action=True)),
        ("能不能先试用两周,帮您确认效果再决定?", Elements(action=True, benefit=True)),
    ],
)
def test_commitment_elements(text: str, elements: Elements) -> None:
    got = classify(text)
    assert got.act == "commitment", got.rules
    assert got.elements == elements, got.rules


# ---------------------------------------------------------------- output shape
@pytest.mark.parametrize(
    "text",
    [
        "您对交期有什么要求?",
        "换句话说,您想少加班?",
        "下周二上午来看演示吧?",
        "还有呢?",
        "我们的设备支持远程诊断。",
        "谢谢您。",
    ],
)
def test_fields_apply_only_to_their_act(text: str) -> None:
    got = classify(text)
    d = got.to_dict()
    assert set(d) == {"act", "focus", "form", "elements"}
    assert (d["focus"] is not None) == (got.act == "exploratory")
    assert (d["form"] is not None) == (got.act == "confirmation")
    assert (d["elements"] is not None) == (got.act == "commitment")
    if got.act in QUESTION_ACTS:
        assert got.is_question
    assert got.rules and got.rules[0] == got.act


def test_rules_name_the_book_terms() -> None:
    assert "exploratory_need_obstacle" in classify("什么原因导致交货延迟?").rules
    assert "confirmation_paraphrase" in classify("换句话说,您是想少加班?").rules
    assert "control_choice" in classify("先做门诊还是先做住院?").rules


def test_a_few_in_a_statement_is_not_a_question_word() -> None:
    # "几个…都…" is "a few … all …", not "how many": the statement before the real question asks nothing.
    msg = "好几家医院的设备科长都说,最怕评审前设备出故障。您这边今年最头疼的是什么?"
    result = classify(msg)
    assert result.act == "exploratory"
    assert classify("几位店长也一样,旺季最缺人手。").act == "statement"
    assert classify("您们一共有几个仓库?").act == "exploratory"


def test_come_in_a_verb_compound_is_not_attending_a_meeting() -> None:
    # 用起来/原来 contain 来 ("come") after a meeting noun; they ask how things are, not to attend.
    assert classify("现在会议室的话筒用起来怎么样?").act == "exploratory"
    assert classify("培训室的投影原来是哪家装的?").act == "exploratory"
    assert classify("下周三的技术交流会,请您和信息科的王工一起来参加,可以吗?").act == "commitment"


def test_a_day_and_the_rep_coming_over_asks_for_a_meeting() -> None:
    result = classify("那我周四下午或者下周一上午过去,占用您半小时,您看哪个时间合适?")
    assert result.act == "commitment" and result.elements is not None
    assert result.elements.time and result.elements.action
    assert classify("你们一般什么时候合适做盘点?").act == "exploratory"  # a habit, not a proposal
    assert classify("上周三我过去的时候,仓库在盘点。").act == "statement"


def test_many_big_is_not_how_big() -> None:
    pitch = "我们的冷库温控精度正负0.5度,很多大药企都在用,比同行省电两成。"
    assert classify(pitch).act == "pitch"
    assert classify("你们的仓库有多大?").act == "exploratory"


def test_talking_with_a_few_people_is_not_asking_how_many() -> None:
    msg = "上个月跟几家物流公司的运营总监聊,大家都头疼旺季爆仓。您这边最头疼的是什么?"
    assert classify(msg).act == "exploratory"
    assert classify("您这边有几个分拣中心?").act == "exploratory"


def test_why_the_current_thing_fails_is_an_obstacle_not_the_trigger() -> None:
    assert classify("为什么现在的排班总是对不上?").focus == "need"
    assert classify("为什么现在要启动这个项目?").focus == "process"


def test_the_purpose_of_the_visit_under_way_is_not_an_ask() -> None:
    # "今天过来" is the visit under way; wanting to hear the customer's plans invites him to talk (exploratory
    # by the request cue), it asks for no action.
    opener = "赵总您好,我是恒信保险经纪的客户经理林涛,今天过来主要想听听贵司在员工保障上的打算。"
    assert classify(opener).act in ("statement", "exploratory")
    assert classify("那我下周二下午过去,给您和人事的刘经理讲讲方案,您看方便吗?").act == "commitment"
