"""Reading the CLI's JSON input with errors a user can act on (file name, line number, what is wrong)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from peilian.errors import UsageError

MAX_INPUT_BYTES = 50 * 1024 * 1024


def _loads(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{where}:不是合法的 JSON({exc.msg},第 {exc.lineno} 行第 {exc.colno} 列)") from None


def read_json(file: str) -> Any:
    """One JSON document from a file path, or from stdin when `file` is '-'."""
    text, where = read_text(file)
    return _loads(text, where)


def read_text(file: str) -> tuple[str, str]:
    """(the text, where it came from) of a file path, or of stdin when `file` is '-'; never empty."""
    if file == "-":
        text, where = sys.stdin.read(MAX_INPUT_BYTES + 1), "标准输入"
    else:
        path = Path(file)
        where = str(path)
        try:
            if path.stat().st_size > MAX_INPUT_BYTES:
                raise UsageError(f"{where}:文件过大(上限 {MAX_INPUT_BYTES // 1024 // 1024} MB)")
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"{where}:文件不存在") from None
        except IsADirectoryError:
            raise UsageError(f"{where}:是目录,不是文件") from None
        except UnicodeDecodeError:
            raise UsageError(f"{where}:不是 UTF-8 文本") from None
        except OSError as exc:
            raise UsageError(f"{where}:无法读取({exc.strerror})") from None
    if len(text) > MAX_INPUT_BYTES:
        raise UsageError(f"{where}:输入过大(上限 {MAX_INPUT_BYTES // 1024 // 1024} MB)")
    if not text.strip():
        raise UsageError(f"{where}:输入为空")
    return text, where


def read_jsonl(stream: TextIO, *, required: dict[str, type]) -> list[dict[str, Any]]:
    """Every non-blank line of a JSON Lines stream, each an object with the `required` typed fields.

    All lines are checked before any is returned, so a bad line 900 does not leave 899 answers half-written.
    """
    items = []
    for n, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        obj = _loads(line, f"第 {n} 行")
        if not isinstance(obj, dict):
            raise UsageError(f"第 {n} 行:应为 JSON 对象")
        for name, kind in required.items():
            if name not in obj:
                raise UsageError(f"第 {n} 行:缺少字段 {name!r}")
            if not isinstance(obj[name], kind):
                raise UsageError(f"第 {n} 行:字段 {name!r} 应为{'文本' if kind is str else kind.__name__}")
        items.append(obj)
    return items
