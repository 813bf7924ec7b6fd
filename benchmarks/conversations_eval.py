"""Replay the frozen blind conversations (tests/customer/data/conversations/) through the customer and the scorer.

    .venv/bin/python benchmarks/conversations_eval.py [--set v1|v2|v3] [--show CARD__LEVEL] [--dump FILE.jsonl] [--json]

Three frozen sets: v1 (written against the engine at the start of this wave), v2 and v3 (written later, against
the reworked engine at two points, by other helpers who had not seen it either).

The conversations were written turn by turn by helpers who knew only the book notes and each card's public
brief (no engine, no hidden facts), against the engine of their day; their rep lines are frozen and replayed
here as they were typed (text and `after` seconds, silences). Each is a strong, an average or a poor rep.
Replaying against a changed engine can make a line fit less well than it did (the rep reacted to other
replies); that is a known limit of frozen conversations, and why the population benchmark exists too.

It prints, per level: commitments won, hang-ups, needs and motives earned in visits, the overall score; then
the targets of issues 10 and 11: strong reps win ≥ 80%, poor reps ≤ 10% and are hung up on in ≥ 80% of
appointment calls, no call without a commitment scores ≥ 80, overall orders strong > average > poor in ≥ 95%
of same-card pairs, no customer line twice in a call. `--dump` writes every customer reply with the rep
message before it (for a blind reader's coherence check).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from customer.cards import get_card  # noqa: E402
from customer.chat import TimedChat  # noqa: E402
from customer.engine import Conversation  # noqa: E402
from evaluators.scorecard import score_transcript  # noqa: E402

SETS = {
    "v1": ROOT / "tests" / "customer" / "data" / "conversations",
    "v2": ROOT / "tests" / "customer" / "data" / "conversations_v2",
    "v3": ROOT / "tests" / "customer" / "data" / "conversations_v3",
}
LEVELS = ("strong", "average", "poor")


def load(name: str = "v1") -> list[tuple[str, str, list[dict[str, Any]]]]:
    out = []
    for path in sorted(SETS[name].glob("*__*.jsonl")):
        card, level = path.stem.split("__")
        events = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        out.append((card, level, events))
    return out


def replay(card_id: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    chat = TimedChat(Conversation(get_card(card_id), seed=0))
    pairs: list[dict[str, str]] = []
    last_rep = ""
    for ev in events:
        if chat.conv.state.ended:
            break
        if "silence" in ev:
            reply = chat.silence(float(ev["silence"]))
            said = f"(沉默 {ev['silence']} 秒)"
        else:
            reply = chat.say(ev["text"], ev.get("after"))
            said = ev["text"]
        if reply is not None and reply.text:
            pairs.append(
                {"rep": said, "before": last_rep, "customer": reply.text, "move": reply.decision.move}
            )
        last_rep = said
    outcome = chat.conv.outcome()
    card = score_transcript(chat.transcript(), outcome=outcome, cite=lambda q, h: None)
    lines = [t["text"] for t in chat.turns if t["speaker"] == "customer"]
    return {
        "outcome": outcome,
        "earned": list(chat.conv.state.earned),
        "overall": card["scores"]["overall"],
        "scores": card["scores"],
        "repeats": sum(n - 1 for n in Counter(lines).values() if n > 1),
        "pairs": pairs,
        "opening": chat.turns[0]["text"],
        "transcript": chat.turns,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", help="print one conversation, e.g. gov-meeting-room__strong")
    ap.add_argument("--dump", type=Path, help="write the customer replies with their context (JSON Lines)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--set", choices=sorted(SETS), default="v1")
    args = ap.parse_args()
    rows = []
    for card_id, level, events in load(args.set):
        r = replay(card_id, events)
        r.update(card=card_id, level=level, mode=get_card(card_id).mode)
        rows.append(r)
        if args.show == f"{card_id}__{level}":
            for t in r["transcript"]:
                print(f"{'销售' if t['speaker'] == 'rep' else '客户'}: {t['text']}")
            print(json.dumps(r["outcome"], ensure_ascii=False), r["scores"])
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as fh:
            for r in rows:
                for k, p in enumerate(r["pairs"]):
                    fh.write(
                        json.dumps({"id": f"{r['card']}__{r['level']}#{k}", **p}, ensure_ascii=False) + "\n"
                    )
    figures = summarise(rows)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
    else:
        for line in report(rows, figures):
            print(line)
    return 0


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def of(level: str, mode: str | None = None) -> list[dict[str, Any]]:
        return [r for r in rows if r["level"] == level and (mode is None or r["mode"] == mode)]

    fig: dict[str, Any] = {"conversations": len(rows)}
    for level in LEVELS:
        mine = of(level)
        visits = of(level, "visit")
        appt = of(level, "appointment")
        fig[level] = {
            "n": len(mine),
            "won": sum(r["outcome"]["result"] == "committed" for r in mine),
            "hung_up_appointment": sum(r["outcome"]["result"] == "hung_up" for r in appt),
            "appointment": len(appt),
            "visits": len(visits),
            "visits_need_and_motive": sum(
                any(f.startswith("n") for f in r["earned"]) and any(f.startswith("m") for f in r["earned"])
                for r in visits
            ),
            "overall_mean": round(sum(r["overall"] for r in mine) / max(len(mine), 1), 1),
        }
    pairs = ok = 0
    for card in {r["card"] for r in rows}:
        by = {r["level"]: r["overall"] for r in rows if r["card"] == card}
        for hi, lo in (("strong", "average"), ("average", "poor"), ("strong", "poor")):
            if hi in by and lo in by:
                pairs += 1
                ok += by[hi] > by[lo]
    fig["ordered_pairs"] = [ok, pairs]
    fig["no_commitment_80_plus"] = sum(
        r["overall"] >= 80 for r in rows if r["outcome"]["result"] != "committed"
    )
    fig["repeated_lines"] = sum(r["repeats"] for r in rows)
    fig["replies"] = sum(len(r["pairs"]) for r in rows)
    return fig


def report(rows: list[dict[str, Any]], fig: dict[str, Any]) -> list[str]:
    out = [f"{'conversation':<36}{'result':<11}{'level':<7}{'facts':>6}{'overall':>8}  scores"]
    for r in rows:
        o = r["outcome"]
        res = o["result"] + ("/" + o["commitment"][0] if o["commitment"] else "")
        out.append(
            f"{r['card'] + '__' + r['level']:<36}{res:<11}{r['level'][:6]:<7}"
            f"{o['facts_earned']:>3}/{o['facts_total']:<3}{r['overall']:>7}  "
            + " ".join(f"{k}={v}" for k, v in r["scores"].items() if k != "overall")
        )
    out.append("")
    s, p = fig["strong"], fig["poor"]
    out.append(
        f"strong reps win {s['won']}/{s['n']} (target ≥ 80%); visits with a need and a motive "
        f"{s['visits_need_and_motive']}/{s['visits']} (target ≥ 80%)"
    )
    out.append(f"average reps win {fig['average']['won']}/{fig['average']['n']}")
    out.append(
        f"poor reps win {p['won']}/{p['n']} (target ≤ 10%); hung up on in appointment calls "
        f"{p['hung_up_appointment']}/{p['appointment']} (target ≥ 80%)"
    )
    out.append("overall mean: " + ", ".join(f"{lv} {fig[lv]['overall_mean']}" for lv in LEVELS))
    ok, pairs = fig["ordered_pairs"]
    out.append(f"overall orders strong > average > poor in {ok}/{pairs} same-card pairs (target ≥ 95%)")
    out.append(f"calls without a commitment scoring ≥ 80: {fig['no_commitment_80_plus']} (target 0)")
    out.append(
        f"customer lines said twice in one call: {fig['repeated_lines']} of {fig['replies']} replies "
        "(target 0)"
    )
    return out


if __name__ == "__main__":
    raise SystemExit(main())
