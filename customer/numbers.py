"""The engine's numbers (customer/engine.yaml), read by name, at a difficulty level.

    n = Numbers("standard")
    n("argue.trust")                   # -10
    n.drain("appointment", "高")       # patience a turn costs, scaled by the level
    n.min_trust(35)                    # a fact's trust threshold at this level

A rule says what happens; engine.yaml says how much, so a trainer can read and tune the numbers without code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

ENGINE_YAML = Path(__file__).with_name("engine.yaml")
LEVELS: tuple[str, ...] = ("easy", "standard", "hard")


@cache
def engine_numbers(path: str = str(ENGINE_YAML)) -> dict[str, Any]:
    data = yaml.load(
        Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )
    if not isinstance(data, dict) or set(data.get("difficulty", {})) != set(LEVELS):
        raise ValueError(f"{path}: engine numbers need a `difficulty` table with {', '.join(LEVELS)}")
    return data


class Numbers:
    """The numbers at one difficulty level. `n(path)` reads a dotted path; a missing one is a KeyError."""

    def __init__(self, level: str = "standard") -> None:
        if level not in LEVELS:
            raise ValueError(f"难度应为 {' / '.join(LEVELS)} 之一,而不是 {level!r}")
        self.level = level
        self.data = engine_numbers()
        self.mod: dict[str, float] = self.data["difficulty"][level]

    def __call__(self, path: str) -> Any:
        node: Any = self.data
        for key in path.split("."):
            node = node[key]
        return node

    def drain(self, mode: str, time_pressure: str) -> float:
        return float(self(f"turn.drain.{mode}.{time_pressure}")) * float(self.mod["drain"])

    def min_trust(self, base: float) -> float:
        return base + float(self.mod["min_trust"])

    def start_trust(self, base: float) -> float:
        return base + float(self.mod["start_trust"])

    def commitment(self, base: float) -> float:
        return base + float(self.mod["commitment"])
