"""Figures of a blind coherence round (tests/customer/data/coherence/roundN_*): per engine phase, the share of
customer replies an independent reader judged coherent / odd / incoherent.

    .venv/bin/python benchmarks/coherence_figures.py [--round round3] [--json]

A round mixes the replies of two engines (`before` and a later one) on the same frozen conversations, shuffled,
judged by one reader who saw neither engine; a reply both engines gave is judged once and counts for both. The
key (`roundN_<set>_key.tsv`) says which engine gave each item; the reader saw only `roundN_<set>_items.jsonl`.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "customer" / "data" / "coherence"
LABELS = ("coherent", "odd", "incoherent")


def figures(round_name: str) -> dict[str, dict[str, dict[str, float]]]:
    out: dict[str, dict[str, dict[str, float]]] = {}
    for key_file in sorted(DATA.glob(f"{round_name}_*_key.tsv")):
        part = key_file.name[len(round_name) + 1 : -len("_key.tsv")]
        labels_file = DATA / f"{round_name}_{part}_labels.jsonl"
        labels = {
            row["id"]: row["label"]
            for row in map(json.loads, labels_file.read_text(encoding="utf-8").splitlines())
        }
        phases: dict[str, Counter[str]] = {}
        with key_file.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                for phase in row["phases"].split(","):
                    phases.setdefault(phase, Counter())[labels[row["id"]]] += 1
        out[part] = {
            phase: {"n": sum(c.values()), **{k: round(c[k] / sum(c.values()), 3) for k in LABELS}}
            for phase, c in phases.items()
        }
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--round", default="round3")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    fig = figures(args.round)
    if args.json:
        print(json.dumps(fig, ensure_ascii=False))
        return 0
    for part, phases in fig.items():
        for phase, f in phases.items():
            shares = "  ".join(f"{k} {f[k]:.1%}" for k in LABELS)
            print(f"{args.round} {part:4s} {phase:8s} n={f['n']:<4d} {shares}")
    print("target: coherent ≥ 90%, incoherent ≤ 3%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
