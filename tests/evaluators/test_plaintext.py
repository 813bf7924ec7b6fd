"""The plain-text transcript of CONTRACT §3 (a trainer pastes a real call) and `peilian score --mode`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evaluators.plaintext import parse_plain, read_transcript
from evaluators.transcript import TranscriptError, parse_transcript

ROOT = Path(__file__).resolve().parents[2]
CALL = """
[00:00-00:01] 客户：喂，哪位？
[00:02-00:08] 销售：您好，是刘科长吧？我是恒通仓储设备的客户经理周明……
  想约您见一面。

Customer: 你说吧
rep:下周二上午还是周四下午，我过去聊半小时？
[01:05] 客户: 周四吧
"""


def test_labels_colons_times_and_continuations() -> None:
    data = parse_plain(CALL, "appointment")
    assert [t["speaker"] for t in data["turns"]] == ["customer", "rep", "customer", "rep", "customer"]
    assert data["turns"][0] == {"speaker": "customer", "text": "喂，哪位？", "t": 0.0, "end": 1.0}
    assert data["turns"][1]["text"].endswith("想约您见一面。") and data["turns"][1]["t"] == 2.0
    assert data["turns"][4] == {"speaker": "customer", "text": "周四吧", "t": 65.0}
    assert "t" not in data["turns"][2]
    parse_transcript(data)  # a valid CONTRACT §3 transcript


def test_hours_and_errors_name_the_line() -> None:
    assert parse_plain("[01:00:05-01:00:09] 销售：好的")["turns"][0]["t"] == 3605.0
    with pytest.raises(TranscriptError, match="第 2 行"):
        parse_plain("\n开场白没有说话人")
    with pytest.raises(TranscriptError, match="第 1 行"):
        parse_plain("[00:09-00:02] 销售：好的")
    with pytest.raises(TranscriptError, match="第 1 行"):
        parse_plain("销售：")


def test_json_is_recognised_by_its_brace_and_mode_overrides() -> None:
    raw = json.dumps({"mode": "visit", "turns": [{"speaker": "rep", "text": "您好"}]})
    assert read_transcript("  " + raw)["mode"] == "visit"
    assert read_transcript(raw, "appointment")["mode"] == "appointment"
    assert read_transcript("销售：您好")["mode"] == "visit"  # plain text defaults to a visit
    with pytest.raises(TranscriptError, match="JSON"):
        read_transcript("{broken")


def test_cli_scores_plain_text_and_refuses_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "call.txt"
    path.write_text(CALL, encoding="utf-8")
    cmd = [str(Path(sys.executable).with_name("peilian")), "score", str(path), "--mode", "appointment"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    card = json.loads(out.stdout)
    assert card["mode"] == "appointment" and card["outcome"]["result"] in ("committed", "unknown")
    bad = subprocess.run([*cmd[:-2], "--mode", "call"], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
