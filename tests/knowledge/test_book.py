from __future__ import annotations

import re

from knowledge.book import MAX_PASSAGE_CHARS, SEPARATOR, book_files, load_passages, parse_markdown


def test_every_passage_sits_under_one_section_and_keeps_its_lines() -> None:
    passages = load_passages()
    assert len(passages) > 80
    for p in passages:
        heads = p.section.split(SEPARATOR)
        assert sum(bool(re.match(r"^第.+节", h)) for h in heads) <= 1
        assert len(p.text) <= MAX_PASSAGE_CHARS + 60
    # No line is dropped: the passages hold every list line of the Markdown files, in order.
    from knowledge.split import source_lines

    expected = []
    for path in book_files():
        md = path.read_text(encoding="utf-8")
        expected += [line for line, raw in zip(source_lines(md), md.splitlines(), strict=True) if raw.startswith(("- ", "#####"))]
    got = [line for p in passages for line in p.text.split("\n")]
    assert got == expected


def test_passage_never_straddles_two_sections() -> None:
    md = "# 第一篇 甲\n## 第一章 乙\n### 第一节 丙\n- 短句一\n### 第二节 丁\n- 短句二\n"
    passages = parse_markdown(md)
    assert [p.section for p in passages] == ["第一篇 甲 / 第一章 乙 / 第一节 丙", "第一篇 甲 / 第一章 乙 / 第二节 丁"]


def test_small_items_merge_and_long_blocks_split() -> None:
    md = "# 篇\n#### 一、题\n##### 1、甲\n##### 2、乙\n- 说明\n#### 二、长\n" + "".join(f"- {'字' * 100}{i}\n" for i in range(8))
    passages = parse_markdown(md)
    assert passages[0].section == "篇 / 一、题" and passages[0].text == "1、甲\n2、乙\n说明"
    long_parts = [p for p in passages if p.section == "篇 / 二、长"]
    assert len(long_parts) >= 3 and all(len(p.text) <= MAX_PASSAGE_CHARS + 2 for p in long_parts)
    assert len({p.id for p in passages}) == len(passages)
