"""customer.cards collects every problem of a card at once, in Chinese, and words YAML syntax errors in
Chinese; the one-line CardError message and its API stay as they were."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from customer.cards import CardError, card_problems, load_yaml, parse_card, yaml_problem

GOOD = Path(__file__).resolve().parents[2] / "scenarios" / "gov-meeting-room.yaml"


def good() -> dict:
    return copy.deepcopy(load_yaml(GOOD.read_text(encoding="utf-8")))


def test_a_valid_card_has_no_problem() -> None:
    assert card_problems(good()) == []


def test_every_schema_problem_is_listed_in_chinese() -> None:
    data = good()
    data["mode"] = "lunch"
    data["stage"] = 12
    del data["hidden"]["needs"][0]["kind"]
    data["colour"] = "blue"
    problems = dict(card_problems(data))
    assert set(problems) == {"mode", "stage", "hidden.needs[0].kind", "colour"}, problems
    assert problems["mode"].startswith("取值无效('lunch'),应为 'appointment' 或 'visit'")
    assert problems["stage"] == "超出范围(12)"
    assert problems["hidden.needs[0].kind"] == "缺少字段"
    assert problems["colour"] == "未知字段"
    for message in problems.values():
        english = re.sub(r"'[^']*'", "", message)  # the values quoted are the card's and the schema's own
        assert not re.search(r"[A-Za-z]{3,}", english), message
    with pytest.raises(CardError) as info:
        parse_card(data, "x.yaml")
    assert str(info.value).startswith("x.yaml: mode: 取值无效") and "另有 3 处错误" in str(info.value)
    assert len(info.value.problems) == 4


def test_cross_field_rules_are_all_listed() -> None:
    data = good()
    data["hidden"]["needs"][0]["id"] = "x1"
    data["hidden"]["motives"][0]["reveal"]["requires"] = ["n99"]
    data["customer"]["greeting"] = []
    where = [w for w, _ in card_problems(data)]
    assert where[0] == "hidden.needs[0].id"
    assert "hidden.motives[0].reveal.requires[0]" in where and "customer.greeting" in where


def test_a_long_value_is_quoted_only_in_part() -> None:
    data = good()
    data["mode"] = "x" * 5000
    (where, message), *_ = card_problems(data)
    assert where == "mode" and len(message) < 120


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("id: a\ntitle: [unclosed\n", 3, "方括号"),
        ("id: a\n  title: b: c\n", 2, "键: 值"),
        ('id: "a\n', 2, "引号"),
        ("id: a\n\t- x\n", 2, "Tab"),
        ("a: &x [1]\nb: *x\n", 1, "锚点"),
    ],
)
def test_yaml_syntax_errors_are_worded_in_chinese_with_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(yaml.YAMLError) as info:
        load_yaml(text)
    number, problem = yaml_problem(info.value)
    assert number == line and words in problem, (number, problem)
    assert not re.search(r"[A-Za-z]{5,}", problem)
