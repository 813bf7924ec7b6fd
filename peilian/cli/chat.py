"""`peilian chat`: a practice conversation in the terminal, or scripted through stdin with `--json`.

Interactive mode measures golden silence (黄金静默) from real times: after each customer line a 4-second ring
counts on screen until the rep's first keystroke (which is when typing started); pressing Enter on an empty
line stays silent for the time that passed, and the customer may go on. `/end` ends the call and prints the
scorecard. When stdin is not a terminal, lines are read as they come (no keystroke timing: untimed).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, TextIO

from peilian.errors import UsageError

GOLDEN_SILENCE = 4.0
COMMANDS = "命令:/end 结束并评分 · /help 帮助 · 直接回车 = 保持沉默(黄金静默)"


def _voice(choice: str | None) -> tuple[Any, str]:
    """The voice object (None = scripted default) and its name; an unconfigured `llm` falls back."""
    from peilian.settings import get_settings

    settings = get_settings()
    if choice not in (None, "scripted", "llm"):
        raise UsageError(f"--voice 只能是 scripted 或 llm,不是 {choice!r}")
    if choice == "scripted" or (choice is None and not settings.llm_configured):
        return None, "scripted"
    if not settings.llm_configured:
        sys.stderr.write("peilian: 未配置 OPENAI_API_KEY 与 PEILIAN_LLM_MODEL,改用脚本语音\n")
        return None, "scripted"
    from customer.voices.llm import llm_voice_from_settings
    from customer.voices.scripted import ScriptedVoice

    return llm_voice_from_settings(settings, fallback=ScriptedVoice()), "llm"


def run_chat(
    *, scenario: str, voice: str | None, as_json: bool, seed: int, difficulty: str | None = None
) -> None:
    from customer.cards import CardError, get_card
    from customer.chat import ChatInputError, run_chat_json
    from customer.numbers import LEVELS

    try:
        card = get_card(scenario)
    except CardError as exc:
        raise UsageError(str(exc)) from None
    if difficulty is not None and difficulty not in LEVELS:
        raise UsageError(f"--difficulty 应为 {' / '.join(LEVELS)} 之一,而不是 {difficulty!r}")
    voice_obj, _ = _voice(voice)
    if as_json:
        try:
            run_chat_json(card.id, sys.stdin, sys.stdout, seed=seed, voice=voice_obj, difficulty=difficulty)
        except ChatInputError as exc:
            raise UsageError(str(exc)) from None
        return
    Terminal(card, voice_obj, seed, sys.stdin, sys.stdout, difficulty).run()


class Terminal:
    """The interactive loop. Keystroke timing needs a real terminal; otherwise it reads plain lines."""

    def __init__(
        self, card: Any, voice: Any, seed: int, stdin: TextIO, stdout: TextIO, difficulty: str | None = None
    ) -> None:
        from customer.chat import TimedChat
        from customer.engine import Conversation

        self.card, self.stdin, self.out = card, stdin, stdout
        self.chat = TimedChat(Conversation(card, seed=seed, voice=voice, difficulty=difficulty))
        self.tty = stdin.isatty() and stdout.isatty()

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def run(self) -> None:
        c = self.card.customer
        self.say(f"【{self.card.title}】({'约访电话' if self.card.mode == 'appointment' else '拜访'})")
        self.say(f"背景:{self.card.background}")
        self.say(f"目标:{self.card.goal}")
        self.say(f"客户:{c.name},{c.role}({c.organisation})")
        self.say(COMMANDS)
        self.customer(self.chat.conv.opening.text)
        while not self.chat.conv.state.ended:
            waited, line = self.read_turn()
            if line is None or line.strip() == "/end":
                break
            if line.strip() == "/help":
                self.say(COMMANDS)
                continue
            if not line.strip():
                reply = self.chat.silence(round(waited, 1)) if waited > 0 else None
                if reply is not None and reply.text:
                    self.customer(reply.text, reply.revealed)
                continue
            if self.tty:
                self.say(f"  (停顿 {waited:.1f} 秒{' ✓ 黄金静默' if waited >= GOLDEN_SILENCE else ''})")
            reply = self.chat.say(line.strip(), round(waited, 1) if self.tty else None)
            if reply.text:
                self.customer(reply.text, reply.revealed)
        self.finish()

    def customer(self, text: str, revealed: list[str] | None = None) -> None:
        self.say(f"{self.card.customer.name}:{text}")

    def read_turn(self) -> tuple[float, str | None]:
        """Seconds from the customer's last line to the rep's first keystroke, and the line typed."""
        if not self.tty:
            line = self.stdin.readline()
            return 0.0, (line.rstrip("\n") if line else None)
        shown = time.monotonic()
        first = _first_key(self.stdin, shown, self.out)
        waited = time.monotonic() - shown
        if first is None:
            return waited, None
        if first == "":
            return waited, ""  # Enter at once: the rep stays silent
        if "\r" in first or "\n" in first:  # a fast typist or a paste: the whole line came in one read
            line = first.replace("\r", "\n").split("\n")[0]
            self.say(f"你:{line}")
            return waited, line
        try:
            import readline

            readline.set_startup_hook(lambda: readline.insert_text(first))
            try:
                line = input("你:")
            finally:
                readline.set_startup_hook(None)
        except EOFError:
            return waited, None
        return waited, line

    def finish(self) -> None:
        from evaluators.scorecard import score_transcript
        from web.present import outcome_line  # the one wording of the outcome, shared with the pages

        transcript = self.chat.transcript()
        if not any(t["speaker"] == "rep" for t in transcript["turns"]):
            self.say("(没有销售发言,不评分)")
            return
        outcome = self.chat.conv.outcome()
        card = score_transcript(transcript, outcome=outcome)
        transcript = {**transcript, "outcome": outcome}  # a saved call can be scored again with its outcome
        self.say("\n== 评分卡 ==")
        self.say(outcome_line(card))
        self.say("  ".join(f"{k} {v}" for k, v in card["scores"].items()))
        for f in card["findings"]:
            where = "整通对话" if f["turn"] is None else f"第 {f['turn']} 轮"
            self.say(f"· [{f['code']}] {where}:{f['message']}")
            self.say(f"    出处:{f['reference']['section']}")
        if os.environ.get("PEILIAN_CHAT_SAVE"):
            with open(os.environ["PEILIAN_CHAT_SAVE"], "w", encoding="utf-8") as fh:
                json.dump(transcript, fh, ensure_ascii=False, indent=1)


def _first_key(stdin: TextIO, shown: float, out: TextIO) -> str | None:
    """Wait for the first keystroke in cbreak mode, drawing the 4-second silence ring meanwhile.

    Returns the first character typed ("" for Enter), or None at end of input.
    """
    import select
    import termios
    import tty

    fd = stdin.fileno()
    old = termios.tcgetattr(fd)
    pending = b""
    try:
        tty.setcbreak(fd)
        while True:
            left = GOLDEN_SILENCE - (time.monotonic() - shown)
            ring = f"⏳ 黄金静默 {left:0.0f}…" if left > 0 else "✓ 已静默 4 秒,可以开口(或继续沉默,回车)"
            out.write(f"\r\x1b[2K{ring}")
            out.flush()
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            chunk = os.read(fd, 8)
            if not chunk:
                return None
            pending += chunk
            try:
                text = pending.decode()
            except UnicodeDecodeError:
                continue  # the rest of a multi-byte character is on its way
            out.write("\r\x1b[2K")
            out.flush()
            return "" if text in ("\n", "\r") else text
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
