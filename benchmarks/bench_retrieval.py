"""Retrieval quality of the book index: hit@3 and MRR@10 per question set, and per method variant.

    .venv/bin/python benchmarks/bench_retrieval.py                 # every set, the default method
    .venv/bin/python benchmarks/bench_retrieval.py --variants      # each piece of the method on and off
    .venv/bin/python benchmarks/bench_retrieval.py --misses        # also list the misses (never of a blind set)
    .venv/bin/python benchmarks/bench_retrieval.py --blind         # also the frozen blind set (totals only)
    .venv/bin/python benchmarks/bench_retrieval.py --set FILE ...  # other sets

A set is JSON Lines `{"query", "expect"}`; a hit is a result whose section path contains `expect`. A set whose
file name starts with `blind_` is held out: only its totals are ever printed, never a question, a miss or a rank.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.embeddings import HashedNgramEmbedder  # noqa: E402
from knowledge.index import BookIndex, SearchOptions, build_index  # noqa: E402

SETS = [
    ROOT / "tests/knowledge/data/queries.jsonl",
    ROOT / "tests/knowledge/data/rep_questions.jsonl",
    ROOT / "tests/knowledge/data/toc_questions.jsonl",
    ROOT / "tests/knowledge/data/scenario_questions.jsonl",
    ROOT / "tests/knowledge/data/scenario_questions_2.jsonl",
    ROOT / "tests/knowledge/data/scenario_questions_3.jsonl",
    ROOT.parent / "shared/dev/retrieval.jsonl",
]
BLIND = ROOT / "tests/knowledge/data/blind_questions.jsonl"

BASE = SearchOptions()
OFF = SearchOptions(synonyms=False, phrases=False, aggregate=False, diversify=False)
VARIANTS: dict[str, SearchOptions] = {
    "none of the pieces": OFF,
    "+ synonyms": replace(OFF, synonyms=True),
    "+ rep phrases": replace(OFF, phrases=True),
    "+ aggregation": replace(OFF, aggregate=True, diversify=True),
    "synonyms + phrases": replace(BASE, aggregate=False, diversify=False),
    "all but synonyms": replace(BASE, synonyms=False),
    "all but phrases": replace(BASE, phrases=False),
    "all but aggregation": replace(BASE, aggregate=False, diversify=False),
    "all but bigrams": replace(BASE, bigrams=False),
    "all (default)": BASE,
    "all, lexical only": replace(BASE, lexical_weight=1.0),
}


def load(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def rank_of(index: BookIndex, item: dict[str, str], depth: int = 10) -> int | None:
    for rank, hit in enumerate(index.search(item["query"], depth), start=1):
        if item["expect"] in hit.section:
            return rank
    return None


def measure(
    index: BookIndex, items: list[dict[str, str]]
) -> tuple[float, float, list[tuple[dict[str, str], int | None]]]:
    ranks = [(it, rank_of(index, it)) for it in items]
    hit3 = sum(1 for _, r in ranks if r is not None and r <= 3) / len(items)
    mrr = sum(1.0 / r for _, r in ranks if r is not None) / len(items)
    return hit3, mrr, ranks


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", dest="sets", type=Path, nargs="*", help="question sets (JSON Lines)")
    parser.add_argument("--variants", action="store_true", help="measure each piece of the method on and off")
    parser.add_argument(
        "--misses", action="store_true", help="list the misses of the sets that are not blind"
    )
    parser.add_argument(
        "--blind", action="store_true", help=f"also the held-out set ({BLIND.name}): totals only"
    )
    args = parser.parse_args()
    sets = [p for p in (args.sets or SETS + ([BLIND] if args.blind else [])) if p.exists()]
    embedder = HashedNgramEmbedder()
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        build_index(index_dir, embedder)
        variants = VARIANTS if args.variants else {"default": BASE}
        for name, options in variants.items():
            index = BookIndex(index_dir, embedder, options=options)
            row = []
            for path in sets:
                items = load(path)
                hit3, mrr, ranks = measure(index, items)
                row.append(f"{path.stem} ({len(items)}): hit@3 {hit3:.3f} MRR {mrr:.3f}")
                blind = path.name.startswith("blind_")
                if args.misses and not blind and options == BASE:
                    for it, r in ranks:
                        if r is None or r > 3:
                            got = [h.section.split(" / ")[-1][:18] for h in index.search(it["query"], 3)]
                            print(
                                f"  miss [{path.stem}] rank {r}: {it['query']}  want {it['expect']}  got {got}"
                            )
            print(f"{name:>20}  " + "  |  ".join(row))


if __name__ == "__main__":
    main()
