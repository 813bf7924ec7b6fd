"""A varied rep population from blind phrasings, played against every card (issue 10, item 7).

    .venv/bin/python benchmarks/population_eval.py [--seeds 10] [--split tune|held|all] [--show N] [--json]

The phrasings (tests/customer/data/phrasings/blind.yaml, 29 moves × 24–26 lines) were written by a helper
who had read only the book notes, never the engine. Per seed a strong, an average and a poor rep are composed
at random from them for every card: the strong one follows the book's order (opening, value, broad → narrow
questions with golden silences, confirmation, a grounded motive question in visits, a summary, a complete ask;
a concern is explored, then resolved, before asking again), the average one mixes in pitches, premature asks
and fast replies, the poor one pitches, pushes, pleads, argues and ignores. Every message goes through the real
classifier (one reading for the customer and the scorer).

The lines are split in two by a stable hash: `tune` lines may be looked at when tuning, `held` lines never;
`--split held` plays reps made of held lines only. Figures: commitments won, needs and motives earned in visits,
hang-ups of poor reps in appointment calls, overall scores, lines repeated in a call, ms per turn.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import time
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from customer.cards import Card, load_scenarios  # noqa: E402
from customer.chat import TimedChat  # noqa: E402
from customer.engine import Conversation  # noqa: E402
from customer.synthetic import snippet  # noqa: E402
from evaluators.classify import classify  # noqa: E402
from evaluators.scorecard import score_transcript  # noqa: E402

PHRASINGS = ROOT / "tests" / "customer" / "data" / "phrasings" / "blind.yaml"
NAMES = ("李明", "张静怡", "王海涛", "陈思远", "刘畅", "赵一鸣", "周晓峰", "孙悦")
COMPANIES = ("华声科技", "远景信息", "恒通智能", "博远软件", "启辰科技", "中科云联")
PEERS = ("隔壁区的同行", "同城的一家同行", "省里一家标杆单位", "跟您规模差不多的一家单位")
TIMES = (("周二上午十点", "周四下午三点"), ("明天下午", "后天上午"), ("下周一上午", "下周三下午"))


def split_of(text: str) -> str:
    return "tune" if int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "held"


@cache
def bank(split: str) -> dict[str, list[str]]:
    data = yaml.safe_load(PHRASINGS.read_text(encoding="utf-8"))
    return {
        move: [x for x in lines if split == "all" or split_of(x) == split] for move, lines in data.items()
    }


class Composer:
    """Fills a phrasing's slots for one card and one rep; remembers what the customer said."""

    def __init__(self, card: Card, rng: random.Random, split: str) -> None:
        self.card, self.rng, self.split = card, rng, split
        self.me, self.company = rng.choice(NAMES), rng.choice(COMPANIES)
        self.peer = rng.choice(PEERS)
        self.times = rng.choice(TIMES)
        self.product = self.card.product.split("（")[0].split("(")[0][:10]
        self.heard: list[str] = []

    def line(self, move: str, want: frozenset[str] = frozenset()) -> str:
        """A phrasing of `move`; with `want`, one whose ask names those elements (a strong rep answers the
        customer's "见面对我们有什么用?" with the benefit), when the bank has one."""
        options = bank(self.split)[move]
        if want:
            fitting = [x for x in options if want <= asked_elements(self.fill(x))]
            options = fitting or options
        return self.fill(self.rng.choice(options))

    def fill(self, text: str) -> str:
        told = self.heard or ["您刚才说的情况"]
        return text.format(
            客户=self.card.customer.name, 我=self.me, 公司=self.company, 产品=self.product, 时间1=self.times[0],
            时间2=self.times[1], 他说的=snippet(told[-1], 14), 他说的2=snippet(told[-2] if len(told) > 1 else told[-1], 14),
            同行=self.peer,
        )  # fmt: skip


APPOINTMENT_STRONG = ["intro", "value", "need_broad", "need_problem", "confirm", "need_impact", "ask_meeting"]
VISIT_STRONG = ["intro_visit", "need_broad", "need_problem", "need_impact", "paraphrase", "expectation", "need_goal",
                "motive", "process", "summary", "ask_action"]  # fmt: skip
POOR = ["pitch", "push", "plead", "argue", "contempt", "premature_ask", "ignore", "pitch"]


@cache
def asked_elements(text: str) -> frozenset[str]:
    el = classify(text).elements
    return frozenset(e for e in ("time", "people", "action", "benefit") if el is not None and getattr(el, e))


def plan(level: str, mode: str, rng: random.Random) -> list[str]:
    strong = list(APPOINTMENT_STRONG if mode == "appointment" else VISIT_STRONG)
    if level == "strong":
        if rng.random() < 0.5 and mode == "visit":
            strong.insert(rng.randrange(2, 6), "empathy")
        return strong
    if level == "average":
        out = []
        for move in strong:
            r = rng.random()
            if r < 0.25:
                out.append(rng.choice(["pitch", "ignore", "small_talk"]))
            if r > 0.2 or move.startswith(("intro", "ask")):
                out.append(move)
        return out
    out = [rng.choice(["intro", "premature_ask"])] if mode == "appointment" else ["intro_visit"]
    out += rng.sample(POOR, 6)
    out.insert(rng.randrange(1, len(out)), rng.choice(["need_broad", "need_problem"]))
    return out


def play(card: Card, level: str, seed: int, split: str) -> dict[str, Any]:
    rng = random.Random(f"{card.id}:{level}:{seed}")
    comp = Composer(card, rng, split)
    chat = TimedChat(Conversation(card, seed=seed))
    steps = plan(level, card.mode, rng)
    asks = explored = 0
    want: frozenset[str] = frozenset()
    spent: list[float] = []
    while steps and not chat.conv.state.ended and len(spent) < 40:
        move = steps.pop(0)
        after = rng.uniform(4.0, 6.5) if level == "strong" else rng.uniform(0.5, 3.0)
        text = comp.line(move, want if move.startswith("ask_") else frozenset())
        start = time.perf_counter()
        reply = chat.say(text, after)
        spent.append(time.perf_counter() - start)
        if reply.revealed:
            comp.heard.append(reply.text)
            if level == "strong" and not chat.conv.state.ended:
                start = time.perf_counter()
                more = chat.silence(5.0)  # 黄金静默 after an answer
                spent.append(time.perf_counter() - start)
                if more is not None and more.revealed:
                    comp.heard.append(more.text)
        concern = reply.decision.move in ("concern", "ask_detail")
        if level == "strong" and reply.decision.move == "ask_detail":
            want = frozenset(reply.decision.missing)
            ask = "ask_meeting" if card.mode == "appointment" else "ask_action"
            if "benefit" in want and not any(want <= asked_elements(comp.fill(x)) for x in bank(split)[ask]):
                steps.insert(0, "value")  # says what he gains first, then asks again
        if level == "strong" and concern and asks < 3 and not chat.conv.state.ended:
            if reply.decision.move == "concern" and explored <= asks:
                steps[:0] = ["explore_concern", "resolve_concern"]
                explored += 1
            steps.append("ask_meeting" if card.mode == "appointment" else "ask_action")
            asks += 1
        elif level == "average" and concern and asks < 1:
            steps.append("ask_meeting" if card.mode == "appointment" else "ask_action")
            asks += 1
    if level == "strong" and chat.conv.state.outcome == "committed":
        pass
    outcome = chat.conv.outcome()
    sc = score_transcript(chat.transcript(), outcome=outcome, cite=lambda q, h: None)
    lines = [t["text"] for t in chat.turns if t["speaker"] == "customer"]
    return {
        "card": card.id, "mode": card.mode, "level": level, "seed": seed, "outcome": outcome,
        "earned": list(chat.conv.state.earned), "overall": sc["scores"]["overall"],
        "repeats": sum(n - 1 for n in Counter(lines).values() if n > 1), "ms": spent,
        "transcript": chat.turns,
    }  # fmt: skip


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    fig: dict[str, Any] = {"conversations": len(rows)}
    for level in ("strong", "average", "poor"):
        mine = [r for r in rows if r["level"] == level]
        visits = [r for r in mine if r["mode"] == "visit"]
        appt = [r for r in mine if r["mode"] == "appointment"]
        won = [r for r in mine if r["outcome"]["result"] == "committed"]
        fig[level] = {
            "n": len(mine),
            "won": round(len(won) / len(mine), 3),
            "visits_need_and_motive": round(
                sum(any(f[0] == "n" for f in r["earned"]) and any(f[0] == "m" for f in r["earned"]) for r in visits)
                / max(len(visits), 1), 3),
            "hung_up_appointment": round(
                sum(r["outcome"]["result"] == "hung_up" for r in appt) / max(len(appt), 1), 3),
            "overall_mean": round(statistics.mean(r["overall"] for r in mine), 1),
            "won_by_card": {c: sum(r["outcome"]["result"] == "committed" for r in mine if r["card"] == c)
                            for c in sorted({r["card"] for r in mine})},
        }  # fmt: skip
    ms = [t * 1000 for r in rows for t in r["ms"]]
    fig["ms_per_turn_mean"] = round(statistics.mean(ms), 3)
    fig["ms_per_turn_p95"] = round(sorted(ms)[int(0.95 * len(ms))], 3)
    fig["repeated_lines"] = sum(r["repeats"] for r in rows)
    fig["no_commitment_80_plus"] = sum(
        r["overall"] >= 80 for r in rows if r["outcome"]["result"] != "committed"
    )
    return fig


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--split", choices=("tune", "held", "all"), default="all")
    ap.add_argument("--show", type=int, help="print conversation number N")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = [
        play(card, level, seed, args.split)
        for seed in range(args.seeds)
        for card in load_scenarios().values()
        for level in ("strong", "average", "poor")
    ]
    if args.show is not None:
        r = rows[args.show]
        print(r["card"], r["level"], r["outcome"])
        for t in r["transcript"]:
            print(f"{'销售' if t['speaker'] == 'rep' else '客户'}: {t['text']}")
    fig = figures(rows)
    if args.json:
        print(json.dumps(fig, ensure_ascii=False, indent=1))
        return 0
    print(f"{fig['conversations']} conversations, phrasings split {args.split}")
    for level in ("strong", "average", "poor"):
        f = fig[level]
        print(
            f"{level:<8} won {f['won']:.0%}  visits need+motive {f['visits_need_and_motive']:.0%}  "
            f"appointment hung up {f['hung_up_appointment']:.0%}  overall {f['overall_mean']}"
        )
        print(
            "         won by card: " + " ".join(f"{c.split('-')[0]}={n}" for c, n in f["won_by_card"].items())
        )
    print(
        "targets: strong won ≥ 80%, strong visits need+motive ≥ 80%, poor won ≤ 10%, poor appointment hung up ≥ 80%"
    )
    print(
        f"lines said twice in a call: {fig['repeated_lines']}; calls without commitment ≥ 80: "
        f"{fig['no_commitment_80_plus']}; engine+voice+classifier {fig['ms_per_turn_mean']} ms/turn "
        f"(p95 {fig['ms_per_turn_p95']})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
