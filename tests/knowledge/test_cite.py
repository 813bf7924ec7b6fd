from __future__ import annotations

from knowledge.cite import cite


def test_cite_finds_the_passage_under_the_hinted_section() -> None:
    ref = cite("约访电话里严禁介绍产品,只说公司不说产品", "第二章 转化商机")
    assert ref is not None
    assert ref["section"].startswith("第二篇 转化商机 / 第二章 转化商机")
    assert "严禁介绍产品" in ref["text"]


def test_cite_falls_back_to_the_whole_book_and_returns_none_without_overlap() -> None:
    ref = cite("客户回答完毕后不要立刻接话,憋4秒", "没有这个标题")
    assert ref is not None and "倾听技巧" in ref["section"]
    assert cite("", "") is None
    assert cite("xyzxyz", "") is None
