"""Score the blind transcripts (tests/evaluators/data/transcripts_blind/{tune,holdout}/*.json) and count how many
expected findings were found and how many unexpected ones were rightly absent, per half.

    .venv/bin/python benchmarks/blind_eval_transcripts.py            # both halves, both act sources
    .venv/bin/python benchmarks/blind_eval_transcripts.py -v         # also list every miss

Each case is `{"note", "transcript", "gold_acts", "expect_present", "expect_absent"}`. The cases were written
independently of the scorer (other industries and phrasings than tests/evaluators/data/transcripts/), with
expectations that follow from CONTRACT.md §4. Two runs per half:

- `real`: the acts come from the project's classifier (evaluators/classify.py), as in production;
- `gold`: the acts come from the case's `gold_acts` list (one `act[:focus|form|elements]` per rep turn, in
  order; elements as letters t/p/a/b), so a miss there is the scorer's own rule, not the classifier.

A miss in `real` that is not in `gold` is the classifier's. The holdout half is for measuring only: rules are
tuned on `tune`. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluators.model import QUESTION_ACTS, Classification, Elements  # noqa: E402
from evaluators.scorecard import default_classifier, score_transcript  # noqa: E402

DATA = ROOT / "tests/evaluators/data/transcripts_blind"
HALVES = ("tune", "holdout")


def gold_label(spec: str) -> Classification:
    """'exploratory:motive', 'confirmation:summary', 'commitment:tpa', 'pitch' … as a Classification."""
    act, _, extra = spec.partition(":")
    return Classification(
        act,
        focus=(extra or "process") if act == "exploratory" else None,
        form=(extra or "plain") if act == "confirmation" else None,
        elements=Elements(*(c in extra for c in "tpab")) if act == "commitment" else None,
        is_question=act in QUESTION_ACTS,
    )


def gold_classifier(case: dict[str, Any]) -> Callable[[str], Classification]:
    """The case's `gold_acts`, matched to the rep turns in order (a rep text must not repeat with two labels)."""
    rep = [t["text"] for t in case["transcript"]["turns"] if t["speaker"] == "rep"]
    acts = case["gold_acts"]
    if len(acts) != len(rep):
        raise ValueError(f"gold_acts has {len(acts)} labels for {len(rep)} rep turns")
    table: dict[str, Classification] = {}
    for text, spec in zip(rep, acts, strict=True):
        if table.setdefault(text, gold_label(spec)) != gold_label(spec):
            raise ValueError(f"two gold labels for {text[:20]}")
    return table.__getitem__


@dataclass
class Tally:
    want: int = 0
    found: int = 0
    absent: int = 0
    kept: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, name: str, case: dict[str, Any], codes: set[str]) -> None:
        present, absent = case.get("expect_present", []), case.get("expect_absent", [])
        missed = [c for c in present if c not in codes]
        wrong = [c for c in absent if c in codes]
        self.want += len(present)
        self.found += len(present) - len(missed)
        self.absent += len(absent)
        self.kept += len(absent) - len(wrong)
        if missed or wrong:
            self.misses.append(f"    {name}: missed {missed} false {wrong}")

    def line(self) -> str:
        return f"expected found {self.found}/{self.want}, rightly absent {self.kept}/{self.absent}"


def load(half: str) -> list[tuple[str, dict[str, Any]]]:
    return [(p.stem, json.loads(p.read_text(encoding="utf-8"))) for p in sorted((DATA / half).glob("*.json"))]


def run(half: str, source: str) -> Tally:
    tally = Tally()
    real = default_classifier()
    for name, case in load(half):
        classifier = gold_classifier(case) if source == "gold" else real
        card = score_transcript(case["transcript"], classifier=classifier, cite=lambda q, h: None)
        tally.add(name, case, {f["code"] for f in card["findings"]})
    return tally


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-v", "--verbose", action="store_true", help="list the cases with misses")
    ap.add_argument("--half", choices=HALVES)
    args = ap.parse_args()
    for half in (args.half,) if args.half else HALVES:
        n = len(load(half))
        for source in ("real", "gold"):
            tally = run(half, source)
            print(f"{half:8s} ({n} cases) acts={source}: {tally.line()}")
            if args.verbose:
                print("\n".join(tally.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
