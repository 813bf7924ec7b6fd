"""Benchmark the book index: build time, query latency, hit@3 by ranking method, CLI cold start.

    .venv/bin/python benchmarks/bench_knowledge.py

Hit@3 is measured on our own queries (tests/knowledge/data/queries.jsonl) and, when ../shared is beside the
checkout, on the dev set; a hit is a top-3 passage whose section path contains the expected heading.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.embeddings import HashedNgramEmbedder  # noqa: E402
from knowledge.index import BookIndex, build_index  # noqa: E402

SETS = {
    "own": ROOT / "tests/knowledge/data/queries.jsonl",
    "dev": ROOT.parent / "shared/dev/retrieval.jsonl",
}


def hit_rate(index: BookIndex, items: list[dict], k: int = 3) -> float:
    hits = sum(any(it["expect"] in h.section for h in index.search(it["query"], k)) for it in items)
    return hits / len(items)


def main() -> None:
    embedder = HashedNgramEmbedder()
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        builds = []
        for _ in range(3):
            start = time.perf_counter()
            manifest = build_index(index_dir, embedder)
            builds.append(time.perf_counter() - start)
        print(
            f"build: {manifest['passages']} passages, best {min(builds):.2f} s, first {builds[0]:.2f} s (target < 5 s)"
        )

        index = BookIndex(index_dir, embedder)
        queries = [
            json.loads(line)["query"] for line in SETS["own"].read_text(encoding="utf-8").splitlines() if line
        ]
        index.search(queries[0], 3)  # warm jieba
        times = []
        for q in queries * 5:
            start = time.perf_counter()
            index.search(q, 3)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(
            f"query: median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95)]:.1f} ms (target < 20 ms)"
        )

        for name, path in SETS.items():
            if not path.exists():
                print(f"hit@3 {name}: skipped ({path} not found)")
                continue
            items = [
                json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
            row = []
            for weight in (1.0, 0.9, 0.8, 0.6, 0.4, 0.0):
                index.lexical_weight = weight
                row.append(f"w={weight:.1f}: {hit_rate(index, items):.3f}")
            print(f"hit@3 {name} ({len(items)} queries), lexical weight w: " + "  ".join(row))

        env_dir = Path(tmp) / "data"
        build_index(env_dir / "index", embedder)
        cli = ROOT / ".venv/bin/peilian"
        if cli.exists():
            cold = []
            for _ in range(3):
                start = time.perf_counter()
                subprocess.run(
                    [str(cli), "knowledge", "search", "行动承诺的四个要素", "--k", "3", "--json"],
                    check=True,
                    capture_output=True,
                    env={"PEILIAN_DATA_DIR": str(env_dir), "PATH": "/usr/bin:/bin"},
                )
                cold.append(time.perf_counter() - start)
            print(f"cli cold search: best {min(cold):.2f} s, worst {max(cold):.2f} s (target < 2 s)")


if __name__ == "__main__":
    main()
