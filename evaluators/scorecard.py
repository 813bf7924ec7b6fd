"""The conversation scorer: a transcript (CONTRACT.md §3) in, a scorecard (§4) out.

    score_transcript(transcript, *, classifier=None, cite=None) -> dict

- `transcript`: a `Transcript` or the decoded JSON (validated by `parse_transcript`; bad input raises
  `TranscriptError`, a ValueError with a one-line message).
- `classifier(text) -> Classification` labels each rep message; default `evaluators.classify.classify`,
  imported on first use. Identical texts are classified once per call.
- `cite(query, section_hint) -> {"section", "text"} | None` finds the book passage a finding rests on;
  default `knowledge.cite.cite`, imported on first use. When it returns nothing (or fails), the reference is
  the rule's own hint and query from rules/findings.yaml, so every finding always carries a reference.

The scorecard: `mode`; `scores` (overall + one per dimension of the mode, integers 0–100); `metrics`;
`not_measured` (silence checks that the times did not allow, with the reason); `findings` (code, turn,
message, advice, reference); `turns` (index, speaker, text, t/end when given, act/focus/form/elements —
null for customer turns). Importing this module stays light: no classifier, no knowledge index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evaluators.findings import FindingSpec, Hit, build_context, run_rules
from evaluators.findings.context import Classifier, Context
from evaluators.metrics import compute_metrics, not_measured
from evaluators.scoring import compute_scores
from evaluators.transcript import Transcript, parse_transcript

Cite = Callable[[str, str], "dict[str, str] | None"]


def default_classifier() -> Classifier:
    """The project's rule-based classifier (imported lazily: the module may be heavy or not there yet)."""
    from evaluators.classify import classify

    return classify


def default_cite() -> Cite | None:
    """The book citation function, or None when knowledge.cite cannot be imported."""
    try:
        from knowledge.cite import cite
    except ImportError:
        return None
    return cite


def reference(spec: FindingSpec, cite: Cite | None) -> dict[str, str]:
    """The book passage for a finding: `cite(query, hint)`, else the rule's hint and query themselves."""
    if cite is not None:
        try:
            found = cite(spec.query, spec.hint)
        except Exception:  # a citation is an aid: a failing index must not lose the scorecard
            found = None
        if isinstance(found, dict) and found.get("section") and found.get("text"):
            return {"section": str(found["section"]), "text": str(found["text"])}
    return {"section": spec.hint, "text": spec.query}


def _finding(spec: FindingSpec, hit: Hit, refs: dict[str, dict[str, str]]) -> dict[str, Any]:
    return {
        "code": spec.code,
        "turn": hit.turn,
        "message": spec.render(hit),
        "advice": spec.advice,
        "dimension": spec.dimension,
        "reference": refs[spec.code],
    }


def _turns(ctx: Context) -> list[dict[str, Any]]:
    out = []
    for turn, label in zip(ctx.turns, ctx.labels, strict=True):
        item: dict[str, Any] = {"index": turn.index, "speaker": turn.speaker, "text": turn.text}
        if turn.t is not None:
            item["t"] = turn.t
        if turn.end is not None:
            item["end"] = turn.end
        labels = label.to_dict() if label is not None else dict.fromkeys(("act", "focus", "form", "elements"))
        item.update(labels)
        out.append(item)
    return out


def score_transcript(
    transcript: Transcript | dict[str, Any],
    *,
    classifier: Classifier | None = None,
    cite: Cite | None = None,
) -> dict[str, Any]:
    """Score a transcript; see the module docstring for the arguments and the scorecard's shape."""
    parsed = parse_transcript(transcript)
    ctx = build_context(parsed, classifier or default_classifier())
    hits = run_rules(ctx)
    cite_fn = cite if cite is not None else default_cite()
    refs = {spec.code: reference(spec, cite_fn) for spec in {spec.code: spec for spec, _ in hits}.values()}
    return {
        "mode": parsed.mode,
        "scores": compute_scores(ctx, hits),
        "metrics": compute_metrics(ctx),
        "not_measured": not_measured(ctx),
        "findings": [_finding(spec, hit, refs) for spec, hit in hits],
        "turns": _turns(ctx),
    }
