"""The structured cues of evaluators/lexicons/cues.yaml (intro parts, meeting length, times, triggers), compiled
once per process. Macros are the one table of all lexicon files (`evaluators.acts.lexicon.macros`), so a time,
a surname or "you" means the same thing to the classifier, the scorer and the customer.

A `Matcher` is a list of regex alternatives plus `unless` vetoes: `find(text)` returns the first match that
does not overlap a veto.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from evaluators.acts import lexicon as shared

_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class Matcher:
    """Alternatives and vetoes. `find` ignores a match that overlaps a veto match and looks further."""

    regex: re.Pattern[str]
    unless: re.Pattern[str] | None = None

    def find(self, text: str) -> re.Match[str] | None:
        vetoes = [m.span() for m in self.unless.finditer(text)] if self.unless else []
        for match in self.regex.finditer(text):
            start, end = match.span()
            if not any(start < v_end and v_start < end for v_start, v_end in vetoes):
                return match
        return None

    def search(self, text: str) -> bool:
        return self.find(text) is not None


@dataclass(frozen=True, slots=True)
class NameRule:
    """How a full name is recognised (see `findings.appointment.has_full_name`)."""

    surnames: frozenset[str]
    compound_surnames: tuple[str, ...]
    stop_chars: frozenset[str]
    preceders: frozenset[str]
    followers: tuple[str, ...]
    nickname_prefixes: frozenset[str]


@dataclass(frozen=True, slots=True)
class OrgRule:
    """How an organisation without a usual suffix is recognised (see `reading.intro.names_organisation`).

    `places` find a candidate (group `org`); `prefix` and `tail` are cut off it (self marker; units, regions,
    functions); `reject` vetoes what is left (a duty or a phrase, not a name).
    """

    places: tuple[re.Pattern[str], ...]
    prefix: re.Pattern[str]
    tail: re.Pattern[str]
    reject: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Every compiled lexicon the rules use; built by `lexicon()`."""

    self_markers: tuple[str, ...]
    greeting: re.Pattern[str]
    company: Matcher
    organisation: OrgRule
    title: Matcher
    name: NameRule
    purpose: Matcher
    duration: re.Pattern[str]
    meeting_context: Matcher
    clause_end: re.Pattern[str]
    choice_of_times: Matcher
    time: re.Pattern[str]
    put_off: Matcher
    triggers: dict[str, tuple[str, Matcher]]
    cue_rules: dict[str, Matcher]
    personal_words: tuple[str, ...]


def _expand(pattern: str, table: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in table:
            raise KeyError(f"lexicon.yaml: unknown macro {{{m.group(1)}}}")
        return table[m.group(1)]

    return _MACRO.sub(sub, pattern)


def _regex(patterns: list[str], table: dict[str, str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{_expand(str(p), table)})" for p in patterns))


def _matcher(spec: dict[str, Any] | list[str], table: dict[str, str]) -> Matcher:
    if isinstance(spec, list):
        spec = {"patterns": spec}
    unless = spec.get("unless") or []
    return Matcher(_regex(spec["patterns"], table), _regex(unless, table) if unless else None)


def _rule_matcher(spec: dict[str, Any], table: dict[str, str]) -> Matcher:
    words = [re.escape(str(w)) for w in sorted(spec.get("words") or [], key=len, reverse=True)]
    return Matcher(
        _regex(words + list(spec.get("patterns") or []), table),
        _regex(spec["unless"], table) if spec.get("unless") else None,
    )


@cache
def lexicon() -> Lexicon:
    """Load and compile evaluators/lexicons/cues.yaml (cached: once per process)."""
    data = shared.read_file("cues")
    table = shared.macros()
    intro, name = data["intro"], data["intro"]["name"]
    rules = {str(k): v for k, v in (data.get("rules") or {}).items()}
    return Lexicon(
        self_markers=tuple(intro["self_markers"]),
        greeting=re.compile(intro["greeting"]),
        company=_matcher(intro["company"], table),
        organisation=OrgRule(
            places=tuple(re.compile(_expand(str(p), table)) for p in intro["organisation"]),
            prefix=re.compile(_expand(str(intro["org_prefix"]), table)),
            tail=re.compile(_expand(str(intro["org_tail"]), table)),
            reject=re.compile(_expand(str(intro["org_not"]), table)),
        ),
        title=_matcher(intro["title"], table),
        name=NameRule(
            surnames=frozenset(table["SURNAME"].strip("[]")),
            compound_surnames=tuple(name["compound_surnames"]),
            stop_chars=frozenset(name["stop_chars"]),
            preceders=frozenset(name["preceders"]),
            followers=tuple(name["followers"]),
            nickname_prefixes=frozenset(name["nickname_prefixes"]),
        ),
        purpose=_matcher(intro["purpose"], table),
        duration=_regex([data["meeting_length"]["duration"]], table),
        meeting_context=_matcher(data["meeting_length"]["meeting_context"], table),
        clause_end=re.compile(table["CLAUSE_END"]),
        choice_of_times=_matcher(data["choice_of_times"], table),
        time=_regex([data["tentative"]["time"]], table),
        put_off=_matcher(data["tentative"]["put_off"], table),
        triggers={
            key: (str(spec["label"]), _matcher(spec["patterns"], table))
            for key, spec in data["interest_triggers"].items()
        },
        cue_rules={key: _rule_matcher(spec, table) for key, spec in rules.items()},
        personal_words=tuple(str(w) for w in rules["cue_personal"].get("words") or []),
    )
