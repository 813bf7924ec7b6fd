"""Normalise a chat message, split it into sentences, and tell which sentences are questions.

Contracts:
- `normalize` maps full-width ASCII punctuation, letters and digits to half-width (？→?, ，→,, ！→!),
  traditional characters to simplified ones (lexicons/t2s.txt: 們→们, 週→周), turns "..." into "…", and
  collapses whitespace. Chinese 。、 stay as they are.
- `split` returns the non-empty sentences in order; a sentence ends at 。!?;…~, a newline, or a "." that
  is not a decimal point or a list number. A space between two Chinese characters reads as a comma: chat
  writers use spaces for the pauses of one utterance ("我确认一下 你们要的是四驱的 对吧"), and cutting
  there would part a verification tag or a proposal from what it is about.
- `is_question` is True for a sentence with a "?", or with an interrogative cue (wh-word, A-not-A,
  final 吗/嘛/么/呢/吧, 还是-choice, a request to tell something) once question-looking idioms are removed.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from evaluators.acts import lexicon


@cache
def _table() -> dict[int, int]:
    """Full-width → half-width ASCII, and traditional → simplified characters (one str.translate)."""
    table = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
    table.update({0x3000: 0x20, 0xFE56: ord("?"), 0xFE57: ord("!")})
    for line in (lexicon.LEXICON_DIR / "t2s.txt").read_text(encoding="utf-8").splitlines():
        if len(line) == 2 and not line.startswith("#"):
            table[ord(line[0])] = ord(line[1])
    return table


def to_simplified(text: str) -> str:
    """`text` with traditional characters (and full-width ASCII) mapped as `normalize` does."""
    return text.translate(_table())


_DOTS = re.compile(r"\.{2,}|…+|。{2,}")
# Chat decorations that carry tone, not words: emoji, WeChat codes ([捂脸]), kaomoji ((^_^), O(∩_∩)O).
_DECOR = re.compile(
    r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]+|\[[\u4e00-\u9fffA-Za-z]{1,4}\]"
    r"|[Oo]?\([^()\u4e00-\u9fffA-Za-z0-9]{1,8}\)[Oo]?|(?<![A-Za-z])orz(?![A-Za-z])|[TQ]_[TQ]|\^_?\^"
)
_SPACES = re.compile(r"\s+")
# Sentence = run of non-terminators + its terminators. "." ends a sentence unless a digit is on its left
# (0.1mm, "1.").
_SENTENCE = re.compile(r"(?:[^。!?;…~\n.]|(?<=\d)\.)+[。!?;…~\n.]*|[。!?;…~\n.]+")
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")
_TERMINATORS = "。!?;…~\n. ,"
_FILLER_START = re.compile(r"^[嗯哦噢啊, ]+")


def normalize(text: str) -> str:
    """Half-width punctuation, one space between words, no surrounding blanks (see module doc)."""
    text = _DECOR.sub(" ", text.translate(_table()))
    text = _DOTS.sub("…", text)
    return _SPACES.sub(" ", text).strip()


def split(text: str) -> list[str]:
    """Sentences of a normalised text, each with its own end punctuation (see module doc)."""
    text = _CJK_SPACE.sub(",", text)
    out = []
    for m in _SENTENCE.finditer(text):
        s = m.group(0).strip()
        if s.strip(_TERMINATORS):
            out.append(s)
        elif out:  # stray punctuation ("??") belongs to the sentence before
            out[-1] += s
    return out


@lru_cache(maxsize=2048)  # the same sentence is examined by several rules of one classification
def strip_idioms(sentence: str) -> str:
    """The sentence without the idioms that contain a question word but ask nothing (没什么, 好几家...)."""
    return lexicon.rule("questions", "question_exclude").regex.sub("", sentence)


def is_question(sentence: str) -> bool:
    """Does this one sentence ask something? (see module doc)."""
    if "?" in sentence:
        return True
    cue = lexicon.rule("questions", "question_cue")
    if not cue.fires(sentence):  # idioms only remove cues: no cue, no question (and no costly strip)
        return False
    core = strip_idioms(sentence)
    if not cue.fires(core):
        return False
    return not lexicon.rule("questions", "closing_ba").regex.search(_FILLER_START.sub("", core))
