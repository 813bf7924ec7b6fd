"""The scripted path (default) imports no LangChain, OpenAI or Jinja; the LLM voice loads them on first use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

HEAVY = ("langchain", "langchain_core", "langchain_openai", "openai", "jinja2", "httpx")

SCRIPT = f"""
import sys
from customer.cards import get_card
from customer.engine import Conversation
from customer.synthetic import cls
from customer.voices.factory import make_voice, voice_meta
import customer.voices.llm  # importable without loading anything heavy
voice = make_voice("llm")  # not configured: scripted (CONTRACT §2)
conv = Conversation(get_card("gov-meeting-room"), voice=voice, classifier=lambda t: cls("statement"))
conv.rep_says("王主任您好,我是华声会议系统的客户经理李明。")
assert voice_meta(voice) == {{"voice": "scripted"}}
print(" ".join(sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))))
"""


def test_scripted_path_imports_nothing_heavy(tmp_path: Path) -> None:
    # A clean environment and an empty working directory: no OPENAI_* variables, no .env file.
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
