from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_json_mode_follows_the_contract(run_cli) -> None:
    lines = (
        "\n".join(
            [
                "王主任您好,我是华声会议系统的客户经理李明,想跟您约个时间聊聊会议室的事。",
                json.dumps({"silence": 4.5}),
                json.dumps({"text": "您今年会务上最担心的是什么?", "after": 5.0}),
            ]
        )
        + "\n"
    )
    result = run_cli("chat", "--scenario", "gov-meeting-room", "--json", input=lines)
    assert result.exit_code == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4 and set(out[0]) == {"reply", "revealed", "state"}
    assert "scorecard" in out[-1] and out[-1]["scorecard"]["mode"] == "appointment"


@pytest.mark.parametrize(
    ("args", "stdin", "needle"),
    [
        (("--scenario", "no-such"), "", "未知场景"),
        (("--scenario", "gov-meeting-room", "--json"), '{"text": ""}\n', "第 1 行"),
        (("--scenario", "gov-meeting-room", "--json"), '{"silence": -1}\n', "秒数"),
        (("--scenario", "gov-meeting-room", "--voice", "robot"), "", "--voice"),
    ],
)
def test_bad_input_is_one_line(run_cli, args, stdin, needle) -> None:
    result = run_cli("chat", *args, input=stdin)
    assert result.exit_code == 2 and needle in result.stderr and result.stderr.count("\n") == 1


def test_llm_without_configuration_falls_back_to_the_scripted_voice(run_cli) -> None:
    result = run_cli("chat", "--scenario", "gov-meeting-room", "--voice", "llm", "--json", input="您好\n")
    assert result.exit_code == 0 and "脚本语音" in result.stderr


def test_plain_lines_when_stdin_is_not_a_terminal(run_cli) -> None:
    result = run_cli("chat", "--scenario", "hospital-splice-screen", input="您好,我是李明。\n/end\n")
    assert result.exit_code == 0
    assert "评分卡" in result.stdout and "出处" in result.stdout


def _read_until(fd: int, needle: str, timeout: float = 15.0) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
            if needle in seen.decode(errors="ignore"):
                return seen.decode(errors="ignore")
    raise AssertionError(f"{needle!r} not seen in: {seen.decode(errors='ignore')[-400:]}")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
def test_terminal_mode_times_the_first_keystroke_and_shows_the_silence_ring(session_data_dir: Path) -> None:
    main, child = pty.openpty()
    env = {**os.environ, "PEILIAN_DATA_DIR": str(session_data_dir), "TERM": "xterm"}
    env.pop("OPENAI_API_KEY", None)
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/peilian"), "chat", "--scenario", "gov-meeting-room"],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        close_fds=True,
    )
    try:
        _read_until(main, "黄金静默")
        time.sleep(0.6)
        os.write(main, "您好,我是华声会议系统的客户经理李明\r".encode())
        # The opening line also starts with "王主任:": wait for the pause shown with the rep's line, then for
        # the customer's reply after it (keys typed while he is still talking would be flushed).
        echoed = _read_until(main, "停顿", timeout=30)
        if "王主任:" not in echoed.split("停顿", 1)[1]:
            _read_until(main, "王主任:", timeout=30)
        time.sleep(0.3)
        os.write(main, b"/end\r")
        # Scoring cites the book (a first index build); on a loaded 2-core machine that can take a while.
        _read_until(main, "评分卡", timeout=90)
        proc.wait(timeout=30)
        assert proc.returncode == 0
    finally:
        proc.kill()
        os.close(main)
        os.close(child)
