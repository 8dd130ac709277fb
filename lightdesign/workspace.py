"""A person's workspace: several named designs, the current one, and undo/redo history.

Every change goes through ``apply``: it keeps a snapshot for undo, and leaves the
workspace untouched when the edit raises ``DesignError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lightdesign import presets
from lightdesign.design import Design, DesignError, from_dict

MAX_DESIGNS = 24
MAX_HISTORY = 100


@dataclass
class _History:
    undo: list[dict] = field(default_factory=list)
    redo: list[dict] = field(default_factory=list)


class Workspace:
    def __init__(self, designs: list[Design] | None = None):
        self.designs: dict[str, Design] = {}
        self.history: dict[str, _History] = {}
        self.runs: dict[str, list[dict]] = {}  # design name -> training runs, oldest first
        self.current = ""
        self.version = 0  # bumped on every change; widget keys include it
        for design in designs or [presets.build("seed_cnn")]:
            self.add(design)
        self.current = next(iter(self.designs))

    # -- the collection ---------------------------------------------------------------
    @property
    def design(self) -> Design:
        return self.designs[self.current]

    @property
    def names(self) -> list[str]:
        return list(self.designs)

    def _unique(self, name: str) -> str:
        name = name.strip()[:90] or "design"
        if name not in self.designs:
            return name
        n = 2
        while f"{name} ({n})" in self.designs:
            n += 1
        return f"{name} ({n})"

    def add(self, design: Design, switch: bool = True) -> str:
        """Add a design under a unique name (a suffix is added when taken)."""
        if len(self.designs) >= MAX_DESIGNS:
            raise DesignError(f"the workspace holds at most {MAX_DESIGNS} designs; delete one first")
        design = design.copy()
        design.name = self._unique(design.name)
        self.designs[design.name] = design
        self.history[design.name] = _History()
        self.runs[design.name] = []
        if switch:
            self.current = design.name
        self.version += 1
        return design.name

    def duplicate(self, name: str | None = None) -> str:
        return self.add(self.designs[name or self.current])

    def rename(self, old: str, new: str) -> str:
        new = new.strip() if isinstance(new, str) else ""
        if not 1 <= len(new) <= 100 or not new.isprintable():
            raise DesignError("a design name must be 1 to 100 printable characters")
        if new != old and new in self.designs:
            raise DesignError(f"there is already a design called {new!r}")
        renamed = {}
        for key, design in self.designs.items():
            if key == old:
                design.name = new
                key = new
            renamed[key] = design
        self.designs = renamed
        self.history[new] = self.history.pop(old)
        self.runs[new] = self.runs.pop(old)
        if self.current == old:
            self.current = new
        self.version += 1
        return new

    def delete(self, name: str) -> None:
        if len(self.designs) == 1:
            raise DesignError("the workspace needs at least one design; create another before deleting this one")
        del self.designs[name]
        del self.history[name]
        del self.runs[name]
        if self.current == name:
            self.current = next(iter(self.designs))
        self.version += 1

    def switch(self, name: str) -> None:
        if name not in self.designs:
            raise DesignError(f"there is no design called {name!r}")
        self.current = name
        self.version += 1

    def record_run(self, design_name: str, run: dict) -> None:
        """Keep a finished training run with its design (for Compare and Export)."""
        if design_name in self.runs:
            self.runs[design_name].append(run)
            self.version += 1

    def all_runs(self) -> list[tuple[str, dict]]:
        return [(name, run) for name, runs in self.runs.items() for run in runs]

    # -- edits with history -----------------------------------------------------------------
    def apply(self, edit: Callable[[Design], Design]) -> Design:
        """Replace the current design by ``edit(design)``, remembering it for undo."""
        before = self.design
        after = edit(before)
        after.name = before.name
        history = self.history[self.current]
        history.undo.append(before.to_dict())
        del history.undo[:-MAX_HISTORY]
        history.redo.clear()
        self.designs[self.current] = after
        self.version += 1
        return after

    @property
    def can_undo(self) -> bool:
        return bool(self.history[self.current].undo)

    @property
    def can_redo(self) -> bool:
        return bool(self.history[self.current].redo)

    def undo(self) -> None:
        self._travel(self.history[self.current].undo, self.history[self.current].redo)

    def redo(self) -> None:
        self._travel(self.history[self.current].redo, self.history[self.current].undo)

    def _travel(self, source: list[dict], target: list[dict]) -> None:
        if not source:
            return
        target.append(self.design.to_dict())
        snapshot = source.pop()
        snapshot["name"] = self.current
        self.designs[self.current] = from_dict(snapshot)
        self.version += 1
