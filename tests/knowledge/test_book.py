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
        expected += [
            line
            for line, raw in zip(source_lines(md), md.splitlines(), strict=True)
            if raw.startswith(("- ", "#####"))
        ]
    got = [line for p in passages if not p.heading for line in p.text.split("\n")]
    assert got == expected


def test_every_heading_is_a_section_of_some_search_passage() -> None:
    # The search index uses unmerged passages: each heading of the table of contents, numbered items
    # included, is the last heading of some passage's section, so a question about it can be answered.
    from knowledge.split import source_lines

    passages = load_passages(merge=False)
    heads = {h for p in passages for h in p.headings}
    for path in book_files():
        md = path.read_text(encoding="utf-8")
        for line, raw in zip(source_lines(md), md.splitlines(), strict=True):
            if raw.startswith("#"):
                assert line in heads, line
    assert any(p.heading and p.section.endswith("八、刻意练习") for p in passages)
    assert any(p.section.endswith("客户为什么不见你 / 障碍二:怀疑") for p in passages)
    assert any(p.section.endswith("第三章 线索阶段常犯错误分析 / 2、拖延症") for p in passages)


def test_a_heading_without_lines_gets_a_heading_passage_that_is_never_cited() -> None:
    from knowledge.cite import cite

    md = "# 篇\n## 第一章 甲\n#### 一、有内容\n- 内容一\n#### 二、只有标题:它本身就是一句话\n## 第二章 乙\n### 第一节 丙\n- 内容二\n"
    passages = parse_markdown(md)
    assert [(p.section, p.heading) for p in passages] == [
        ("篇 / 第一章 甲 / 一、有内容", False),
        ("篇 / 第一章 甲 / 二、只有标题:它本身就是一句话", True),
        ("篇 / 第二章 乙 / 第一节 丙", False),
    ]
    assert passages[1].text == "二、只有标题:它本身就是一句话"
    assert not any(
        p.heading for p in load_passages() if (ref := cite(p.text)) and ref["section"] == p.section
    )


def test_passage_never_straddles_two_sections() -> None:
    md = "# 第一篇 甲\n## 第一章 乙\n### 第一节 丙\n- 短句一\n### 第二节 丁\n- 短句二\n"
    passages = parse_markdown(md)
    assert [p.section for p in passages] == [
        "第一篇 甲 / 第一章 乙 / 第一节 丙",
        "第一篇 甲 / 第一章 乙 / 第二节 丁",
    ]


def test_small_items_merge_and_long_blocks_split() -> None:
    md = "# 篇\n#### 一、题\n##### 1、甲\n##### 2、乙\n- 说明\n#### 二、长\n" + "".join(
        f"- {'字' * 100}{i}\n" for i in range(8)
    )
    passages = parse_markdown(md)
    assert passages[0].section == "篇 / 一、题" and passages[0].text == "1、甲\n2、乙\n说明"
    long_parts = [p for p in passages if p.section == "篇 / 二、长"]
    assert len(long_parts) >= 3 and all(len(p.text) <= MAX_PASSAGE_CHARS + 2 for p in long_parts)
    assert len({p.id for p in passages}) == len(passages)
