"""The book as passages: read `knowledge/book/*.md` and cut it along its headings.

Contract: a passage never straddles two 节 (or two 一、 topics); its `section` is the full heading path
("第三篇 引导期望 / 第三章 引导期望的技巧 / 第四节 倾听技巧 / 三、原则三:让客户把话说完"), and its `text`
holds the source lines verbatim, joined by newlines. Pure Python and cheap: the fast CLI paths and the
evaluators' citations use it without importing Chroma.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

BOOK_DIR = Path(__file__).resolve().parent / "book"
SEPARATOR = " / "
# A passage is cut at a numbered item heading (#####) or when it grows past this many characters:
# small passages rank sharply and read well as a citation.
MAX_PASSAGE_CHARS = 360
MIN_PASSAGE_CHARS = 80


@dataclass(frozen=True, slots=True)
class Passage:
    """One retrievable passage of the book."""

    id: str
    section: str
    text: str
    order: int

    @property
    def headings(self) -> list[str]:
        return self.section.split(SEPARATOR)


def _passage_id(section: str, text: str) -> str:
    return hashlib.blake2b(f"{section}\n{text}".encode(), digest_size=8).hexdigest()


def _blocks(markdown: str) -> list[tuple[tuple[str, ...], str | None, list[str]]]:
    """(heading path, numbered item or None, lines) for each run of lines under one heading."""
    path: dict[int, str] = {}
    blocks: list[tuple[tuple[str, ...], str | None, list[str]]] = []
    for line in markdown.splitlines():
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            title = line[level:].strip()
            if level == 5:
                # A numbered item heads its block and is also part of its text (it is a line of the notes).
                blocks.append((tuple(path[k] for k in sorted(path)), title, [title]))
                continue
            for deeper in [k for k in path if k >= level]:
                del path[deeper]
            path[level] = title
            blocks.append((tuple(path[k] for k in sorted(path)), None, []))
        elif line.startswith("- ") and blocks:
            blocks[-1][2].append(line[2:])
    return [b for b in blocks if b[2]]


def parse_markdown(markdown: str, *, start_order: int = 0) -> list[Passage]:
    """Cut one Markdown file of the book into passages, following its headings.

    Small neighbouring blocks under the same topic are merged (a lone "3、行动承诺是行动不是语言" cites
    poorly); a long block is cut into pieces of at most MAX_PASSAGE_CHARS. The section names the numbered
    item only when the passage holds a single one.
    """
    passages: list[Passage] = []

    def add(path: tuple[str, ...], items: list[str | None], lines: list[str]) -> None:
        heads = list(path) + ([items[0]] if len(items) == 1 and items[0] else [])
        section = SEPARATOR.join(heads)
        text = "\n".join(lines)
        passages.append(Passage(_passage_id(section, text), section, text, start_order + len(passages)))

    current: tuple[tuple[str, ...], list[str | None], list[str]] | None = None
    for path, item, lines in _blocks(markdown):
        size = sum(len(x) for x in lines)
        if current and current[0] == path and sum(len(x) for x in current[2]) + size <= MAX_PASSAGE_CHARS and (
            size < MIN_PASSAGE_CHARS or sum(len(x) for x in current[2]) < MIN_PASSAGE_CHARS
        ):
            current[1].append(item)
            current[2].extend(lines)
            continue
        if current:
            add(*current)
        current = None
        piece: list[str] = []
        for line in lines:
            if piece and sum(len(x) for x in piece) + len(line) > MAX_PASSAGE_CHARS:
                add(path, [item], piece)
                piece = []
            piece.append(line)
        current = (path, [item], piece)
    if current:
        add(*current)
    return passages


def book_files(book_dir: Path = BOOK_DIR) -> list[Path]:
    """The Markdown files of the book, in book order (their names start with the 篇 number)."""
    return sorted(book_dir.glob("*.md"))


def fingerprint(book_dir: Path = BOOK_DIR) -> str:
    """A hash of the book's text: the index is stale when this changes."""
    digest = hashlib.blake2b(digest_size=12)
    for path in book_files(book_dir):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=4)
def load_passages(book_dir: Path = BOOK_DIR) -> tuple[Passage, ...]:
    """Every passage of the book, in book order."""
    passages: list[Passage] = []
    for path in book_files(book_dir):
        passages.extend(parse_markdown(path.read_text(encoding="utf-8"), start_order=len(passages)))
    return tuple(passages)
