"""Scenario cards: every shipped card loads, and a bad card is refused with a message naming the field."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from customer.cards import (
    CONCERN_LEVELS,
    SCENARIOS_DIR,
    CardError,
    get_card,
    load_card,
    load_scenarios,
    parse_card,
)

GOOD = SCENARIOS_DIR / "gov-meeting-room.yaml"


def good_data() -> dict:
    return yaml.safe_load(GOOD.read_text(encoding="utf-8"))


def test_every_card_loads_and_covers_both_modes() -> None:
    cards = load_scenarios()
    assert len(cards) >= 8
    modes = {c.mode for c in cards.values()}
    assert modes == {"appointment", "visit"}
    assert len({c.industry for c in cards.values()}) >= 6
    for card in cards.values():
        kinds = {f.kind for f in card.facts()}
        assert kinds & {"要求", "措施"} and kinds & {"痛苦", "企图心"}
        assert all(c.level in CONCERN_LEVELS for c in card.concerns)
        assert card.customer.greeting
        # a trainer's keywords are what makes a topic question earn a fact
        assert all(f.reveal.keywords for f in card.facts())


def test_get_card_unknown_lists_known_ids() -> None:
    with pytest.raises(CardError, match="未知场景: nope.*gov-meeting-room"):
        get_card("nope")
    assert get_card("gov-meeting-room").mode == "appointment"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["hidden"]["needs"][0].pop("id"), "hidden.needs[0].id: 缺少字段"),
        (lambda d: d["hidden"]["motives"][1].update(kind="贪心"), "hidden.motives[1].kind: 取值无效"),
        (lambda d: d.pop("mode"), "mode: 缺少字段"),
        (lambda d: d.update(mode="call"), "mode: 取值无效"),
        (lambda d: d["customer"].update(shoe_size=42), "customer.shoe_size: 未知字段"),
        (lambda d: d.update(stage=11), "stage: 超出范围"),
        (lambda d: d["hidden"].update(motives=[]), "hidden.motives: 不能为空"),
        (lambda d: d["hidden"]["needs"][1].update(id="n1"), "hidden.needs[1].id: 重复的 id n1"),
        (lambda d: d["hidden"]["needs"][0].update(id="m9"), "hidden.needs[0].id: m9 应以 n 开头"),
        (
            lambda d: d["hidden"]["motives"][0]["reveal"].update(requires=["n42"]),
            "hidden.motives[0].reveal.requires[0]: 未知的事实 id n42",
        ),
        (
            lambda d: d["commitments"]["lowest"].update(elements=["when"]),
            "commitments.lowest.elements[0]: 取值无效",
        ),
        (lambda d: d["customer"].update(greeting=[]), "customer.greeting: 至少写一句开场白"),
    ],
)
def test_bad_card_names_the_field(mutate, expected: str) -> None:
    data = copy.deepcopy(good_data())
    mutate(data)
    with pytest.raises(CardError) as info:
        parse_card(data, "scenarios/x.yaml")
    message = str(info.value)
    assert message.startswith(f"scenarios/x.yaml: {expected}"), message
    assert "\n" not in message


def test_load_card_checks_file_name_and_yaml(tmp_path: Path) -> None:
    wrong = tmp_path / "other.yaml"
    wrong.write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CardError, match=r"other.yaml: id: gov-meeting-room 与文件名 other 不一致"):
        load_card(wrong)
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(CardError, match=r"broken.yaml: YAML 语法错误"):
        load_card(broken)
    not_a_map = tmp_path / "list.yaml"
    not_a_map.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(CardError, match="应为一个映射"):
        load_card(not_a_map)
    with pytest.raises(CardError, match="无法读取文件"):
        load_card(tmp_path / "missing.yaml")


def test_load_scenarios_from_a_directory(tmp_path: Path) -> None:
    (tmp_path / "gov-meeting-room.yaml").write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    assert list(load_scenarios(tmp_path)) == ["gov-meeting-room"]
