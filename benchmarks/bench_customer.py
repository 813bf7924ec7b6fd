"""Benchmark the simulated customer: a population of synthetic reps over every scenario.

    .venv/bin/python benchmarks/bench_customer.py [--seeds 5] [--classifier oracle|real] [--show REP:CARD]

Per rep type it reports hang-ups (the customer ended the conversation on the rep), refused commitment
asks, earned facts and motives, and commitments won; then the per-turn latency of engine + scripted voice.
Targets (issue 4): pitchers hung up on in ≥ 9/10 appointment calls; method followers win the commitment in
most conversations; no gaming rep type wins; engine + scripted voice < 5 ms per turn.
With `--classifier real` each message goes through evaluators.classify instead of the rep's own label.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from customer.cards import load_scenarios  # noqa: E402
from customer.population import POPULATION, Result, play  # noqa: E402

GAMING = {"parrot", "gamer", "closer", "blunt_prober", "repeater"}


def table(results: list[Result]) -> list[str]:
    head = (
        f"{'rep':<16}{'convs':>6}{'hang-ups':>10}{'appt hang-ups':>15}{'refused/conv':>14}"
        f"{'facts':>7}{'motives':>9}{'won':>7}{'won hi':>8}"
    )
    rows = [head, "-" * len(head)]
    for rep in [r.name for r in POPULATION]:
        mine = [r for r in results if r.rep == rep]
        appt = [r for r in mine if r.mode == "appointment"]
        hung = sum(r.outcome == "hung_up" for r in mine)
        appt_hung = sum(r.outcome == "hung_up" for r in appt)
        won = sum(r.outcome == "committed" for r in mine)
        won_hi = sum(r.commitment == "highest" for r in mine)
        rows.append(
            f"{rep:<16}{len(mine):>6}{hung / len(mine):>10.0%}{f'{appt_hung}/{len(appt)}':>15}"
            f"{statistics.mean(r.refusals for r in mine):>14.2f}"
            f"{statistics.mean(len(r.earned) for r in mine):>7.1f}"
            f"{statistics.mean(sum(f.startswith('m') for f in r.earned) for r in mine):>9.2f}"
            f"{won / len(mine):>7.0%}{won_hi / len(mine):>8.0%}"
        )
    return rows


def checks(results: list[Result]) -> list[str]:
    def rate(rep: str, pred, mode: str | None = None) -> float:
        mine = [r for r in results if r.rep == rep and (mode is None or r.mode == mode)]
        return sum(map(pred, mine)) / len(mine)

    out = []
    pitch_hung = rate("pitcher", lambda r: r.outcome == "hung_up", "appointment")
    out.append(f"pitchers hung up on in appointment calls: {pitch_hung:.0%} (target ≥ 90%)")
    out.append(
        f"method followers win: {rate('method_follower', lambda r: r.outcome == 'committed'):.0%} (target > 50%)"
    )
    motive_visits = rate("method_follower", lambda r: any(f.startswith("m") for f in r.earned), "visit")
    out.append(f"method followers earn a motive in visits: {motive_visits:.0%}")
    gamers = max(rate(g, lambda r: r.outcome == "committed") for g in GAMING)
    out.append(f"best gaming rep type wins: {gamers:.0%} (target 0%)")
    pitch_motive = rate("pitcher", lambda r: any(f.startswith("m") for f in r.earned))
    out.append(f"pitchers earning a motive: {pitch_motive:.0%} (target 0%)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--classifier", choices=("oracle", "real"), default="oracle")
    parser.add_argument("--show", help="print one transcript, e.g. method_follower:gov-meeting-room")
    args = parser.parse_args()
    classifier = None
    if args.classifier == "real":
        from evaluators.classify import classify as classifier
    cards = load_scenarios()
    results = [
        play(card, rep, seed, classifier)
        for card in cards.values()
        for rep in POPULATION
        for seed in range(args.seeds)
    ]
    print(
        f"{len(cards)} scenarios × {len(POPULATION)} rep types × {args.seeds} seeds, classifier: {args.classifier}\n"
    )
    print("\n".join(table(results)))
    print()
    print("\n".join(checks(results)))
    lat = sorted(t * 1000 for r in results for t in r.latencies)
    print(
        f"\nper turn (engine + scripted voice{' + classifier' if classifier else ''}): "
        f"median {statistics.median(lat):.2f} ms, p95 {lat[int(len(lat) * 0.95)]:.2f} ms, "
        f"max {lat[-1]:.2f} ms over {len(lat)} turns (target < 5 ms)"
    )
    if args.show:
        rep, card = args.show.split(":")
        res = next(r for r in results if r.rep == rep and r.card == card)
        print(f"\n{rep} × {card}: {res.outcome} {res.commitment or ''} earned {res.earned}")
        for who, text in res.transcript:
            print(f"  {who}: {text}")


if __name__ == "__main__":
    main()
