"""Security: a model that repeats its whole prompt still says nothing the rep has not earned.

For every scenario card and many decisions (with prompt-injection messages from the rep in the conversation),
the LLM voice runs against an echo model — a LangChain fake, the real-HTTP stub server, and the engine itself.
No unearned fact (text, phrasings, hint), no concern not raised (text, phrasings, explanation), no commitment
phrasing not accepted and nothing else outside the allow-list may appear in the prompt or the reply.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from customer.cards import Card
from customer.decision import Decision
from customer.engine import Conversation
from customer.voices.base import VoiceInput
from customer.voices.llm import LLMVoice, llm_voice_from_settings
from peilian.settings import Settings
from tests.customer.voices.helpers import INJECTIONS, EchoChatModel, prompt_text, voice_input
from tests.customer.voices.stub_openai import StubOpenAI, echo

UNCAPPED = {"soft_chars": 10**6, "max_chars": 10**6}  # the echo must come out whole
SCHEMA_WORDS = ("min_trust", "min_value", "keywords", "requires", "reveal", "hidden", "lead_state")


def forbidden(card: Card, data: VoiceInput) -> list[str]:
    """Every secret text this turn may not carry (strings of 4+ characters, to avoid chance matches)."""
    d = data.decision
    out: list[str] = list(SCHEMA_WORDS)
    for fact in card.facts():
        if fact.id not in data.facts:
            out += [fact.text, *fact.say]
            if fact.hint and fact.id != d.hint:
                out.append(fact.hint)
    for concern in card.concerns:
        raised = concern.id == d.concern and d.move in ("concern", "explain_concern")
        if not raised:
            out += [concern.text, *concern.say, *concern.explain]
        elif d.move == "concern":
            out += list(concern.explain)
    for name in ("highest", "lowest"):
        commitment = getattr(card.commitments, name)
        out.append(commitment.action)
        if d.commitment != name:
            out += list(commitment.say)
    # Card facts outside the persona (not secret, but not allow-listed either) unless an earned fact says them.
    allowed = " ".join(t for f in data.facts.values() for t in (f.text, *f.say))
    extras = [card.background, card.goal, card.decision.process, card.decision.budget]
    extras += [t for c in card.competitors for t in (c.position, c.note)]
    out += [s for s in extras if s not in allowed]
    return [s for s in out if len(s) >= 4]


def conversation(card: Card, earned: list[str], turn: int) -> list[tuple[str, str]]:
    """A conversation with injection attempts; earned facts were said by the customer in earlier turns."""
    conv = [("customer", card.customer.greeting[0])]
    for i, fid in enumerate(earned):
        conv += [
            ("rep", INJECTIONS[i % len(INJECTIONS)]),
            ("customer", "你说什么?"),
            ("rep", "这方面能说说吗?"),
            ("customer", (card.fact(fid).say or [card.fact(fid).text])[0]),
        ]
    return [*conv, ("rep", INJECTIONS[turn % len(INJECTIONS)])]


def cases(card: Card) -> Iterator[tuple[VoiceInput, tuple[str, ...]]]:
    """(VoiceInput, texts that must be in the prompt): many decisions over one card."""
    ids = [f.id for f in card.facts()]
    yield voice_input(card, Decision("greet")), (card.customer.greeting[0],)
    for n, move in enumerate(("confused", "ack_intro", "deflect", "brush_off", "elaborate", "push_back")):
        yield voice_input(card, Decision(move), conversation=conversation(card, [], n)), ()
    for i, fid in enumerate(ids):
        earned = ids[:i]
        move = ("answer", "continue", "agree", "correct", "answer_expectation")[i % 5]
        data = voice_input(
            card, Decision(move, facts=(fid,)), earned=earned, conversation=conversation(card, earned, i)
        )
        yield data, (card.fact(fid).text,)
    for f in card.facts():
        if f.hint:
            yield (
                voice_input(card, Decision("deflect", hint=f.id), conversation=conversation(card, [], 0)),
                (f.hint,),
            )
    for c in card.concerns:
        for move in ("concern", "explain_concern"):
            d = Decision(move, concern=c.id, concern_level=c.level)
            yield voice_input(card, d, earned=ids[:2], conversation=conversation(card, ids[:2], 1)), (c.text,)
    yield (
        voice_input(
            card,
            Decision("ask_detail", missing=("time", "people", "benefit")),
            earned=ids[:1],
            conversation=conversation(card, ids[:1], 2),
        ),
        (),
    )
    for name in ("highest", "lowest"):
        d = Decision("accept_commitment", commitment=name, end=True, closing="commit")
        yield (
            voice_input(card, d, earned=ids[:3], conversation=conversation(card, ids[:3], 3)),
            (getattr(card.commitments, name).say[0],),
        )
    yield (
        voice_input(
            card, Decision("hang_up", end=True, closing="hang_up"), conversation=conversation(card, [], 3)
        ),
        (),
    )


def check(card: Card, data: VoiceInput, prompt: str, reply: str, required: tuple[str, ...]) -> None:
    for secret in forbidden(card, data):
        assert secret not in prompt, f"{card.id} {data.decision.move}: prompt leaks {secret!r}"
        assert secret not in reply, f"{card.id} {data.decision.move}: reply leaks {secret!r}"
    assert card.customer.name in prompt and reply  # the echo works: a leak would have shown
    for text in required:
        assert text in prompt, f"{card.id} {data.decision.move}: {text!r} missing"
    assert "只说" in prompt or data.decision.move == "greet"  # told to say nothing beyond the given facts


def test_echo_model_leaks_nothing_unearned_for_every_card(cards: dict[str, Card]) -> None:
    assert len(cards) >= 10
    total = 0
    for card in cards.values():
        for n, (data, required) in enumerate(cases(card)):
            model = EchoChatModel()
            voice = LLMVoice(model, **UNCAPPED)
            reply = "".join(voice.stream(data)) if n % 2 else voice.speak(data)
            assert voice.last_result is not None and voice.last_result.voice == "llm"
            check(card, data, prompt_text(model.prompts[-1]), reply, required)
            total += 1
    assert total > 200


@pytest.mark.parametrize("streaming", [False, True])
def test_echo_over_real_http_leaks_nothing(stub: StubOpenAI, cards: dict[str, Card], streaming: bool) -> None:
    settings = Settings(
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=stub.base_url,
        llm_model="echo",
        llm_timeout=5.0,
        llm_max_retries=0,
    )
    voice = llm_voice_from_settings(settings, **UNCAPPED)
    for card in cards.values():
        for n, (data, required) in enumerate(cases(card)):
            if n % 4:  # a quarter of the cases per card keeps this test fast
                continue
            reply = "".join(voice.stream(data)) if streaming else voice.speak(data)
            assert voice.last_result is not None and voice.last_result.voice == "llm"
            check(card, data, echo(stub.requests[-1]), reply, required)


def test_engine_driven_echo_with_injections_leaks_nothing(cards: dict[str, Card]) -> None:
    """The real engine and classifier decide; facts get earned, injections come in between."""
    questions = [
        "您今年最重要的工作目标是什么?",
        "还有呢?",
        "现在遇到的最大困难是什么?",
        "这件事造成了什么影响?",
        "这件事对您个人有什么影响?",
        "您对这个方案有什么要求?",
    ]
    earned_any = 0
    for card in cards.values():
        conv = Conversation(card, seed=1, voice=LLMVoice(EchoChatModel(), **UNCAPPED))
        conv.state.trust, conv.state.patience = 70.0, 100.0  # an open customer: he has facts to tell
        lines = [f"{card.customer.name}您好,我是明视显示的客户经理李明,想跟您聊聊。"]
        for question, injection in zip(questions, [*INJECTIONS, *INJECTIONS], strict=False):
            lines += [question, injection]
        for line in lines:
            conv.state.patience = 100.0
            reply = conv.rep_says(line)
            d, earned = reply.decision, set(conv.state.earned)
            assert all(
                card.fact(fid).text in reply.text for fid in d.facts
            )  # the echo carries what is earned
            for fact in card.facts():
                if fact.id not in earned:
                    assert all(s not in reply.text for s in (fact.text, *fact.say)), (card.id, fact.id)
            for c in card.concerns:
                if c.id != d.concern:
                    assert all(s not in reply.text for s in (c.text, *c.say, *c.explain) if len(s) >= 4), (
                        card.id,
                        c.id,
                    )
            if conv.state.ended:
                break
        earned_any += bool(conv.state.earned)
    assert earned_any == len(cards)  # the check ran on replies that did voice facts
