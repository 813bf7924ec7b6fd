"""Unit examples for the rules added to make the classifier generalise (blind sets A and B showed the gaps).

Each example is worded differently from the blind-set sentences (never copied), in other industries, so that
a rule that only memorised a sentence would fail here. Grouped by the rule they pin down.
"""

from __future__ import annotations

import pytest

from evaluators.classify import classify


def _check(text: str, act: str, extra: str | None = None) -> None:
    got = classify(text)
    assert got.act == act, (text, got.act, got.rules)
    if act == "exploratory":
        assert got.focus == extra, (text, got.focus, got.rules)
    if act == "confirmation":
        assert got.form == extra, (text, got.form, got.rules)


# ---- a space between Chinese words in chat is a comma, not a full stop (text.split)
@pytest.mark.parametrize(
    ("text", "act", "extra"),
    [
        ("好的 了解 那你们这次扩容的钱从哪出", "exploratory", "process"),
        ("我核实下 你们要的是两百个席位 对吧", "confirmation", "plain"),
        ("换个说法 您是觉得现在的服务商响应太慢 是吗", "confirmation", "paraphrase"),
        ("嗯 继续", "extension", None),
        ("哦哦 还有吗别的方面的", "extension", None),
    ],
)
def test_space_is_a_comma(text: str, act: str, extra: str | None) -> None:
    _check(text, act, extra)


# ---- motive: the person's feelings, own assessment, blame, boss chasing them, workload
@pytest.mark.parametrize(
    "text",
    [
        "碰上这种事 您心里啥滋味",  # exploratory_motive_feelings
        "您自己觉得现在这套排班办法靠谱吗",
        "作为车间主任 您最头疼的是啥",
        "要是审计查出漏洞 最后会不会算到您头上",  # exploratory_motive_blame
        "工期要是拖了 对您个人影响大吗",
        "厂长是不是一直在催您",  # exploratory_motive_boss
        "这套流程顺了以后 您是不是能腾出时间带带新人",  # exploratory_motive_workload
        "月底盘点 您一般要忙到几点",
        "每个月的报表 是不是都要您亲自核对",
        "上回交上去的方案 您自己看着咋样",  # exploratory_motive_solution_view
    ],
)
def test_motive_phrasings(text: str) -> None:
    _check(text, "exploratory", "motive")


# ---- need: goal / obstacle / impact in colloquial words
@pytest.mark.parametrize(
    "text",
    [
        "你们今年在华东想拿到多少的份额",
        "搞这个项目 你们最终图个啥",
        "退货率居高不下 到底是哪块出了问题",
        "系统宕一次机 会有啥损失",
    ],
)
def test_need_phrasings(text: str) -> None:
    _check(text, "exploratory", "need")


# ---- expectation: hard conditions, limits, "…才行", how it should be done, what the supplier should do
@pytest.mark.parametrize(
    "text",
    [
        "包装的话 你们有没有什么硬性规定",
        "客服这块 要响应多快才行",
        "温湿度你们一般卡在多少",
        "要是您来拍板 这批货应该怎么分批发比较合适",
        "您希望物流商在异常件处理上做到什么地步",
        "数据你们希望存在哪 本地还是云上",
        "桥架要多厚才够",
    ],
)
def test_expectation_phrasings(text: str) -> None:
    _check(text, "exploratory", "expectation")


@pytest.mark.parametrize("text", ["当初怎么会想起来找外包的", "你们产线上的机器人主要是哪一代的"])
def test_process_phrasings(text: str) -> None:
    _check(text, "exploratory", "process")


# ---- control: "X好还是Y好", "选X还是选Y", "甲方案和乙方案", comparisons with 比, a laid-out plan, a recommendation
@pytest.mark.parametrize(
    "text",
    [
        "是自己建机房好 还是托管到IDC好",
        "是选年付的还是选月付的",
        "甲方案和乙方案 您更倾向哪个",
        "外包出去会不会比自己招人成本低不少",
        "长期来看 自动化比加人更划算 您认同吗",
        "先上基础模块 然后再扩展高级功能 您看这样行吗",
        "我们建议先拿一条线做测试 您看怎么样",
        "既然您在意稳定 选双机热备是不是更让人安心",
    ],
)
def test_control_shapes(text: str) -> None:
    _check(text, "control")


# ---- confirmation: summaries whose marker sits mid-message, 还是 meaning "still"
@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("您刚才讲的几点我复述一下 预算有限 工期紧 要本地服务 有没有出入", "summary"),
        ("您一共提了四个要求 价格 交期 质保 培训 我没漏吧", "summary"),
        ("我确认一下 你们仓库的温控用的还是老式记录仪?", "plain"),
    ],
)
def test_confirmation_shapes(text: str, form: str) -> None:
    _check(text, "confirmation", form)


# ---- commitment: proposals without a question, people beyond known titles, more actions
@pytest.mark.parametrize(
    ("text", "elements"),
    [
        ("下周四下午两点 您和仓储部的赵主管一起来我们园区看看自动分拣线", "time people action"),
        ("那就周五上午 我到您公司来 当面把测算结果过一遍", "time action"),
        ("麻烦您叫上采购一起 我们把条款逐条对一下", "people action"),
        ("下周一 请您和值班站长一起参加我们的线上培训", "time people action"),
        ("您能不能先跟分管副总商量一下 把试点的事定下来", "people action"),
        ("您看能否把我们纳入今年的合格供方名录", "action"),
        ("您把配置清单确认一下 行吗", "action"),
        ("您把我们拉到项目沟通群里吧", "action"),
        ("周三前把近半年的工单导出来发我 您一看就知道问题集中在哪", "time action benefit"),
    ],
)
def test_commitment_shapes(text: str, elements: str) -> None:
    got = classify(text)
    assert got.act == "commitment", (text, got.act, got.rules)
    assert got.elements is not None
    named = {e for e in ("time", "people", "action", "benefit") if getattr(got.elements, e)}
    assert named == set(elements.split()), (text, named, got.rules)


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("这个测试大概什么时候能出结果", "exploratory"),  # asks about their timeline (process), no action
        ("本周下单的客户都能享受八折", "pitch"),  # a date opening an offer is not a proposal
        ("我今天带了几个同行的案例 都挺有参考价值", "statement"),  # 几个 = a few
        ("今天打电话是想跟您分享一下同行的做法", "statement"),  # 跟您分享: the rep shares
    ],
)
def test_near_misses(text: str, act: str) -> None:
    _check(text, act, "process" if act == "exploratory" else None)


# ---- pitch: the rep's own thing without 的, capability + coverage, units of other trades
@pytest.mark.parametrize(
    "text",
    [
        "我们平台能自动对账 月底不用再手工核",
        "我们这款叉车一次能举升三吨",
        "我们提供驻场运维 有专人值守",
        "我们的网点覆盖全国两百多个城市",
        "我们的地坪漆刷完就能用 不用等七天",
        "我们的保洁服务按月收费 不限次数",
    ],
)
def test_pitch_shapes(text: str) -> None:
    _check(text, "pitch")


@pytest.mark.parametrize(
    "text",
    [
        "下周三开个半小时启动会,定好试点指标。您看可以吗?",  # a bare tag asks for the proposal before it
        "那陈总下周二上午我过去找您可以吗?",  # 过去 = go over there, not "in the past"
        "好的,不耽误您太久。您看周五可以吗?",  # a time proposed
        "要不我先去车间看看二号线的设备?",
    ],
)
def test_proposals_closed_by_a_tag_or_a_time_are_asks(text: str) -> None:
    assert classify(text).act == "commitment"


def test_announcing_a_question_then_asking_it_is_a_question() -> None:
    assert classify("那我先问个大点的:这次上MES,您最希望它帮工厂解决什么?").act == "exploratory"
    assert classify("我回头问一下技术,再答复您,好吗?").act != "exploratory"


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("我们的年费是三千八,您更看重售后响应还是功能多少?", "control"),  # the rep sets the options
        ("如果有个办法能把对账时间减半,您会考虑试试吗?", "control"),
        ("这样算下来一天才两块钱,您觉得还贵吗?", "control"),
        ("早上送货多,还是下午送货多?", "exploratory"),  # options about his situation
        ("我带您去二号仓实测一下货架间距。", "commitment"),  # an imperative invitation
        ("周五上午过来,带上营业执照复印件即可。", "commitment"),
        ("新员工半天就上手,界面跟手机一样。", "pitch"),  # an ease-of-use claim without a product word
        ("我们帮您把会员都沉淀到自己的小程序里。", "pitch"),
        ("用过的门店反馈,复购率明显提高了。", "pitch"),
    ],
)
def test_offers_choices_invitations_and_claims_without_the_textbook_frame(text: str, act: str) -> None:
    assert classify(text).act == act


def test_a_numbered_restatement_closed_by_a_check_is_a_summary_confirmation() -> None:
    c = classify(
        "我确认一下:一,下月底前要上线、九月定供应商;二,两个仓的库存对不上;三,您要手机能查。我理解得对吗?"
    )
    assert (c.act, c.form) == ("confirmation", "summary")


def test_asking_how_a_test_under_way_went_is_no_ask() -> None:
    assert classify("听说你们已经在试用另一家的系统了?用得怎么样?").act == "exploratory"


@pytest.mark.parametrize(
    ("text", "focus"),
    [
        ("网络老掉线,对你们门店收银会有什么后果?", "need"),  # no focus word: the ask (后果) says need
        ("您心里想要啥样的展台?", "expectation"),
        ("这批货一般是怎么验收的?", "process"),
    ],
)
def test_a_question_without_a_focus_word_takes_the_focus_of_what_it_asks(text: str, focus: str) -> None:
    assert classify(text).focus == focus
