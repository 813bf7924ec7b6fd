"""The `peilian` command line (CONTRACT.md §2): commands.py is the app and its entry point, admin.py, labels.py
and chat.py the sub-commands, io.py the reading of input. Nothing below the command line imports this
package: settings, the LLM factory and the errors live in the ground package (peilian/settings.py,
peilian/llm.py, peilian/errors.py)."""

from __future__ import annotations

from peilian.cli.commands import main

__all__ = ["main"]
