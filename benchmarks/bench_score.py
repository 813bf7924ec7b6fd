"""Benchmark the conversation scorer: latency per transcript, a 10,000-turn transcript, import and CLI start,
and the finding agreement on the labelled transcripts with the real classifier.

    .venv/bin/python benchmarks/bench_score.py

Figures are printed, never asserted. Target: a 40-turn transcript scored in < 20 ms in process, the
classification of its rep messages included.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluators.model import Classification  # noqa: E402
from evaluators.scorecard import score_transcript  # noqa: E402

OWN = sorted((ROOT / "tests/evaluators/data/transcripts").glob("*.json"))
DEV = sorted((ROOT.parent / "shared/dev/transcripts").glob("*.json"))


def forty_turns(tag: str = "") -> dict[str, Any]:
    """40 timed turns taken from our case transcripts; `tag` makes every rep text new (no cache can help)."""
    turns: list[dict[str, Any]] = []
    for path in OWN:
        turns += json.loads(path.read_text(encoding="utf-8"))["transcript"]["turns"]
    turns = turns[:40]
    out = []
    for k, turn in enumerate(turns):
        text = turn["text"] + (f"({tag}{k})" if tag and turn["speaker"] == "rep" else "")
        out.append({"speaker": turn["speaker"], "text": text, "t": 10.0 * k, "end": 10.0 * k + 6})
    return {"mode": "visit", "turns": out}


def timed_ms(fn: Any, runs: int) -> list[float]:
    times = []
    for k in range(runs):
        start = time.perf_counter()
        fn(k)
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)


def report(name: str, times: list[float], target: str = "") -> None:
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{name}: median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms{target}")


def agreement(paths: list[Path], label: str) -> None:
    found = want = kept = absent = 0
    for path in paths:
        case = json.loads(path.read_text(encoding="utf-8"))
        codes = {f["code"] for f in score_transcript(case["transcript"])["findings"]}
        miss = [c for c in case["expect_present"] if c not in codes]
        wrong = [c for c in case["expect_absent"] if c in codes]
        want += len(case["expect_present"])
        found += len(case["expect_present"]) - len(miss)
        absent += len(case["expect_absent"])
        kept += len(case["expect_absent"]) - len(wrong)
        if miss or wrong:
            print(f"  {path.stem}: missed {miss} false {wrong}")
    print(
        f"{label}: expected findings found {found}/{want}, rightly absent {kept}/{absent} (real classifier)"
    )


def main() -> None:
    start = time.perf_counter()
    score_transcript(forty_turns())
    print(
        f"first call (loads lexicons, classifier, book passages): {(time.perf_counter() - start) * 1000:.0f} ms"
    )

    report("40 turns, repeated texts", timed_ms(lambda k: score_transcript(forty_turns()), 200))
    report(
        "40 turns, fresh texts (classification included)",
        timed_ms(lambda k: score_transcript(forty_turns(f"r{k}-")), 200),
        " (target < 20 ms)",
    )
    fixed = Classification("exploratory", focus="need", is_question=True)
    report("40 turns, scorer only (constant classifier)", timed_ms(lambda k: score_transcript(
        forty_turns(f"s{k}-"), classifier=lambda text: fixed), 200))  # fmt: skip

    big: dict[str, Any] = {"mode": "visit", "turns": []}
    for copy in range(250):  # every rep text different: the classifier runs 5,000 times
        big["turns"] += forty_turns(f"b{copy}-")["turns"]
    for k, turn in enumerate(big["turns"]):
        turn.update(t=10.0 * k, end=10.0 * k + 6)
    start = time.perf_counter()
    card = score_transcript(big)
    print(
        f"10,000 turns (fresh texts): {time.perf_counter() - start:.2f} s, {len(card['findings'])} findings"
    )

    code = "import time; s = time.perf_counter(); import evaluators.scorecard; print(time.perf_counter() - s)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    print(f"import evaluators.scorecard (cold process): {float(out.stdout) * 1000:.0f} ms")
    cli = ROOT / ".venv/bin/peilian"
    if cli.exists() and OWN:
        start = time.perf_counter()
        subprocess.run([str(cli), "score", str(OWN[0])], capture_output=True, check=False)
        print(f"peilian score FILE (cold process, end to end): {(time.perf_counter() - start) * 1000:.0f} ms")

    agreement(OWN, f"own transcripts ({len(OWN)})")
    if DEV:
        agreement(DEV, f"dev transcripts ({len(DEV)})")
    else:
        print("dev transcripts: skipped (../shared/dev not found)")


if __name__ == "__main__":
    main()
