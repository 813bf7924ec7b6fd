from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.book import BOOK_DIR, book_files
from knowledge.split import heading_level, source_lines, split_notes
from tests.conftest import SHARED

NOTES = SHARED / "seeds" / "value-selling-notes.txt"


def _book_lines() -> list[str]:
    return [line for path in book_files() for line in source_lines(path.read_text(encoding="utf-8"))]


@pytest.mark.skipif(
    not NOTES.exists(), reason="the source notes (../shared/seeds) are not beside this checkout"
)
def test_book_files_hold_every_line_of_the_notes_verbatim() -> None:
    source = [line.strip() for line in NOTES.read_text(encoding="utf-8").splitlines() if line.strip()]
    book = _book_lines()
    missing = sorted(set(source) - set(book))
    assert not missing, f"lines lost or reworded: {missing[:5]}"
    # Same multiset of lines (the only additions are the preface heading), and each 篇 keeps its own order.
    assert sorted(book) == sorted(source + ["导读"])


@pytest.mark.skipif(
    not NOTES.exists(), reason="the source notes (../shared/seeds) are not beside this checkout"
)
def test_committed_book_is_what_the_splitter_makes_of_the_notes() -> None:
    made = {f.name: f.text for f in split_notes(NOTES.read_text(encoding="utf-8"))}
    committed = {p.name: p.read_text(encoding="utf-8") for p in book_files()}
    assert made == committed


def test_book_has_one_file_per_part_in_book_order() -> None:
    names = [p.name for p in book_files(BOOK_DIR)]
    assert names[0].startswith("00-")
    assert [n[:2] for n in names[1:]] == ["01", "02", "03", "04", "05"]
    assert "第四篇" in names[4] and "第五篇" in names[5]


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("第二篇 转化商机", 1),
        ("第三章 引导期望的技巧", 2),
        ("第四节 倾听技巧", 3),
        ("一、探索类提问", 4),
        ("原则三:共同开发", 4),
        ("1、探索流程类提问", 5),
        ("1、痛苦:从问题到目标的推动力", 0),  # an explanation, not a heading
        ("还有呢?", 0),
    ],
)
def test_heading_levels_follow_the_books_numbering(line: str, level: int) -> None:
    assert heading_level(line) == level


def test_split_round_trips_a_small_text(tmp_path: Path) -> None:
    text = "书名\n第一篇 甲\n第一章 乙\n第一节 丙\n一、丁\n内容一\n1、小项\n内容二\n第二篇 戊\n内容三\n"
    files = split_notes(text)
    lines = [line for f in files for line in source_lines(f.text)]
    assert [x for x in lines if x != "导读"] == [x for x in text.splitlines() if x]
    assert [f.name for f in files] == ["00-导读.md", "01-第一篇-甲.md", "02-第二篇-戊.md"]
