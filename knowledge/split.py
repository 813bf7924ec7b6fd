"""Split the flat book notes into one Markdown file per 篇, with the heading levels made explicit.

The notes are a mind map flattened to lines: headings and content look alike. The levels are recovered
from the book's numbering (篇 / 章 / 节 / 一、 / 1、); every source line is kept verbatim, in order, either
as a heading (`#` … `#####`) or as a list item (`- `), so `source_lines(markdown)` gives the notes back.
Used once to create `knowledge/book/*.md` and again whenever a trainer imports revised notes
(`peilian knowledge import-notes`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN_NUM = "一二三四五六七八九十"
_PART = re.compile(rf"^第[{_CN_NUM}]+篇")
_CHAPTER = re.compile(rf"^第[{_CN_NUM}]+章")
_SECTION = re.compile(rf"^第[{_CN_NUM}]+节")
# 一、… / 原则一:… / 障碍一:… mark the level under a 节.
_TOPIC = re.compile(rf"^([{_CN_NUM}]+、|(原则|障碍)[{_CN_NUM}]+[::])")
# 1、探索流程类提问 — a short numbered line with no explanation after a colon heads its own list.
_ITEM = re.compile(r"^\d{1,2}[、.]\s*\S")
_ITEM_MAX_CHARS = 22
_PART_NUMBERS = {c: i for i, c in enumerate(_CN_NUM, start=1)}

PREFACE_TITLE = "导读"
# The notes' few unnumbered headings: 第二篇 第二章 has no 第一节, and these three stand in for it (level 3),
# so that 障碍一…五 sit under 客户为什么不见你 and 1、准备…5、控制谈话 under 因价值而见.
UNNUMBERED_SECTIONS = frozenset({"客户为什么不见你", "因价值而见", "约访操作分析"})


@dataclass(frozen=True)
class BookFile:
    """One Markdown file of the book: its file name and its text."""

    name: str
    text: str


def heading_level(line: str) -> int:
    """The Markdown heading level a line of the notes takes, or 0 for content."""
    if _PART.match(line):
        return 1
    if _CHAPTER.match(line):
        return 2
    if _SECTION.match(line) or line in UNNUMBERED_SECTIONS:
        return 3
    if _TOPIC.match(line):
        return 4
    if _ITEM.match(line) and len(line) <= _ITEM_MAX_CHARS and not re.search("[::,,。;;]", line):
        return 5
    return 0


def split_notes(text: str) -> list[BookFile]:
    """Turn the notes into Markdown files, one per 篇 named by its number (book order), plus a preface."""
    groups: list[tuple[int, str, list[str]]] = [(0, PREFACE_TITLE, [f"# {PREFACE_TITLE}"])]
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        level = heading_level(line)
        if level == 1:
            number = _PART_NUMBERS.get(line[1], len(groups))
            groups.append((number, line, []))
        groups[-1][2].append(f"{'#' * level} {line}" if level else f"- {line}")
    files = []
    for number, title, lines in sorted(groups, key=lambda g: g[0]):
        slug = re.sub(r"\s+", "-", title)
        files.append(BookFile(name=f"{number:02d}-{slug}.md", text="\n".join(lines) + "\n"))
    return files


def source_lines(markdown: str) -> list[str]:
    """The lines of the notes a Markdown file holds, markup removed (the inverse of `split_notes`)."""
    out = []
    for line in markdown.splitlines():
        if line.startswith("#"):
            out.append(line.lstrip("#").strip())
        elif line.startswith("- "):
            out.append(line[2:])
    return out
