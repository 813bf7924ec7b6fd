"""Score the classifier on a labelled set of messages (same figures as ../shared/tools/evalset.py).

A labelled item is `{"id", "text", "act", "focus", "form", "elements"}` (CONTRACT §1; null where it does not
apply). `evaluate(items)` returns an `EvalReport` with act macro-F1 over the seven acts, accuracy, focus
accuracy on gold-exploratory items, form accuracy on gold-confirmation items, and the mean F1 of the four
commitment elements on gold-commitment items, plus the misclassified items for reading.
Used by tests/evaluators/test_classify_dataset.py and benchmarks/dev_eval_classify.py.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluators.model import ACTS, ELEMENT_NAMES, Classification


@dataclass
class EvalReport:
    """Figures of one evaluation run (see module doc)."""

    n: int
    accuracy: float
    macro_f1: float
    per_act_f1: dict[str, float]
    focus_accuracy: float
    form_accuracy: float
    elements_f1: float
    per_element_f1: dict[str, float]
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"n={self.n} accuracy={self.accuracy:.3f} macro-F1={self.macro_f1:.3f} "
            f"focus={self.focus_accuracy:.3f} form={self.form_accuracy:.3f} elements-F1={self.elements_f1:.3f}\n"
            "  per act F1: " + ", ".join(f"{a} {v:.2f}" for a, v in self.per_act_f1.items()) + "\n"
            "  elements F1: " + ", ".join(f"{e} {v:.2f}" for e, v in self.per_element_f1.items())
        )


def load_jsonl(path: str | Path) -> list[dict[str, object]]:
    """The items of a JSON Lines file (blank lines skipped)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _f1(tp: int, fp: int, fn: int) -> float:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(
    items: Iterable[dict[str, Any]], predict: Callable[[str], Classification] | None = None
) -> EvalReport:
    """Score `predict` (default: evaluators.classify.classify) on labelled `items`."""
    if predict is None:
        from evaluators.classify import classify

        predict = classify
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    el: dict[str, Counter[str]] = {e: Counter() for e in ELEMENT_NAMES}
    focus_ok = focus_n = form_ok = form_n = n = 0
    errors: list[str] = []
    for it in items:
        n += 1
        got: dict[str, Any] = predict(str(it["text"])).to_dict()
        gold, pred = it["act"], got["act"]
        if gold == pred:
            tp[gold] += 1
        else:
            fp[pred] += 1
            fn[gold] += 1
        detail = ""
        if gold == "exploratory":
            focus_n += 1
            focus_ok += got["focus"] == it["focus"]
            if gold == pred and got["focus"] != it["focus"]:
                detail = f" focus {it['focus']}→{got['focus']}"
        if gold == "confirmation":
            form_n += 1
            form_ok += got["form"] == it["form"]
            if gold == pred and got["form"] != it["form"]:
                detail = f" form {it['form']}→{got['form']}"
        if gold == "commitment":
            pe = got["elements"] or {}
            wrong = []
            for e in ELEMENT_NAMES:
                g, p = bool(it["elements"][e]), bool(pe.get(e))
                el[e]["tp" if g and p else "fp" if p else "fn" if g else "tn"] += 1
                if g != p and gold == pred:
                    wrong.append(f"{e}{'+' if p else '-'}")
            if wrong:
                detail = " elements " + " ".join(wrong)
        if gold != pred or detail:
            errors.append(f"{it['id']} {gold}→{pred}{detail}: {it['text']}")
    per_act = {a: _f1(tp[a], fp[a], fn[a]) for a in ACTS}
    per_el = {e: _f1(el[e]["tp"], el[e]["fp"], el[e]["fn"]) for e in ELEMENT_NAMES}
    return EvalReport(
        n=n,
        accuracy=sum(tp.values()) / max(n, 1),
        macro_f1=sum(per_act.values()) / len(ACTS),
        per_act_f1=per_act,
        focus_accuracy=focus_ok / max(focus_n, 1),
        form_accuracy=form_ok / max(form_n, 1),
        elements_f1=sum(per_el.values()) / len(ELEMENT_NAMES),
        per_element_f1=per_el,
        errors=errors,
    )
