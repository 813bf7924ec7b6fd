"""The real-utterance corpus (tests/evaluators/data/corpus/): every line is a valid CONTRACT §1 label with its
source, and the frozen blind split has not been edited since it was frozen (blind.manifest)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from evaluators.model import ACTS, ELEMENT_NAMES

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "evaluators" / "data" / "corpus"
FOCI = {"process", "expectation", "need", "motive"}
FORMS = {"plain", "paraphrase", "summary"}


def _bench():
    spec = importlib.util.spec_from_file_location("corpus_eval", ROOT / "benchmarks" / "corpus_eval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lines() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append((path.name, json.loads(line)))
    return out


def test_every_line_is_a_contract_label_with_a_source() -> None:
    lines = _lines()
    assert len(lines) >= 600
    seen: set[str] = set()
    for name, item in lines:
        where = f"{name}:{item.get('id')}"
        assert item["id"] not in seen, f"{where}: duplicate id"
        seen.add(item["id"])
        assert isinstance(item["text"], str) and item["text"].strip(), where
        assert item.get("source"), f"{where}: no source"
        assert item["act"] in ACTS, where
        assert (item["focus"] in FOCI) == (item["act"] == "exploratory"), where
        assert (item["form"] in FORMS) == (item["act"] == "confirmation"), where
        if item["act"] == "commitment":
            assert set(item["elements"]) == set(ELEMENT_NAMES), where
        else:
            assert item["elements"] is None, where


def test_real_lines_come_from_many_sources_and_industries() -> None:
    real = [item for name, item in _lines() if name.startswith("real")]
    assert len({item["source"] for item in real}) >= 40
    assert len({item["industry"] for item in real}) >= 15


def test_frozen_blind_lines_are_unchanged() -> None:
    bench = _bench()
    manifest = dict(
        line.split("\t")
        for line in (CORPUS / "blind.manifest").read_text(encoding="utf-8").splitlines()
        if line
    )
    items = {item["id"]: item for _, item in _lines()}
    for ident, digest in manifest.items():
        assert ident in items, f"blind line {ident} was removed"
        assert bench.is_blind(items[ident]), f"blind line {ident} moved to the tune split"
        assert bench.digest(items[ident]) == digest, f"blind line {ident} was edited after freezing"


@pytest.mark.parametrize("split", ["tune", "blind"])
def test_benchmark_scores_each_split(split: str) -> None:
    bench = _bench()
    items = bench.load()[split][:20]
    figures, _ = bench.evaluate(
        items, lambda text: {"act": "statement", "focus": None, "form": None, "elements": None}
    )
    assert figures["n"] == len(items) and 0.0 <= figures["accuracy"] <= 1.0
