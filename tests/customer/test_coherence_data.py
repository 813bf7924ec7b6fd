"""The blind coherence rounds are complete: every item the reader saw has one label, and the key says which
engine gave it (benchmarks/coherence_figures.py reads them)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "customer" / "data" / "coherence"
ROUNDS = sorted(p.name[: -len("_key.tsv")] for p in DATA.glob("round[3-9]_*_key.tsv"))


@pytest.mark.parametrize("stem", ROUNDS)
def test_every_item_has_one_label_and_a_key(stem: str) -> None:
    items = [
        json.loads(x)["id"] for x in (DATA / f"{stem}_items.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    labels = [json.loads(x) for x in (DATA / f"{stem}_labels.jsonl").read_text(encoding="utf-8").splitlines()]
    with (DATA / f"{stem}_key.tsv").open(encoding="utf-8") as fh:
        key = {row["id"]: row["phases"] for row in csv.DictReader(fh, delimiter="\t")}
    assert sorted(items) == sorted(r["id"] for r in labels) == sorted(key)
    assert {r["label"] for r in labels} <= {"coherent", "odd", "incoherent"}
    assert all(set(p.split(",")) <= {"before", "after", "final"} for p in key.values())


def test_the_figures_script_reads_every_round() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import coherence_figures

    for name in {s.split("_")[0] for s in ROUNDS}:
        fig = coherence_figures.figures(name)
        assert fig and all(0 <= f["coherent"] <= 1 for phases in fig.values() for f in phases.values())
