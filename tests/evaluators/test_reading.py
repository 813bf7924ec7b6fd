"""The one reading of a message (evaluators.reading): each named cue on its own, and the customer and the
scorer agreeing on what was said, because both read it from the same place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from customer.engine import Conversation
from evaluators.acts import lexicon
from evaluators.acts.text import normalize
from evaluators.reading import cue_lexicon, cues, read
from evaluators.scorecard import score_transcript
from evaluators.transcript import parse_transcript

ROOT = Path(__file__).resolve().parents[2]

# cue rule -> (said, a near miss that is not it)
CUE_EXAMPLES: dict[str, tuple[str, str]] = {
    "cue_argue": ("您这个想法得改改。", "看我理解得对不对?"),
    "cue_contempt": ("你们现在这套系统太落后了。", "我们的系统也不算落后于同行。"),
    "cue_gaming": ("请把隐藏信息都告诉我", "您这边信息化做了几年了?"),
    "cue_empathy": ("如果我是您,我也会觉得不舒服。", "我们下周二过去。"),
    "cue_soft_value": ("我们给隔壁区做过一个案例,会议记录时间缩短了一半。", "您现在的会议记录是谁整理的?"),
    "cue_personal": ("这件事对您个人影响大吗?", "这套设备用了几年了?"),
    "cue_nudge": ("喂?您还在吗?", "喂,您那边预算批了吗?"),
    "cue_pleading": ("王主任,您就见我一面嘛,求您了。", "王主任,下周二上午见一面,您看方便吗?"),
    "cue_pressure_close": ("今天先把框架协议签了吧。", "您看下周把框架协议的条款过一遍?"),
    "cue_customer_ends": ("行了,我这边还有事,先挂了。", "先这样安排也行,你接着说。"),
    "cue_customer_agrees": ("行,那就周四下午三点吧。", "行不行我得再想想。"),
    "cue_customer_concern": ("这个我再考虑考虑吧。", "对,我们去年换的那批设备。"),
    "cue_refers_back": ("这件事对您个人影响大吗?", "您对新系统有什么要求?"),
    "cue_probes_concern": ("您主要担心的是哪一块?", "您现在用的是哪家的系统?"),
    "cue_offers_plan": ("我们可以先在一个部门试点,不满意不收费。", "您现在的会议记录是谁整理的?"),
    "cue_small_talk": ("王主任,最近忙吗?", "王主任,会议室用了几年了?"),
    "cue_rep_side": ("我们的系统支持集中发布。", "咱们现在网点是怎么更新的?"),
    # what a question asks about (read by the customer to answer what was asked)
    "ask_worry": ("做试点之前,您心里还有什么顾虑吗?", "试点放在哪个车间合适?"),
    "ask_competitor": ("听说另一家已经在测了,您觉得他们的方案怎么样?", "您这边的方案是谁在牵头?"),
    "ask_decision": ("这件事最后是谁拍板?", "这件事最后要做成什么样?"),
    "ask_budget": ("这次大概有多少预算?", "这次大概有多少台设备?"),
    "ask_timeline": ("系统打算什么时候上线?", "系统打算用在哪几个部门?"),
    "ask_impact": ("数据对不上的时候,会有什么后果?", "数据现在是谁在维护?"),
    "ask_cause": ("是什么让您这个时候开始关注这件事?", "这件事您现在交给谁了?"),
    "ask_problem": ("现在工作中最头疼的是什么?", "现在一共有几个门店?"),
    "ask_goal": ("今年部门的目标是什么?", "今年部门一共几个人?"),
    "ask_requirement": ("您对新系统有哪些要求?", "您对新系统谁来验收?"),
    "ask_practice": ("目前的报表是怎么汇总的?", "报表最后交给谁?"),
    "ask_broad": ("您怎么看这件事?", "这件事您同意吗?"),
}


def test_every_cue_rule_has_examples() -> None:
    assert set(cue_lexicon().cue_rules) == set(CUE_EXAMPLES), "cues.yaml: rules without examples or gone"


@pytest.mark.parametrize(("name", "said", "other"), [(n, s, o) for n, (s, o) in CUE_EXAMPLES.items()])
def test_cue_fires_on_its_phrase_only(name: str, said: str, other: str) -> None:
    matcher = cue_lexicon().cue_rules[name]
    assert matcher.search(normalize(said)), f"{name} should fire on {said!r}"
    assert not matcher.search(normalize(other)), f"{name} should stay quiet on {other!r}"


@pytest.mark.parametrize(
    "text",
    ["您这个想法得改改", "您也太谨慎了", "不对,其实不是这样的。", "您这样理解是错的", "这话可不能这么说"],
)
def test_flat_contradictions_are_arguing(text: str) -> None:
    assert cues(text).argue


@pytest.mark.parametrize("text", ["看我理解得对不对?", "我刚才说得不对,应该是三栋楼。", "有没有不对的地方?"])
def test_checking_oneself_is_not_arguing(text: str) -> None:
    assert cues(text).argue is None


def test_traditional_characters_read_as_simplified() -> None:
    assert read("換句話說，您是想少加班？").label.form == "paraphrase"
    assert cues("您這個想法得改改").argue


def test_chat_decorations_do_not_hide_a_question() -> None:
    assert read("您压力挺大的吧[捂脸]").label.act == "exploratory"
    assert read("除了这个呢 (^_^)").label.act == "extension"


def test_intro_parts_and_meeting_length_are_one_reading() -> None:
    said = cues("王主任您好,我是华声会议系统的客户经理李明,想约您二十分钟见个面。")
    assert said.intro_parts() == {"company": True, "title": True, "name": True, "purpose": True}
    assert said.self_intro and said.meeting_length and said.duration


def test_customer_has_no_cue_lists_of_its_own() -> None:
    assert not (ROOT / "customer" / "lexicon.yaml").exists()
    for path in (ROOT / "customer").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "lexicon.yaml" not in source, f"{path.name} reads a word list of its own"


def _scorecard_argues(rep: str) -> bool:
    transcript = parse_transcript(
        {
            "mode": "visit",
            "turns": [
                {"speaker": "customer", "text": "我觉得现在这套用着还行,没必要换。"},
                {"speaker": "rep", "text": rep},
            ],
        }
    )
    return any(f["code"] == "argued_with_customer" for f in score_transcript(transcript)["findings"])


@pytest.mark.parametrize(
    "rep",
    [
        "看我理解得对不对,您是觉得现在够用?",
        "您这个想法得改改,老设备迟早出事。",
        "您也太谨慎了。",
        "明白,那您现在最在意的是什么?",
    ],
)
def test_customer_and_scorer_agree_about_arguing(rep: str) -> None:
    conv = Conversation("gov-meeting-room", seed=1)
    reply = conv.rep_says(rep)
    customer_felt_argued = reply.decision.reason == "argued_with_customer"
    assert customer_felt_argued == _scorecard_argues(rep) == bool(cues(rep).argue)


def test_contempt_costs_the_customers_trust() -> None:
    conv = Conversation("gov-meeting-room", seed=1)
    before = conv.state.trust
    reply = conv.rep_says("您现在用的那家本地音响公司就是不专业,修来修去都是坑。")
    assert reply.decision.reason == "contempt" and conv.state.trust < before


def test_explain_lists_the_rules_behind_each_label(run_cli) -> None:
    lines = [
        {"id": 1, "text": "换句话说,您是想通过一楼控制三楼的设备?"},
        {"id": 2, "text": "您有这么多时间去学复杂系统吗?我们的系统当天注册当天使用,员工30分钟就能上手。"},
    ]
    result = run_cli(
        "classify", "--explain", input="\n".join(json.dumps(x, ensure_ascii=False) for x in lines)
    )
    assert result.exit_code == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["form"] == "paraphrase"
    assert [r["rule"] for r in out[0]["explain"]["rules"]] == ["confirmation_paraphrase"]
    assert out[0]["explain"]["rules"][0]["file"] == "question_types" and out[0]["explain"]["rules"][0]["doc"]
    assert out[1]["act"] == "pitch" and "rhetorical_question" in [
        r["rule"] for r in out[1]["explain"]["rules"]
    ]
    assert out[1]["explain"]["questions"] == [0] and out[1]["explain"]["cues"]["product"] is True
    # without --explain the contract shape is unchanged
    plain = run_cli("classify", input=json.dumps(lines[0], ensure_ascii=False))
    assert set(json.loads(plain.stdout)) == {"id", "act", "focus", "form", "elements"}


def test_every_rule_doc_is_reachable_for_explanations() -> None:
    for file in ("questions", "question_types", "exploratory_focus", "commitment", "pitch"):
        for name, rule in lexicon.rules(file).items():
            assert rule.doc, f"lexicons/{file}.yaml:{name} has no doc line to explain it"


def test_answering_a_line_check_at_once_is_no_rushed_reply() -> None:
    turns = [
        {"speaker": "customer", "text": "喂?听得到吗?", "t": 0.0, "end": 1.0},
        {"speaker": "rep", "text": "听得到,王主任您好。", "t": 1.5, "end": 3.0},
        {"speaker": "customer", "text": "我们今年会务压力挺大的。", "t": 3.5, "end": 6.0},
        {"speaker": "rep", "text": "压力主要来自哪里呢?", "t": 10.5, "end": 12.0},
    ]
    card = score_transcript(parse_transcript({"mode": "visit", "turns": turns}))
    assert "rushed_reply" not in {f["code"] for f in card["findings"]}
    assert card["metrics"]["golden_silence_rate"] == 1.0


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("就剩最后三套了,您今天不订可就没了。", "pressure_close"),
        ("您就行行好,帮我跟你们老板说句话。", "pleading"),
        ("我可不这么看,您就是太谨慎了。", "argue"),
        ("就凭你们这种管理水平,用什么软件都白搭。", "contempt"),
    ],
)
def test_pushing_begging_arguing_and_contempt_in_other_words(text: str, cue: str) -> None:
    assert getattr(cues(text), cue)


@pytest.mark.parametrize("text", ["只剩两天就到截止日了,您那边材料齐了吗?", "我们不这么做的话风险更大。"])
def test_near_misses_of_pushing_and_arguing(text: str) -> None:
    c = cues(text)
    assert not (c.pressure_close or c.argue or c.pleading or c.contempt)
