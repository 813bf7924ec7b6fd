#!/usr/bin/env python3
"""Throughput and start-up cost of evaluators.classify (prints figures; nothing here is a timed test).

    .venv/bin/python benchmarks/bench_classify.py [--rounds 3]

Figures: cold import time of evaluators.classify (fresh interpreter), first-call time (loads and compiles
the YAML lexicons), and messages/second on one core over tests/evaluators/data/acts.jsonl with the result
cache bypassed, so every message is really classified. Targets: >= 10,000 messages/s, import << 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEAVY = ("chromadb", "langchain", "langchain_core", "fastapi", "openai", "sqlalchemy", "jieba", "numpy")


def cold_import() -> tuple[float, list[str]]:
    """Seconds to import evaluators.classify in a fresh interpreter, and heavy modules it pulled in."""
    code = (
        "import sys, time; t = time.perf_counter(); import evaluators.classify; "
        f"print(time.perf_counter() - t); print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    seconds, heavy = out.stdout.splitlines()
    return float(seconds), [m for m in heavy.split(",") if m]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    imports = [cold_import() for _ in range(3)]
    print(
        f"cold import evaluators.classify: {min(s for s, _ in imports) * 1000:.1f} ms (best of 3); "
        f"heavy modules imported: {imports[0][1] or 'none'}"
    )

    from evaluators import classify as mod
    from evaluators.classify_eval import load_jsonl

    texts = [str(it["text"]) for it in load_jsonl(ROOT / "tests/evaluators/data/acts.jsonl")]
    t = time.perf_counter()
    mod.classify(texts[0])
    print(f"first call (load + compile lexicons): {(time.perf_counter() - t) * 1000:.1f} ms")

    from evaluators import reading
    from evaluators.acts import questions
    from evaluators.acts import text as text_mod

    uncached = mod._classify.__wrapped__  # bypass the result cache: measure real work
    rates = []
    for _ in range(args.rounds):
        text_mod.strip_idioms.cache_clear()  # per-sentence memos would otherwise hit from the previous round
        questions.is_yes_no.cache_clear()
        reading.cues.cache_clear()  # the cue reading a sentence may need (self-introduction, asks)
        t = time.perf_counter()
        for text in texts:
            uncached(text)
        rates.append(len(texts) / (time.perf_counter() - t))
    mean_len = statistics.mean(len(x) for x in texts)
    print(
        f"throughput (uncached, {len(texts)} msgs, mean {mean_len:.0f} chars): "
        f"{statistics.median(rates):,.0f} msgs/s median of {args.rounds} (best {max(rates):,.0f})"
    )

    mod._classify.cache_clear()
    t = time.perf_counter()
    for text in texts * 5:
        mod.classify(text)
    print(f"throughput (cached, repeated turns): {len(texts) * 5 / (time.perf_counter() - t):,.0f} msgs/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
