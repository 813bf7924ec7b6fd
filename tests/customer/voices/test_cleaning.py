"""Output hygiene of the LLM voice: labels, quotes, stage directions, caps — the same on any chunking."""

from __future__ import annotations

import random

import pytest

from customer.voices.cleaning import ReplyCleaner, clean_reply

LABELS = {"own_labels": ("王主任", "区政府办公室主任", "客户"), "rep_labels": ("销售", "客户经理")}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("王主任：“嗯，你说吧。”", "嗯，你说吧。"),
        ("王主任: 行。", "行。"),
        ("【王主任】：好的。", "好的。"),
        ("**王主任**：行。", "行。"),
        ("客户：我们暂时不需要。", "我们暂时不需要。"),
        ("（皱眉）嗯……（停顿）你说。", "嗯……你说。"),
        ("*叹气* 唉，这事难办。[pause]", "唉，这事难办。"),
        ("<think>他在推销，我要拒绝</think>\n\n不需要。", "不需要。"),
        ("「这个嘛」，再说吧。", "这个嘛，再说吧。"),
        ("嗯，行。\n销售：那我们约周二？", "嗯，行。"),
        ("嗯，行。\n王主任：你把资料发我。", "嗯，行。你把资料发我。"),
        ("客户经理：您好", ""),
        ("（笑）", ""),
        ("王主任说得对吧", "王主任说得对吧"),
        ("  回头再说。  ", "回头再说。"),
    ],
)
def test_cleaning(raw: str, clean: str) -> None:
    assert clean_reply(raw, **LABELS) == clean


def test_the_same_on_every_chunking() -> None:
    samples = [
        "王主任：（想了想）“嗯……这个嘛，”\n王主任：我们今年的重点是<think>x</think>会议室改造。\n销售：好的",
        "**王主任**： 行吧，*点头* 就下周二上午，你过来。",
        "客户经理：我是来推销的",
        "嗯，我们现在用的设备是八年前的，经常啸叫、断音，修了好几次也没修好。领导开会的时候很尴尬。" * 3,
    ]
    for raw in samples:
        whole = clean_reply(raw, soft_chars=40, max_chars=80, **LABELS)
        for seed in range(60):
            rng = random.Random(seed)
            cleaner = ReplyCleaner(soft_chars=40, max_chars=80, **LABELS)
            out, i = "", 0
            while i < len(raw) and not cleaner.done:
                n = rng.randint(1, 6)
                out += cleaner.feed(raw[i : i + n])
                i += n
            out += cleaner.finish()
            assert out.strip() == whole, (raw, seed)


def test_ordinary_text_streams_without_delay_and_labels_are_held_only_briefly() -> None:
    cleaner = ReplyCleaner(**LABELS)
    assert cleaner.feed("嗯") == "嗯"
    cleaner = ReplyCleaner(**LABELS)
    assert cleaner.feed("王") == ""  # may be "王主任:"
    assert cleaner.feed("总说") == "王总说"  # it was not


def test_length_caps() -> None:
    long = "我们现在用的是十年前的设备，问题很多。还有一个就是经常断音，开会的时候很尴尬。"
    assert clean_reply(long, soft_chars=10, max_chars=60) == "我们现在用的是十年前的设备，问题很多。"
    assert clean_reply(long, soft_chars=10, max_chars=15) == "我们现在用的是十年前的设备，问……"
    assert clean_reply("好的！！后面的不说了", soft_chars=2, max_chars=60) == "好的！！"
