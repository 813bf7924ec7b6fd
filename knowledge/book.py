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
    """One retrievable passage of the book. A `heading` passage holds nothing but the title of a heading
    that has no lines under it (障碍五:竞争…, 八、刻意练习): searchable, never cited."""

    id: str
    section: str
    text: str
    order: int
    heading: bool = False

    @property
    def headings(self) -> list[str]:
        return self.section.split(SEPARATOR)


def _passage_id(section: str, text: str) -> str:
    return hashlib.blake2b(f"{section}\n{text}".encode(), digest_size=8).hexdigest()


Block = tuple[tuple[str, ...], str | None, list[str]]


def _blocks(markdown: str) -> list[Block]:
    """(heading path, numbered item or None, lines) for each heading and the lines under it (maybe none)."""
    path: dict[int, str] = {}
    blocks: list[Block] = []
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
    return blocks


def parse_markdown(markdown: str, *, start_order: int = 0, merge: bool = True) -> list[Passage]:
    """Cut one Markdown file of the book into passages, following its headings.

    Small neighbouring blocks under the same topic are merged (a lone "3、行动承诺是行动不是语言" cites
    poorly); a long block is cut into pieces of at most MAX_PASSAGE_CHARS. The section names the numbered
    item only when the passage holds a single one. A heading with no lines and no heading under it gets a
    `heading` passage of its own title, so that every heading of the book can be found. With `merge=False`
    no blocks are merged: every numbered item is a passage of its own whose section names it (the search
    index uses these, so that each heading of the table of contents is some passage's section).
    """
    entries: list[tuple[tuple[str, ...], str, str, bool]] = []  # (path, section, text, heading)

    def add(path: tuple[str, ...], items: list[str | None], lines: list[str]) -> None:
        heads = list(path) + ([items[0]] if len(items) == 1 and items[0] else [])
        entries.append((path, SEPARATOR.join(heads), "\n".join(lines), False))

    blocks = _blocks(markdown)
    current: tuple[tuple[str, ...], list[str | None], list[str]] | None = None
    for path, item, lines in blocks:
        if not lines:
            if current:
                add(*current)
                current = None
            entries.append((path, SEPARATOR.join(path), path[-1], True))
            continue
        size = sum(len(x) for x in lines)
        if (
            merge
            and current
            and current[0] == path
            and sum(len(x) for x in current[2]) + size <= MAX_PASSAGE_CHARS
            and (size < MIN_PASSAGE_CHARS or sum(len(x) for x in current[2]) < MIN_PASSAGE_CHARS)
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
    # A heading is covered when a passage sits under it (or under a heading below it).
    covered = {
        path[:n] for path, _, _, heading in entries for n in range(1, len(path) + (0 if heading else 1))
    }
    kept = [e for e in entries if not e[3] or e[0] not in covered]
    return [
        Passage(_passage_id(section, text), section, text, start_order + i, heading)
        for i, (_, section, text, heading) in enumerate(kept)
    ]


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
def load_passages(book_dir: Path = BOOK_DIR, *, merge: bool = True) -> tuple[Passage, ...]:
    """Every passage of the book, in book order (`merge`: see `parse_markdown`; citations use merged ones)."""
    passages: list[Passage] = []
    for path in book_files(book_dir):
        passages.extend(
            parse_markdown(path.read_text(encoding="utf-8"), start_order=len(passages), merge=merge)
        )
    return tuple(passages)
