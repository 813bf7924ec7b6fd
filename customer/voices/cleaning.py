"""Output hygiene for the LLM voice, incremental so that it works on a stream.

    cleaner = ReplyCleaner(own_labels=("王主任",), rep_labels=("销售",), soft_chars=60, max_chars=120)
    for chunk in stream:
        yield cleaner.feed(chunk)          # clean text as soon as it is safe to show
        if cleaner.done: break             # length cap reached, or the model began the rep's line
    yield cleaner.finish()                 # whatever was held back

Contract: the concatenation of everything `feed` and `finish` return is the cleaned reply, and it is the same
however the raw text was split into chunks. Cleaning removes a leading speaker label ("王主任:", also after a
line break), quotes, stage directions in brackets ((笑) 【叹气】 [pause] *sighs*), <think>…</think> blocks,
line breaks and surrounding whitespace. It stops at a line that starts with the rep's label ("销售:") and caps
the length: past `soft_chars` it stops at the next sentence end; at `max_chars` it cuts and trails off "……".
Text is held back only while it may still turn out to be a label or an opening tag, so a reply that does not
start like one streams with no delay.
"""

from __future__ import annotations

from collections.abc import Iterable

QUOTES = frozenset('"“”„「」『』‘’«»')
BRACKETS: dict[str, str] = {
    "（": "）",
    "(": ")",
    "[": "]",
    "【": "】",
    "〔": "〕",
    "**": "**",
    "*": "*",
    "<think>": "</think>",
}  # "**" before "*": a bold label is dropped whole
SENTENCE_END = frozenset("。！？!?…")
LEADING = frozenset(":：,，、;；.。-—~·")
TRAIL_OFF = "……"


class ReplyCleaner:
    """Cleans one reply; create a new one per reply. Not thread-safe."""

    def __init__(
        self,
        *,
        own_labels: Iterable[str] = (),
        rep_labels: Iterable[str] = (),
        soft_chars: int = 60,
        max_chars: int = 120,
    ) -> None:
        self._labels = [("own", label.lower()) for label in own_labels if label] + [
            ("rep", label.lower()) for label in rep_labels if label
        ]
        self.soft_chars = soft_chars
        self.max_chars = max(max_chars, soft_chars)
        self._pending = ""
        self._closer: str | None = None  # inside a stage direction: the text that ends it
        self._line_start = True  # a speaker label may still come
        self._space = False  # whitespace seen, emitted only if more text follows
        self._stopping = False  # past the soft cap at a sentence end: only more end marks may follow
        self._out: list[str] = []
        self._len = 0
        self.done = False

    @property
    def text(self) -> str:
        """The cleaned text so far."""
        return "".join(self._out)

    def feed(self, chunk: str) -> str:
        """Add raw model text; returns the cleaned text that is now safe to show ("" if none)."""
        if self.done or not chunk:
            return ""
        self._pending += chunk
        return self._drain(final=False)

    def finish(self) -> str:
        """The end of the raw text: returns what was held back, and marks the cleaner done."""
        out = "" if self.done else self._drain(final=True)
        self.done = True
        self._pending = ""
        return out

    # -- internals ---------------------------------------------------------------------------------------
    def _drain(self, *, final: bool) -> str:
        start = len(self._out)
        while self._pending and not self.done:
            if not self._step(final):
                break
        return "".join(self._out[start:])

    def _step(self, final: bool) -> bool:
        """Consume from the pending text; False when more raw text is needed to decide."""
        p = self._pending
        if self._closer is not None:
            idx = p.find(self._closer)
            if idx < 0:  # drop the direction's text, keep what may be the start of its closer
                keep = len(self._closer) - 1
                self._pending = "" if final or keep == 0 else p[-keep:]
                return False
            self._pending, self._closer = p[idx + len(self._closer) :], None
            return True
        for opener, closer in BRACKETS.items():
            if p.startswith(opener):
                self._pending, self._closer = p[len(opener) :], closer
                return True
            if len(opener) > 1 and opener.startswith(p) and not final:
                return False
        ch = p[0]
        if ch in QUOTES:
            self._pending = p[1:]
            return True
        if ch in "\r\n":
            self._pending, self._line_start, self._space = p[1:], True, False
            return True
        if self._line_start:
            if ch.isspace() or (ch in LEADING and not self._out):
                self._pending = p[1:]
                return True
            label = self._label(p)
            if label == "hold":
                if not final:
                    return False
            elif isinstance(label, tuple):
                kind, size = label
                self._pending = p[size:]
                self.done = kind == "rep"  # the model went on to write the rep's line
                return True
            self._line_start = False
        if ch.isspace():
            self._pending, self._space = p[1:], True
            return True
        self._pending = p[1:]
        self._emit(ch)
        return True

    def _label(self, text: str) -> tuple[str, int] | str | None:
        """("own" | "rep", length to drop) for a speaker label, "hold" while it may still become one."""
        low = text.lower()
        best: tuple[str, int] | None = None
        longest = 0
        hold = False
        for kind, label in self._labels:
            if low.startswith(label):
                after = low[len(label) :].lstrip(" \t")
                if not after:
                    hold = True
                elif after[0] in ":：" and len(label) > longest:  # "客户经理:" beats "客户"
                    best, longest = (kind, len(low) - len(after) + 1), len(label)
            elif label.startswith(low):
                hold = True
        return best or ("hold" if hold else None)

    def _emit(self, ch: str) -> None:
        if self._stopping and ch not in SENTENCE_END:
            self.done = True
            return
        if self._space and self._out:
            self._out.append(" ")
            self._len += 1
        self._space = False
        self._out.append(ch)
        self._len += 1
        if self._len >= self.max_chars and not self._stopping:
            if ch not in SENTENCE_END:
                self._out.append(TRAIL_OFF)
            self.done = True
        elif self._len >= self.soft_chars and ch in SENTENCE_END:
            self._stopping = True


def clean_reply(raw: str, **options: object) -> str:
    """The cleaned form of a whole reply (same rules as the streaming cleaner)."""
    cleaner = ReplyCleaner(**options)  # type: ignore[arg-type]
    return (cleaner.feed(raw) + cleaner.finish()).strip()
