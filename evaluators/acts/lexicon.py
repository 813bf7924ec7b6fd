"""Load the classifier's lexicons (evaluators/lexicons/*.yaml) and compile them into regexes, once.

File format (every file is optional except the ones a module asks for):

```yaml
macros:                 # shared fragments, usable as {NAME} (upper-case names) in any pattern of any file
  YOU: '(?:您|你们|你)'
rules:
  exploratory_need_obstacle:          # rule name = the book's term; it is reported in Classification.rules
    doc: 障碍 — why a business problem happens
    tag: need                         # free label the module uses (a focus, a form, a category...)
    weight: 3                         # optional, default 1
    max_hits: 2                       # optional: how many distinct matches may count (default 1)
    words: [卡脖子, 瓶颈]              # literal phrases (escaped)
    patterns: ['(什么|哪些)原因']      # regular expressions (Python `re`)
    unless: ['帮我']                  # optional: the rule does not fire where one of these matches
```

A trainer extends the classifier by adding words or patterns; nothing in the code needs to change.
All alternatives of a rule compile into one regex, so a rule costs one `search` per text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicons"
_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader parses ~10x faster


@dataclass(frozen=True, slots=True)
class Rule:
    """One named, compiled rule. `fires(text)` is True when a pattern matches and no `unless` does.

    `regex` is the whole rule as one alternation (for `sub`); `parts` are the same alternatives compiled
    one by one, which `search` faster: a lone pattern keeps its literal-prefix scan, a big alternation
    does not.
    """

    name: str
    regex: re.Pattern[str]
    parts: tuple[re.Pattern[str], ...] = ()
    unless: re.Pattern[str] | None = None
    tag: str | None = None
    weight: int = 1
    max_hits: int = 1
    doc: str = ""

    def fires(self, text: str) -> bool:
        for part in self.parts:
            if part.search(text) is not None:
                return self.unless is None or self.unless.search(text) is None
        return False

    def hits(self, text: str) -> int:
        """Distinct matching phrases, at most `max_hits` (0 when an `unless` pattern matches)."""
        if self.max_hits == 1 or (self.unless is not None and self.unless.search(text)):
            return int(self.fires(text))
        found = {m.group(0) for part in self.parts for m in part.finditer(text)}
        return min(len(found), self.max_hits)

    def find(self, text: str) -> re.Match[str] | None:
        """The earliest match (ignores `unless`; callers that need it use `fires`)."""
        matches = [m for part in self.parts if (m := part.search(text)) is not None]
        return min(matches, key=lambda m: m.start(), default=None)


def _read(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: top level must be a mapping")
    return data


def read_file(name: str) -> dict[str, Any]:
    """The raw mapping of `lexicons/<name>.yaml` (for loaders of structured sections beyond `rules:`)."""
    return _read(LEXICON_DIR / f"{name}.yaml")


@cache
def macros() -> dict[str, str]:
    """All `macros:` of all lexicon files, fully expanded; a macro may use any other (no cycles)."""
    raw: dict[str, tuple[str, str]] = {}
    for path in sorted(LEXICON_DIR.glob("*.yaml")):
        for name, value in (_read(path).get("macros") or {}).items():
            if str(name) in raw:
                raise ValueError(f"{path.name}: macro {name} already defined in {raw[str(name)][1]}")
            raw[str(name)] = (str(value), path.name)
    out: dict[str, str] = {}

    def resolve(name: str, stack: tuple[str, ...]) -> str:
        if name in out:
            return out[name]
        if name in stack:
            raise ValueError(f"macro cycle: {' -> '.join(stack + (name,))}")
        value, where = raw[name]

        def sub(m: re.Match[str]) -> str:
            if m.group(1) not in raw:
                raise KeyError(f"{where}: unknown macro {{{m.group(1)}}}")
            return resolve(m.group(1), stack + (name,))

        out[name] = _MACRO.sub(sub, value)
        return out[name]

    for name in raw:
        resolve(name, ())
    return out


def _expand(pattern: str, table: dict[str, str], where: str) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in table:
            raise KeyError(f"{where}: unknown macro {{{m.group(1)}}}")
        return table[m.group(1)]

    return _MACRO.sub(sub, pattern)


def compile_alternatives(words: list[str], patterns: list[str], where: str) -> re.Pattern[str] | None:
    """One regex for literal `words` plus regex `patterns` (macros expanded); None when both are empty."""
    table = macros()
    # Longest literals first so that the alternation prefers the most specific phrase.
    alts = [re.escape(str(w)) for w in sorted(words, key=len, reverse=True)]
    alts += [_expand(str(p), table, where) for p in patterns]
    if not alts:
        return None
    try:
        return re.compile("|".join(f"(?:{a})" for a in alts))
    except re.error as exc:
        raise ValueError(f"{where}: bad pattern: {exc}") from exc


@cache
def rules(file: str) -> dict[str, Rule]:
    """The rules of `lexicons/<file>.yaml`, compiled, in file order. Cached: loaded once per process."""
    path = LEXICON_DIR / f"{file}.yaml"
    out: dict[str, Rule] = {}
    for name, spec in (_read(path).get("rules") or {}).items():
        if not isinstance(spec, dict):
            raise ValueError(f"{path.name}: rule {name} must be a mapping")
        where = f"{path.name}:{name}"
        regex = compile_alternatives(spec.get("words") or [], spec.get("patterns") or [], where)
        if regex is None:
            raise ValueError(f"{where}: no words or patterns")
        unless = compile_alternatives([], spec.get("unless") or [], where)
        parts = [compile_alternatives(spec.get("words") or [], [], where)]
        parts += [compile_alternatives([], [p], where) for p in spec.get("patterns") or []]
        out[str(name)] = Rule(
            name=str(name),
            regex=regex,
            parts=tuple(p for p in parts if p is not None),
            unless=unless,
            tag=spec.get("tag"),
            weight=int(spec.get("weight", 1)),
            max_hits=int(spec.get("max_hits", 1)),
            doc=str(spec.get("doc", "")),
        )
    return out


def rule(file: str, name: str) -> Rule:
    """One rule by name; a KeyError names the file when it is missing."""
    try:
        return rules(file)[name]
    except KeyError:
        raise KeyError(f"lexicons/{file}.yaml has no rule {name!r}") from None
