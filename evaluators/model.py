"""Plain data types shared by the classifier, the scorer, the customer engine and the server.

They are frozen dataclasses (not pydantic) so that the fast CLI path (`peilian classify`, `peilian score`)
imports nothing heavy. The JSON shapes are the ones fixed in CONTRACT.md §1, §3 and §4.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Act = Literal["exploratory", "control", "confirmation", "extension", "commitment", "pitch", "statement"]
Focus = Literal["process", "expectation", "need", "motive"]
Form = Literal["plain", "paraphrase", "summary"]

ACTS: tuple[str, ...] = (
    "exploratory",
    "control",
    "confirmation",
    "extension",
    "commitment",
    "pitch",
    "statement",
)
QUESTION_ACTS: frozenset[str] = frozenset(
    {"exploratory", "control", "confirmation", "extension", "commitment"}
)
ELEMENT_NAMES: tuple[str, ...] = ("time", "people", "action", "benefit")


@dataclass(frozen=True, slots=True)
class Elements:
    """The four elements of an action commitment (行动承诺四要素) that an ask names."""

    time: bool = False
    people: bool = False
    action: bool = False
    benefit: bool = False

    def missing(self) -> list[str]:
        return [name for name in ELEMENT_NAMES if not getattr(self, name)]

    def count(self) -> int:
        return sum(getattr(self, name) for name in ELEMENT_NAMES)

    def to_dict(self) -> dict[str, bool]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Classification:
    """The dialogue act of one rep message (CONTRACT.md §1).

    `focus` is set only for `exploratory`, `form` only for `confirmation`, `elements` only for `commitment`.
    `is_question` says whether the message contains a question at all (used by the golden-silence rules).
    `rules` names the rules that fired, for explanations in the UI and for debugging.
    """

    act: str
    focus: str | None = None
    form: str | None = None
    elements: Elements | None = None
    is_question: bool = False
    rules: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        """The contract shape: act, focus, form, elements (null where they do not apply)."""
        return {
            "act": self.act,
            "focus": self.focus,
            "form": self.form,
            "elements": self.elements.to_dict() if self.elements is not None else None,
        }
