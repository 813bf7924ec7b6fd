"""Each named lexicon rule, on its own: it fires on a typical phrase and stays quiet on a near miss.

A new rule in evaluators/lexicons/*.yaml needs an entry here (test_every_rule_has_examples).
"""

from __future__ import annotations

import re

import pytest

from evaluators.acts import lexicon

# file -> rule -> (fires on, does not fire on)
RULE_EXAMPLES: dict[str, dict[str, tuple[str, str]]] = {
    "questions": {
        "question_cue": ("贵司的预算大概多少", "我们下周把资料发过去。"),
        "question_exclude": ("我们服务过好几家医院", "您有几家供应商"),
        "closing_ba": ("好吧", "应该能省不少事吧"),
    },
    "question_types": {
        "extension_prompt": ("嗯,然后呢?", "您对交期有什么要求?"),
        "extension_filler": ("还有呢", "交货"),
        "phatic_question": ("喂?", "喂,您那边预算批了吗?"),
        "confirmation_summary": ("我总结一下您说的三点", "我们总部在杭州"),
        "confirmation_enumeration": ("第一要稳定,第二要便宜", "稳定最重要"),
        "confirmation_paraphrase": ("换句话说,您是想少加班?", "您想少加班吗?"),
        "confirmation_plain": ("我确认一下,是两台?", "是两台吗?"),
        "confirmation_tag": ("一共六个校区,对吗?", "一共六个校区。"),
        "confirmation_completeness": ("还有要补充的吗?", "还有什么要求?"),
        "customer_subject": ("您要两台", "我们有两台"),
        "restating_connective": ("所以一共是三栋楼", "三栋楼一共多少钱"),
        "control_rather_than": ("与其自建,不如租用", "您打算自建吗"),
        "control_better": ("分批上线是不是更稳妥?", "分批上线稳妥吗?"),
        "control_option_named": ("改用光纤是不是更稳", "光纤是不是更稳"),
        "control_choice": ("先做门诊还是先做住院?", "门诊还是住院的人多?"),
        "control_framing": ("我建议先做试点", "您做过试点吗"),
        "control_recommend": ("我们推荐分批替换", "您推荐哪家"),
        "control_accept": ("先做试点,您看怎么样?", "先做试点。"),
        "courtesy_own_action": ("我回去把报价发您邮箱", "您回去把报价发我邮箱"),
        "courtesy_agenda": (
            "今天想先听您讲讲现在的情况,再看我们能帮上什么,您看这样行吗?",
            "今天想了解一下,您现在最头疼的是什么?",
        ),
    },
    "exploratory_focus": {
        "exploratory_motive_performance": ("会影响您的绩效吗", "会影响交货吗"),
        "exploratory_motive_reward": ("年底会被扣奖金吗", "年底会盘点吗"),
        "exploratory_motive_boss": ("领导对这事满意吗", "领导审批了吗"),
        "exploratory_motive_workload": ("能给您省不少事吧", "能给工厂降成本吧"),
        "exploratory_motive_urgency": ("这事急不急", "这事谁负责"),
        "exploratory_motive_solution_view": ("这个方案您满意吗", "这个方案谁来评审"),
        "exploratory_motive_standing": ("您在公司里的分量", "公司的规模"),
        "exploratory_motive_feelings": ("这种局面您心里是什么滋味", "这种局面持续多久了"),
        "exploratory_motive_blame": ("出了差错最后算到您头上吗", "出了差错最后怎么处理"),
        "exploratory_motive_ambition": ("做成了对您意味着什么", "做成要多久"),
        "exploratory_need_goal": ("这个项目的目的是什么", "这个项目谁负责"),
        "exploratory_need_benefit": ("对贵公司有什么好处", "对贵公司有什么要求"),
        "exploratory_need_obstacle": ("什么原因造成回款慢", "回款一般走什么流程"),
        "exploratory_need_problem": ("一个月出几次故障", "一个月开几次会"),
        "exploratory_need_impact": ("会带来哪些不良影响", "会带来哪些人参加"),
        "exploratory_expectation_requirement": ("对售后有什么要求", "对售后满意吗"),
        "exploratory_expectation_measure": ("这个问题怎么解决比较好", "这个问题谁提出的"),
        "exploratory_expectation_spec": ("分辨率多大合适", "预算多大合适"),
        "exploratory_process_stage": ("项目现在到哪一步了", "项目的目标是什么"),
        "exploratory_process_procedure": ("采购要走什么流程", "采购有什么好处"),
        "exploratory_process_roles": ("最后谁拍板", "最后效果如何"),
        "exploratory_process_competition": ("还接触过其他厂家吗", "还遇到过其他问题吗"),
        "exploratory_process_budget": ("今年有预算吗", "今年有目标吗"),
        "exploratory_process_payment": ("付款方式怎么约定", "交付方式怎么约定"),
        "exploratory_process_trigger": ("为什么想换供应商", "为什么交货总是延误"),
        "exploratory_process_current": ("现在是靠Excel管理吗", "希望用系统管理吗"),
        "exploratory_process_background": ("你们有多少个门店", "你们门店满意吗"),
    },
    "commitment": {
        "commitment_action_meet": ("我过去拜访您", "我给您打电话"),
        "commitment_action_contact": ("加个微信吧", "微信上说不清"),
        "commitment_action_demo": ("来看一下演示", "演示效果怎么样"),
        "commitment_action_visit": ("到样板工厂参观一下", "工厂的产能多大"),
        "commitment_action_trial": ("先试用一个月", "用了一个月"),
        "commitment_action_data": ("把图纸发我一份", "我把图纸发您一份"),
        "commitment_action_introduce": ("帮忙引荐一下院长", "院长很忙"),
        "commitment_action_meeting": ("开个需求沟通会", "会议室改造"),
        "commitment_action_decide": ("把合同签下来", "合同模板"),
        "commitment_ask": ("能不能安排一下", "已经安排了。"),
        "commitment_not_ask": ("之前测试过吗", "下周测试一下"),
        "commitment_tag": ("您看可以吗?", "您看这个价格可以吗?"),
        "commitment_scheduling_wh": ("您哪天方便", "您有什么要求"),
        "commitment_rep_intent": ("帮您看看问题出在哪", "问题出在哪"),
        "commitment_availability": ("下周二上午您方便吗", "您现在方便说话吗"),
        "element_time": ("下周三上午十点", "有空的时候"),
        "element_time_vague": ("改天有空的时候", "明天下午"),
        "element_people_rep_side": ("我带我们的技术总监过去", "您和技术部的李工"),
        "element_people": ("您和设备科的张工一起", "您一个人来"),
        "element_benefit": ("这样您就能亲眼看到效果", "我们也能了解需求"),
    },
    "pitch": {
        "pitch_product_subject": ("我们的系统", "我们的客户"),
        "pitch_product_description": ("我们这批材料是进口的", "我们的客户是国企"),
        "pitch_offer_verb": ("我们可以提供", "您可以提供"),
        "pitch_feature": ("支持多终端", "多终端"),
        "pitch_quality": ("运行很稳定", "运行很慢"),
        "pitch_spec": ("精度0.01mm", "要求很高"),
        "pitch_price": ("本月九折优惠", "本月有活动"),
        "pitch_superiority": ("行业领先", "行业常见"),
        "pitch_guarantee": ("质保五年", "用了五年"),
        "pitch_benefit_claim": ("这套系统能帮您省下两天", "您每周要花两天"),
        "statement_case_story": ("去年有一家医院用了", "我们的系统可以用"),
        "statement_introduction": ("我是华信的小王", "华信的产品"),
        "statement_company": ("我们公司成立于2008年", "我们的系统上线了"),
        "statement_customer_situation": ("很多工厂都遇到这个问题", "我们解决这个问题"),
        "statement_insight": ("我们注意到新版规范出来以后验收不通过的比例上升了", "我们的系统能自动验收"),
    },
}
NOT_PATTERN_RULES = {("pitch", "pitch_threshold")}  # holds a number, not phrases


@pytest.mark.parametrize(
    ("file", "name", "yes", "no"),
    [(f, n, y, no) for f, rules in RULE_EXAMPLES.items() for n, (y, no) in rules.items()],
)
def test_rule_fires_on_its_example(file: str, name: str, yes: str, no: str) -> None:
    rule = lexicon.rule(file, name)
    assert rule.fires(yes), f"{name} should fire on {yes!r}"
    assert not rule.fires(no), f"{name} should not fire on {no!r}"


def test_every_rule_has_examples() -> None:
    for file in RULE_EXAMPLES:
        names = set(lexicon.rules(file)) - {n for f, n in NOT_PATTERN_RULES if f == file}
        assert names == set(RULE_EXAMPLES[file]), f"lexicons/{file}.yaml: rules without examples or gone"


def test_every_rule_is_documented() -> None:
    for file in RULE_EXAMPLES:
        for rule in lexicon.rules(file).values():
            assert rule.doc, f"{file}:{rule.name} has no doc"


def test_focus_rules_name_their_focus() -> None:
    for name, rule in lexicon.rules("exploratory_focus").items():
        assert rule.tag in {"process", "expectation", "need", "motive"}
        assert name.startswith(f"exploratory_{rule.tag}_")


def test_macro_expansion_and_errors(tmp_path, monkeypatch) -> None:
    assert "您" in lexicon.macros()["YOU"]
    assert not re.search(r"\{[A-Z]", "".join(lexicon.macros().values()))  # fully expanded
    with pytest.raises(KeyError, match="unknown macro"):
        lexicon.compile_alternatives([], ["{NO_SUCH_MACRO}"], "test")
    with pytest.raises(ValueError, match="bad pattern"):
        lexicon.compile_alternatives([], ["(unclosed"], "test")
    with pytest.raises(KeyError, match="no rule"):
        lexicon.rule("pitch", "no_such_rule")


def test_words_are_literal_and_longest_first() -> None:
    regex = lexicon.compile_alternatives(["a.b", "a.b.c"], [], "test")
    assert regex is not None
    assert regex.fullmatch("a.b.c") and not regex.search("axb")
