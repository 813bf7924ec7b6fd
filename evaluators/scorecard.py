"""The conversation scorer: a transcript (CONTRACT.md §3) in, a scorecard (§4) out.

    score_transcript(transcript, *, classifier=None, cite=None, outcome=None) -> dict

- `transcript`: a `Transcript` or the decoded JSON (validated by `parse_transcript`; bad input raises
  `TranscriptError`, a ValueError with a one-line message).
- `classifier(text) -> Classification` labels each rep message; default `evaluators.classify.classify`,
  imported on first use. Identical texts are classified once per call.
- `cite(query, section_hint) -> {"section", "text"} | None` finds the book passage a finding rests on;
  default `knowledge.cite.cite`, imported on first use. When it returns nothing (or fails), the reference is
  the rule's own hint and query from rules/findings.yaml, so every finding always carries a reference.

- `outcome`: how the call ended (`evaluators.outcome`): an `Outcome`, or its JSON from the customer engine
  (`Conversation.outcome()`); else a transcript's own top-level `outcome`; else judged from the customer's
  last words, or `unknown`. Rep messages after the customer hung up are listed but not scored.

The scorecard: `mode`; `scores`; `outcome` (overall + one per dimension of the mode, integers 0–100); `metrics`;
`not_measured` (silence checks that the times did not allow, with the reason); `findings` (code, turn,
message, advice, reference); `turns` (index, speaker, text, t/end when given, act/focus/form/elements —
null for customer turns). Importing this module stays light: no classifier, no knowledge index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from evaluators.findings import FindingSpec, Hit, build_context, run_rules
from evaluators.findings.context import Classifier, Context
from evaluators.metrics import compute_metrics, not_measured
from evaluators.outcome import Outcome, OutcomeError, infer_outcome, parse_outcome
from evaluators.scoring import compute_scores
from evaluators.transcript import Transcript, TranscriptError, parse_transcript

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


def reference(spec: FindingSpec, cite: Cite | None, mode: str = "appointment") -> dict[str, str]:
    """The book passage for a finding in `mode`: `cite(query, hint)`, else the rule's hint and query."""
    hint, query = spec.passage(mode)
    if cite is not None:
        try:
            found = cite(query, hint)
        except Exception:  # a citation is an aid: a failing index must not lose the scorecard
            found = None
        if isinstance(found, dict) and found.get("section") and found.get("text"):
            return {"section": str(found["section"]), "text": str(found["text"])}
    return {"section": hint, "text": query}


def _finding(spec: FindingSpec, hit: Hit, refs: dict[str, dict[str, str]]) -> dict[str, Any]:
    return {
        "code": spec.code,
        "turn": hit.turn,
        "message": spec.render(hit),
        "advice": spec.advice,
        "dimension": spec.dimension,
        "reference": refs[spec.code],
    }


def _turns(ctx: Context, full: Context) -> list[dict[str, Any]]:
    """Every turn of the transcript; those after the customer left are shown with `"scored": false`."""
    out = []
    for turn, label in zip(full.turns, full.labels, strict=True):
        item: dict[str, Any] = {"index": turn.index, "speaker": turn.speaker, "text": turn.text}
        if turn.t is not None:
            item["t"] = turn.t
        if turn.end is not None:
            item["end"] = turn.end
        labels = label.to_dict() if label is not None else dict.fromkeys(("act", "focus", "form", "elements"))
        item.update(labels)
        if turn.index >= len(ctx.turns):
            item["scored"] = False
        out.append(item)
    return out


def _outcome(raw: Transcript | dict[str, Any], parsed: Transcript, given: Any, full: Context) -> Outcome:
    """The call's outcome: the caller's (a practice call), the transcript's own, else judged from its end."""
    if given is None and isinstance(raw, dict):
        given = raw.get("outcome") if "turns" in raw else (raw.get("transcript") or {}).get("outcome")
    if isinstance(given, Outcome):
        return given
    if given is not None:
        try:
            return parse_outcome(given, parsed)
        except OutcomeError as exc:
            raise TranscriptError(str(exc)) from None
    return infer_outcome(parsed, set(full.rep_with_act("commitment")))


def score_transcript(
    transcript: Transcript | dict[str, Any],
    *,
    classifier: Classifier | None = None,
    cite: Cite | None = None,
    outcome: Outcome | dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Score a transcript; see the module docstring for the arguments and the scorecard's shape."""
    parsed = parse_transcript(transcript)
    classify = classifier or default_classifier()
    full = build_context(parsed, classify)
    result = _outcome(transcript, parsed, outcome, full)
    scored = Transcript(parsed.mode, parsed.turns[: result.scored_until(parsed)])
    if not any(turn.is_rep for turn in scored.turns):
        scored = parsed
    labels = {turn.text: full.labels[turn.index] for turn in parsed.turns if turn.is_rep}
    # each message is classified once; a rep turn's label is never None
    ctx = build_context(scored, cast(Classifier, labels.__getitem__), result)
    hits = run_rules(ctx)
    cite_fn = cite if cite is not None else default_cite()
    specs = {spec.code: spec for spec, _ in hits}.values()
    refs = {spec.code: reference(spec, cite_fn, parsed.mode) for spec in specs}
    return {
        "mode": parsed.mode,
        "scores": compute_scores(ctx, hits),
        "outcome": result.to_dict(),
        "metrics": compute_metrics(ctx),
        "not_measured": not_measured(ctx),
        "findings": [_finding(spec, hit, refs) for spec, hit in hits],
        "turns": _turns(ctx, full),
    }
