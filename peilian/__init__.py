"""Peilian 陪练 — the ground package every layer may import: `errors` (the one error hierarchy), `settings`
and `llm`. The command line is the subpackage `peilian.cli`, which nothing below it imports."""

__version__ = "0.1.0"
