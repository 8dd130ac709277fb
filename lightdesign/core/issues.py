"""Errors and warnings about a design, each pointing at a block and field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Issue:
    level: str  # "error" or "warning"
    message: str
    block: int | None = None  # 1-based position in the stack; None for the design itself
    name: str | None = None
    kind: str | None = None
    field: str | None = None
    value: Any = None
    valid: str | None = None

    @property
    def where(self) -> str:
        if self.block is None:
            return "Design"
        return f"Block {self.block} '{self.name}' ({self.kind})"

    @property
    def text(self) -> str:
        """One line naming the block, the problem and what would be valid."""
        out = f"{self.where}: {self.message}"
        if self.valid and "use " not in self.message:
            out += f"; valid: {self.valid}"
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "block": self.block,
            "name": self.name,
            "kind": self.kind,
            "field": self.field,
            "value": self.value,
            "valid": self.valid,
            "message": self.text,
        }
