"""Every example question the notes give under 探索类 / 控制类 / 确认类 / 扩展类 is classified as the notes class it.

Source: seeds/value-selling-notes.txt, 第三篇 第三章 第三节 提问技巧 and 第四节 倾听技巧 (typos such as 室 for 是
and 嘛 for 吗 kept as written). The notes give no literal control example; the three control forms are the
ones CONTRACT §1 and the brief name ("与其…是不是…更合适?", "您看是先解决A还是先解决B?", "如果…是不是更好?").
"""

from __future__ import annotations

import pytest

from evaluators.classify import classify

NOTES_EXAMPLES: list[tuple[str, str, str | None, str | None]] = [
    # 探索期望类: 要求 / 措施
    ("你对这次采购有什么要求?", "exploratory", "expectation", None),
    ("你对供货周期的要求是什么?", "exploratory", "expectation", None),
    ("你觉得这个问题怎么解决好?", "exploratory", "expectation", None),
    ("你觉得分辨率多大可以满足要求?", "exploratory", "expectation", None),
    # 探索需求类: 目标 / 组织利益 / 障碍 / 不良影响
    ("这个项目建设的目的室什么?", "exploratory", "need", None),
    ("您希望把效果改善到什么程度?", "exploratory", "need", None),
    ("在大厅装一套拼接屏对贵公司有什么好处?", "exploratory", "need", None),
    ("如果我们供货周期缩短,对你们有多大的好处?", "exploratory", "need", None),
    ("什么原因造成收款困难?", "exploratory", "need", None),
    ("预算为什么不能得到有效控制?", "exploratory", "need", None),
    ("产品故障率高会给贵公司带来哪些不良影响呢?", "exploratory", "need", None),
    ("交货延长10天会给你们带来哪些困扰?", "exploratory", "need", None),
    # 探索动机类: 痛苦与企图心 / 紧密度 / 方案认知 (yes/no hypotheses, still exploratory)
    ("上次采购的话筒领导不满意会对你的绩效有影响嘛?", "exploratory", "motive", None),
    ("如果不能准时完工开业,会被扣奖金嘛?", "exploratory", "motive", None),
    ("这套中控系统装好后应该能给你省不少事儿吧?", "exploratory", "motive", None),
    ("这次采购,你们把成本控制的这么好,领导应该会表扬吧?", "exploratory", "motive", None),
    ("这件事很紧急嘛?", "exploratory", "motive", None),
    ("这些问题值得解决嘛?", "exploratory", "motive", None),
    ("你看这个方案怎么样?", "exploratory", "motive", None),
    ("我们用这样来解决,你满意嘛?", "exploratory", "motive", None),
    # 控制类 (contract forms)
    ("与其每年花钱修旧话筒,是不是一次换成数字会议系统更合适?", "control", None, None),
    ("您看是先解决大厅的显示问题还是先解决会议室的扩声问题?", "control", None, None),
    ("如果把中控和扩声一起招标,是不是更好?", "control", None, None),
    # 确认类: 普通式 / 换言式 / 麦肯锡式
    ("我确认下,你们是要4只话筒嘛?", "confirmation", None, "plain"),
    ("换句话说,你是想通过一楼控制三楼的设备?", "confirmation", None, "paraphrase"),
    ("我理解您的意思有三点:1,2,3,您看对嘛?", "confirmation", None, "summary"),
    # 扩展类
    ("还有呢?", "extension", None, None),
    ("然后呢?", "extension", None, None),
    ("您接着说!", "extension", None, None),
    ("除此之外呢?", "extension", None, None),
]

# The three key questions for a key person (第五篇 第三章 第二节) explore the need.
KEY_PERSON_QUESTIONS = ["这个项目你希望解决的问题是什么?", "你希望通过这个项目达成哪些目标?"]


@pytest.mark.parametrize(("text", "act", "focus", "form"), NOTES_EXAMPLES)
def test_notes_example(text: str, act: str, focus: str | None, form: str | None) -> None:
    got = classify(text)
    assert (got.act, got.focus, got.form) == (act, focus, form), got.rules
    assert got.is_question


@pytest.mark.parametrize("text", KEY_PERSON_QUESTIONS)
def test_key_person_questions_explore_need(text: str) -> None:
    got = classify(text)
    assert (got.act, got.focus) == ("exploratory", "need")


def test_notes_examples_without_question_marks() -> None:
    """Chat writers drop the "?"; the tag particles still make these questions of the same kind."""
    for text, act, focus, form in NOTES_EXAMPLES:
        bare = text.rstrip("?!")
        got = classify(bare)
        assert (got.act, got.focus, got.form) == (act, focus, form), (bare, got.rules)
