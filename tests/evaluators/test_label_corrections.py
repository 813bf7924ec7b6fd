"""Trainers' label corrections replayed as regressions: every line of every *.jsonl in
tests/evaluators/data/corrections/ (exported by `peilian labels export`, see the README there) must be
classified exactly as the trainer labelled it (CONTRACT §1: act, focus, form, elements)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evaluators.classify import classify

CORRECTIONS = Path(__file__).resolve().parent / "data" / "corrections"
LABEL_FIELDS = ("act", "focus", "form", "elements")


def read_lines(folder: Path = CORRECTIONS) -> list[dict[str, Any]]:
    lines = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if raw.strip():
                lines.append({**json.loads(raw), "_where": f"{path.name}:{n}"})
    return lines


def label_of(line: dict[str, Any]) -> dict[str, Any]:
    return {k: line.get(k) for k in LABEL_FIELDS}


LINES = read_lines()


@pytest.mark.parametrize(
    "line",
    LINES or [pytest.param(None, marks=pytest.mark.skip(reason=f"no corrections in {CORRECTIONS}"))],
    ids=[str(line.get("id")) for line in LINES] or ["none"],
)
def test_the_classifier_agrees_with_the_trainer(line: dict[str, Any]) -> None:
    assert classify(line["text"]).to_dict() == label_of(line), (
        f"{line['_where']} {line.get('source')}: {line['text']}"
    )


def test_every_line_is_a_complete_contract_label() -> None:
    if not LINES:
        pytest.skip(f"no corrections in {CORRECTIONS}")
    from server.services.labels import validate_label

    ids = [line.get("id") for line in LINES]
    assert len(ids) == len(set(ids)), "an id appears twice: keep only the newest line of a message"
    for line in LINES:
        assert isinstance(line.get("text"), str) and line["text"].strip(), line["_where"]
        assert str(line.get("source", "")).startswith("trainer:"), line["_where"]
        assert validate_label(**label_of(line)) == label_of(line), line["_where"]


def test_a_cli_export_replays_in_the_same_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli
) -> None:
    """A trainer's corrections, exported through `peilian labels export`, read back by this file's reader
    and replayed against the classifier."""
    from sqlalchemy.orm import Session

    from server.db.migrate import connect
    from server.db.models import Message, PracticeSession
    from server.services import accounts, labels

    monkeypatch.setenv("PEILIAN_DATABASE_URL", f"sqlite:///{tmp_path / 'export.sqlite3'}")
    examples = [
        ("换句话说,您是想让一楼能直接控制三楼的设备?", {"act": "confirmation", "form": "paraphrase"}),
        ("还有呢?", {"act": "extension"}),
    ]
    engine = connect(f"sqlite:///{tmp_path / 'export.sqlite3'}")
    with Session(engine) as db:
        org = accounts.create_organization(db, name="ACME", slug="acme")
        rep = accounts.create_user(db, org=org, username="rep1", role="rep", password="correct-horse-9")
        coach = accounts.create_user(
            db, org=org, username="coach", role="trainer", password="correct-horse-9"
        )
        session = PracticeSession(org_id=org.id, user_id=rep.id, scenario_id="gov-meeting-room", mode="visit")
        db.add(session)
        db.flush()
        for seq, (text, _) in enumerate(examples):
            db.add(
                Message(
                    session_id=session.id, seq=seq, speaker="rep", text=text, meta=classify(text).to_dict()
                )
            )
        db.flush()
        db.refresh(session)
        labels.correct_label(db, session=session, trainer=coach, message_seq=0, act="statement")  # superseded
        for seq, (_, label) in enumerate(examples):
            labels.correct_label(db, session=session, trainer=coach, message_seq=seq, **label)
        sid = session.id
        db.commit()
    engine.dispose()

    out = tmp_path / "corrections"
    out.mkdir()
    result = run_cli("labels", "export", "--org", "acme", "--out", str(out / "export.jsonl"))
    assert result.exit_code == 0, result.stderr
    assert "已导出 2 条" in result.stderr and result.stdout == ""
    lines = read_lines(out)
    assert [line["id"] for line in lines] == [f"{sid}-0", f"{sid}-1"]
    assert set(lines[0]) == {
        "id",
        "text",
        "act",
        "focus",
        "form",
        "elements",
        "source",
        "corrected_at",
        "_where",
    }
    assert lines[0]["source"] == "trainer:coach" and lines[0]["act"] == "confirmation"
    for line in lines:
        test_the_classifier_agrees_with_the_trainer(line)

    printed = run_cli("labels", "export")  # all organisations, to standard output
    assert printed.exit_code == 0 and [json.loads(x)["id"] for x in printed.stdout.splitlines()] == [
        lines[0]["id"],
        lines[1]["id"],
    ]
    for args, message in (
        (("--org", "nope"), "组织 nope 不存在"),
        (("--out", str(tmp_path / "no" / "x.jsonl")), "无法写入"),
    ):
        bad = run_cli("labels", "export", *args)
        assert (
            bad.exit_code == 2
            and bad.stderr.count("\n") == 1
            and message in bad.stderr
            and "Traceback" not in bad.stderr
        )
