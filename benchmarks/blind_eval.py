#!/usr/bin/env python3
"""Score evaluators.classify on the blind sets (tests/evaluators/data/blind/{A,B,C}.jsonl).

    .venv/bin/python benchmarks/blind_eval.py                 # figures for A, B, C and A+B
    .venv/bin/python benchmarks/blind_eval.py --errors A      # also list A's misclassified items

The three sets were written before the rules were tuned, in industries and registers the project's own
data does not cover. A and B are the TUNING sets (their errors guide new rules); C is HELD OUT: this script
refuses to list C's errors, so that nobody tunes on it by accident.
Figures per set: act accuracy, macro-F1, per-act F1, focus accuracy (gold exploratory), form accuracy
(gold confirmation), commitment-elements F1 (mean of the four, and each).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluators.classify_eval import EvalReport, evaluate, load_jsonl  # noqa: E402

BLIND = ROOT / "tests" / "evaluators" / "data" / "blind"
TUNED = ("A", "B")
HELD_OUT = ("C",)


def report_for(names: tuple[str, ...]) -> EvalReport:
    items = [it for n in names for it in load_jsonl(BLIND / f"{n}.jsonl")]
    return evaluate(items)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--errors", choices=TUNED, action="append", default=[], help="list errors of a tuning set"
    )
    args = ap.parse_args()
    for names, label in ((("A",), "tuned"), (("B",), "tuned"), (("C",), "HELD OUT"), (TUNED, "tuned")):
        r = report_for(names)
        print(f"== set {'+'.join(names)} ({label}) ==")
        print(r.summary())
        if len(names) == 1 and names[0] in args.errors:
            for line in r.errors:
                print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
