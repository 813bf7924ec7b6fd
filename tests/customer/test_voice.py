"""The scripted voice: every move has lines, choices are deterministic, no line twice in a row."""

from __future__ import annotations

from customer.cards import load_scenarios
from customer.decision import MOVES
from customer.engine import Conversation
from customer.population import RandomAsker, play
from customer.voices.base import Voice
from customer.voices.scripted import ScriptedVoice, load_phrases


def test_every_move_has_lines() -> None:
    phrases = load_phrases()
    for move in MOVES:
        assert move in phrases["moves"] or move == "greet", move
    for level in ("犹豫", "疑问", "反对", "不承诺", "争论", "抵触"):
        assert phrases["concern_generic"][level]


def test_scripted_voice_is_a_voice() -> None:
    assert isinstance(ScriptedVoice(), Voice)


def test_never_the_same_line_twice_in_a_row_and_deterministic() -> None:
    for card in load_scenarios().values():
        for seed in range(3):
            a = play(card, RandomAsker, seed)
            said = [t for who, t in a.transcript if who == "客户"]
            assert all(x != y for x, y in zip(said, said[1:], strict=False)), said
            assert a.transcript == play(card, RandomAsker, seed).transcript


def test_stream_joins_to_the_reply() -> None:
    voice = ScriptedVoice()
    seen = []

    class Tee:
        def speak(self, data):
            seen.append(("".join(voice.stream(data)), voice.speak(data)))
            return seen[-1][1]

        def stream(self, data):
            yield from voice.stream(data)

    conv = Conversation("hospital-splice-screen", voice=Tee(), classifier=lambda t: None)
    assert conv.opening.text and seen and all(a == b for a, b in seen)


def test_seeds_vary_the_wording() -> None:
    card = load_scenarios()["gov-meeting-room"]
    texts = {Conversation(card, seed=s, classifier=lambda t: None).opening.text for s in range(8)}
    assert len(texts) > 1
