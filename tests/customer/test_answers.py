"""A customer who answers what was asked: topics and surface answers, context, concerns that follow the rep,
pacing, no line twice, difficulty levels and the engine's numbers as data (issue: the customer)."""

from __future__ import annotations

from collections import Counter

import pytest

from customer.cards import get_card, load_scenarios
from customer.engine import Conversation, ask_lines
from customer.handlers import ACTS, HANDLERS
from customer.numbers import LEVELS, Numbers, engine_numbers
from tests.customer.conftest import cls, convo

NEED = cls("exploratory", "need")
MOTIVE = cls("exploratory", "motive")
ASK = cls("commitment", elements=["time", "action", "benefit"])


def test_every_act_has_one_registered_handler() -> None:
    import customer.rules  # noqa: F401 - registers the handlers

    assert set(HANDLERS) == set(ACTS)


def test_engine_numbers_are_data_with_three_levels() -> None:
    data = engine_numbers()
    assert set(data["difficulty"]) == set(LEVELS)
    assert Numbers("standard")("argue.trust") < 0
    with pytest.raises(ValueError, match="难度"):
        Numbers("impossible")


def test_difficulty_changes_the_start_and_is_kept_across_saves(gov) -> None:
    trusts = {level: Conversation(gov, difficulty=level).state.trust for level in LEVELS}
    assert trusts["easy"] > trusts["standard"] > trusts["hard"]
    hard = Conversation(gov, difficulty="hard")
    again = Conversation.from_dict(hard.to_dict())
    assert again.numbers.level == "hard" and again.state.difficulty == "hard"
    with pytest.raises(ValueError):
        Conversation(gov, difficulty="expert")


def test_every_card_has_topics_and_surface_answers() -> None:
    for card in load_scenarios().values():
        for fact in card.facts():
            assert fact.topic and fact.surface, f"{card.id}:{fact.id}"
            assert all(fact.text not in line for line in fact.surface)


def test_a_question_asked_too_early_gets_a_surface_answer_on_its_topic(gov) -> None:
    conv = convo(gov)
    reply = conv.rep_says("现在的话筒用下来，有什么毛病吗？", classification=NEED)
    assert not reply.revealed and reply.decision.move in ("surface", "deflect")
    fact = gov.fact(reply.decision.topic_of)
    assert fact.id.startswith("n")
    assert reply.text in fact.surface or fact.topic in reply.text or reply.decision.hint


def test_this_matter_refers_to_the_need_just_told_and_grounds_a_motive(gov) -> None:
    conv = convo(gov, trust=75, earned=["n1", "n2"])
    told = conv.rep_says("这些问题给会务带来过什么后果？", classification=NEED)
    assert told.revealed == ["n3"]
    # No card keyword of the motive: "这件事" and "您个人" are enough once the need is told.
    reply = conv.rep_says("这件事对您个人来说意味着什么？", classification=MOTIVE)
    assert reply.revealed == ["m1"]  # the motive tied to that need (m1 requires n3)


def test_a_vague_personal_question_earns_no_motive(gov) -> None:
    conv = convo(gov, trust=90)
    reply = conv.rep_says("您个人怎么看？", classification=MOTIVE)
    assert not reply.revealed


def test_a_silence_releases_one_fact_and_never_a_motive(gov) -> None:
    conv = convo(gov, trust=90, earned=["n1", "n2", "n3"], last_move="answer", last_disclosed=["n3"])
    first = conv.rep_silent(5.0)
    second = conv.rep_silent(5.0)
    released = [*(first.revealed if first else []), *(second.revealed if second else [])]
    assert not [f for f in released if f.startswith("m")]
    assert len(first.revealed if first else []) <= 1 and not (second and second.revealed)


def test_a_concern_follows_the_rep_until_a_plan_removes_it(gov) -> None:
    conv = convo(gov, trust=26, value=10)
    raised = conv.rep_says("王主任，下周二上午我过去跟您聊半小时，您看行吗？", classification=ASK)
    assert raised.decision.move == "concern" and conv.state.concern
    level = conv.state.concern_index()
    other = conv.rep_says("会议室一般一个月开几次大会？", classification=cls("exploratory", "process"))
    assert other.decision.move != "explain_concern" and conv.state.concern  # answered; the concern stays
    probed = conv.rep_says("您主要担心的是哪一块？", classification=cls("exploratory", "need"))
    assert probed.decision.move == "explain_concern" and conv.state.concern_index() >= level
    plan = conv.rep_says(
        "我们可以先把资质文件和同级政府的合同发您核对，不满意不用见。", classification=cls("statement")
    )
    assert plan.decision.move == "concern_resolved" and conv.state.concern is None
    assert plan.text  # he says so (确认排除)


def test_a_concern_never_drops_by_itself(gov) -> None:
    conv = convo(gov, trust=10, value=0)
    conv.rep_says("下周二我过去拜访您，行吗？", classification=ASK)
    first = conv.state.concern_index()
    conv.state.trust = 40  # trust grew meanwhile: the open concern does not shrink
    conv.state.last_move = "ack"
    conv.rep_says("周四下午我过去，可以吗？", classification=ASK)
    assert conv.state.ended or conv.state.concern_index() >= first


def test_at_most_one_fact_a_move_and_no_line_twice_in_a_call() -> None:
    card = get_card("auto-parts-mes")
    conv = Conversation(card, seed=3)
    lines = [conv.opening.text]
    for text in ["郑总您好，我是云工智造的李明，今天想先听您讲讲现在的情况，您看这样行吗？", "现在生产上最头疼的是什么？",
                 "还有呢？", "这对工厂有什么影响？", "还有呢？", "您对新系统最看重什么？", "还有呢？", "还有呢？",
                 "现在生产上最头疼的是什么？", "嗯。", "嗯。", "嗯。"]:  # fmt: skip
        reply = conv.rep_says(text, after=5.0)
        assert len(reply.revealed) <= 1
        if reply.text:
            lines.append(reply.text)
        if conv.state.ended:
            break
    assert not [line for line, n in Counter(lines).items() if n > 1]


def test_replies_fit_the_mode(gov, hospital) -> None:
    visit = convo(hospital, trust=60, value=60)
    reply = visit.rep_says(
        "下周二我们来做个测试，您看行吗？", classification=cls("commitment", elements=["time", "action"])
    )
    assert "见了面" not in reply.text  # a meeting is under way: no phone-call lines


# -- a question that names none of his topics is answered by what it asks (cues.yaml ask_*) ---------------
def test_a_question_about_consequences_gets_the_consequence_not_a_stock_fact(gov) -> None:
    reply = convo(gov, trust=50).rep_says("要是开到一半断了，一般会闹出什么情况？", classification=NEED)
    assert reply.decision.reason == "asked_kind"
    assert [gov.fact(f).kind for f in reply.revealed] == ["不良影响"]


def test_a_question_about_who_decides_gets_the_decision_process(gov) -> None:
    reply = convo(gov, trust=50).rep_says("这件事最后是哪位领导点头？", classification=NEED)
    assert [gov.fact(f).kind for f in reply.revealed] == ["决策"]


def test_an_ask_answered_too_early_gets_the_surface_of_that_kind(gov) -> None:
    reply = convo(gov, trust=5).rep_says("要是开到一半断了，一般会闹出什么情况？", classification=NEED)
    assert not reply.revealed and reply.decision.move == "surface"
    # he picked the topic, the rep did not name it: an answer to "后果" that names nothing unsaid
    assert reply.decision.lines_from == "ask:impact" and reply.decision.topic_of is None
    assert reply.text in ask_lines()["impact"]


def test_a_closed_question_off_his_topics_gets_a_plain_answer_and_no_fact(gov) -> None:
    reply = convo(gov, trust=60).rep_says("您那边停车方便吗？", classification=NEED)
    assert not reply.revealed and reply.decision.move == "noncommittal"


def test_a_wh_question_without_a_kind_is_a_broad_one(gov) -> None:
    reply = convo(gov, trust=33).rep_says("您最希望解决的是什么？", classification=NEED)
    assert reply.decision.reason == "broad_question" and reply.revealed


def test_asked_what_worries_him_he_names_his_mildest_concern_and_a_plan_clears_it(gov) -> None:
    conv = convo(gov, trust=40)
    conv.state.counts["asks"] = 1  # a proposal is on the table: his concern lines answer one
    reply = conv.rep_says("如果下一步见面聊，您心里有什么顾虑吗？", classification=NEED)
    assert reply.decision.move == "concern" and reply.decision.reason == "concern_probed"
    assert reply.decision.concern_level == "疑问"
    plan = conv.rep_says(
        "我们给区里两个委办局做过同样的改造，可以先把案例和资质发您看看。", classification=cls("statement")
    )
    assert plan.decision.move == "concern_resolved"


def test_an_opening_with_a_name_check_is_an_introduction_not_a_question(gov) -> None:
    reply = convo(gov).rep_says("您好，请问是王主任吗？我是华声会议系统的客户经理李明。", classification=NEED)
    assert reply.decision.move == "ack_intro"


def test_a_question_that_takes_up_his_words_earns_trust_a_few_times(gov) -> None:
    conv = convo(gov, trust=30)
    conv.state.last_customer = "现在那套话筒用了八年，开会经常啸叫。"
    before = conv.state.trust
    conv.rep_says("话筒用了八年、经常啸叫，一般是开什么会的时候最明显？", classification=NEED)
    echoed = conv.state.trust
    plain = convo(gov, trust=30)
    plain.state.last_customer = "现在那套话筒用了八年，开会经常啸叫。"
    plain.rep_says("您这边一般是开什么会的时候用得最多？", classification=NEED)
    assert echoed - before > plain.state.trust - before


def test_a_fact_said_again_is_said_briefly_not_word_for_word() -> None:
    from customer.voices.scripted import _brief

    line = "上个月一个药企的年会，开场视频切错了，灯也没暗下来，客户当场就火了，最后整场打了八折。"
    assert _brief(line) == "上个月一个药企的年会，开场视频切错了。"
    assert _brief("弱电分包十一月定标。") == "弱电分包十一月定标。"


def test_a_pitch_with_a_question_tacked_on_is_still_a_pitch(gov) -> None:
    reply = convo(gov).rep_says(
        "我们最新款的数字会议系统现在有优惠，一套才八万多，您这边什么时候采购？", classification=NEED
    )
    assert reply.decision.move in ("brush_off", "hang_up") and not reply.revealed


def test_a_question_quoting_his_figures_is_no_pitch(gov) -> None:
    reply = convo(gov, trust=40).rep_says(
        "话筒用了八年，确实很难保证每次都不出问题。一般多久会坏一次？", classification=NEED
    )
    assert reply.decision.move not in ("brush_off", "hang_up")


def test_before_any_proposal_a_worry_question_names_no_concern(gov) -> None:
    reply = convo(gov, trust=40).rep_says("您心里有什么顾虑吗？", classification=NEED)
    assert reply.decision.move != "concern"
