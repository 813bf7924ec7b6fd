"""Errors that end a command with one clear line for the user (never a traceback)."""

from __future__ import annotations


class UsageError(ValueError):
    """Bad input from the user: the message is one line, in Chinese, saying what is wrong and where."""
