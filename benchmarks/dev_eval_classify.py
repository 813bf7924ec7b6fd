#!/usr/bin/env python3
"""Score evaluators.classify in process on a labelled JSONL set (default: the shared dev set).

    .venv/bin/python benchmarks/dev_eval_classify.py                       # ../shared/dev/utterances.jsonl
    .venv/bin/python benchmarks/dev_eval_classify.py tests/evaluators/data/acts.jsonl --errors 50

Same figures as ../shared/tools/evalset.py --only utterances (act macro-F1, focus and form accuracy,
commitment-elements F1), without going through the CLI. The dev set is a held-out check: never copy its
sentences into lexicons or tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluators.classify_eval import evaluate, load_jsonl  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="?", default=str(ROOT.parent / "shared" / "dev" / "utterances.jsonl"))
    ap.add_argument("--errors", type=int, default=25, help="how many misclassified items to print")
    args = ap.parse_args()
    report = evaluate(load_jsonl(args.data))
    print(report.summary())
    for line in report.errors[: args.errors]:
        print("  " + line)
    if len(report.errors) > args.errors:
        print(f"  … and {len(report.errors) - args.errors} more")
    return 0


if __name__ == "__main__":
    sys.exit(main())
