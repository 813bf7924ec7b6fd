"""The LLM voice's prompt: built from an allow-list, one instruction per move, chat turns that alternate."""

from __future__ import annotations

import dataclasses

import pytest
from langchain_core.language_models import FakeListChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from customer.decision import MOVES, Decision
from customer.voices.llm import LLMVoice
from customer.voices.prompting import PromptView, chat_turns, move_instructions, prompt_view, render_system
from tests.customer.voices.helpers import voice_input


def test_every_move_has_a_plain_chinese_instruction() -> None:
    instructions = move_instructions()
    assert set(MOVES) <= set(instructions)
    for move, text in instructions.items():
        assert text and not text.isascii(), move


def test_the_view_is_an_explicit_allow_list() -> None:
    # A new field must be added here on purpose: everything in the view can reach the model.
    assert {f.name for f in dataclasses.fields(PromptView)} == {
        "name",
        "role",
        "organisation",
        "temperament",
        "time_pressure",
        "mode",
        "catchphrases",
        "greeting",
        "move",
        "tone",
        "closing",
        "facts",
        "hint",
        "concern",
        "missing",
        "commitment",
        "history",
        "max_chars",
        "topic",
        "lines",  # a question's topic label and the harmless card lines of this move
    }


def test_system_prompt_holds_persona_move_and_only_the_facts_voiced_now(gov_card) -> None:
    data = voice_input(gov_card, Decision("answer", facts=("n2",), tone="cold"), earned=("e1", "n1"))
    system = render_system(prompt_view(data))
    p = gov_card.customer
    for public in (p.name, p.role, p.organisation, p.temperament, *p.catchphrases):
        assert public in system
    assert move_instructions()["answer"] in system and "冷淡" in system
    assert gov_card.fact("n2").text in system and all(s in system for s in gov_card.fact("n2").say)
    # e1 and n1 were earned earlier: they are in the conversation if said, never re-offered to the model
    assert gov_card.fact("e1").text not in system and gov_card.fact("n1").text not in system
    assert "{{" not in system and "{%" not in system
    assert "只说这些" in system  # told to say nothing beyond the given facts


def test_concern_explain_lines_only_when_the_move_explains_it(gov_card) -> None:
    c1 = gov_card.concerns[0]
    raised = render_system(
        prompt_view(voice_input(gov_card, Decision("concern", concern="c1", concern_level=c1.level)))
    )
    assert c1.text in raised and c1.say[0] in raised
    assert not any(line in raised for line in c1.explain)
    explained = render_system(
        prompt_view(voice_input(gov_card, Decision("explain_concern", concern="c1", concern_level=c1.level)))
    )
    assert all(line in explained for line in c1.explain)


def test_hint_missing_commitment_greeting_and_closing(gov_card) -> None:
    hinted = next(f for f in gov_card.facts() if f.hint)
    system = render_system(prompt_view(voice_input(gov_card, Decision("deflect", hint=hinted.id))))
    assert hinted.hint in system and hinted.text not in system
    assert not any(s in system for s in hinted.say)
    ask = render_system(
        prompt_view(voice_input(gov_card, Decision("ask_detail", missing=("time", "people"))))
    )
    assert "具体什么时间" in ask and "要哪些人参加" in ask
    commit = render_system(
        prompt_view(
            voice_input(
                gov_card, Decision("accept_commitment", commitment="lowest", end=True, closing="commit")
            )
        )
    )
    assert gov_card.commitments.lowest.say[0] in commit
    assert gov_card.commitments.highest.say[0] not in commit
    greet = render_system(prompt_view(voice_input(gov_card, Decision("greet"))))
    assert gov_card.customer.greeting[0] in greet
    assert gov_card.customer.greeting[0] not in render_system(
        prompt_view(voice_input(gov_card, Decision("ack")))
    )
    ending = render_system(
        prompt_view(voice_input(gov_card, Decision("impatient", end=True, closing="hang_up")))
    )
    assert "结束谈话" in ending


def test_a_fact_not_earned_cannot_be_voiced(gov_card) -> None:
    data = voice_input(gov_card, Decision("answer"), earned=())
    bad = dataclasses.replace(data, decision=Decision("answer", facts=("m1",)))
    with pytest.raises(KeyError):
        prompt_view(bad)


def test_chat_turns_alternate_and_end_with_the_rep(gov_card) -> None:
    conv = [
        ("customer", "喂?"),
        ("rep", "您好"),
        ("rep", "我是李明"),
        ("customer", "嗯。"),
        ("customer", "喂?"),
    ]
    turns = chat_turns(prompt_view(voice_input(gov_card, Decision("prompt"), conversation=conv)))
    roles = [r for r, _ in turns]
    assert roles[0] == "user" and roles[-1] == "user"
    assert all(a != b for a, b in zip(roles, roles[1:], strict=False))
    assert ("user", "您好\n我是李明") in turns
    assert turns[0][1] == "（电话响了，你接起电话）" and turns[-1][1] == "（对方没有说话）"


def test_messages_keep_the_newest_turns_within_budget(gov_card) -> None:
    conv = [("customer", "喂?")]
    for i in range(60):
        conv += [
            ("rep", f"第{i}个问题:" + "这个情况能不能再具体说说" * 3),
            ("customer", "嗯,这个不好说。" * 3),
        ]
    conv.append(("rep", "最后一个问题"))
    voice = LLMVoice(FakeListChatModel(responses=["嗯。"]), history_tokens=400)
    messages = voice.messages(voice_input(gov_card, Decision("ack"), conversation=conv))
    assert isinstance(messages[0], SystemMessage) and isinstance(messages[1], HumanMessage)
    assert messages[-1].content == "最后一个问题"
    assert 3 < len(messages) < 40
