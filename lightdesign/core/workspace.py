"""A person's workspace: several named designs, the current one, undo/redo history, the
training runs and export results of each design, and per-workspace settings.

Every change goes through a method here: it keeps a snapshot for undo, leaves the
workspace untouched when the edit raises ``DesignError``, and appends what changed to
``journal`` so that ``lightdesign.store`` can write exactly that (one transaction per
flush). Designs carry a stable id; names are what people see and may change. Settings are
journaled by key, so that a flush writes only the keys this copy changed.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lightdesign.core import presets
from lightdesign.core.design import MAX_JSON_BYTES, Design, DesignError, check_limits, from_dict

MAX_DESIGNS = 24
MAX_HISTORY = 1000  # undo steps kept per design (in memory and in the store)
MAX_HISTORY_BYTES = 8 * 1024 * 1024  # and at most this much snapshot text per design
MAX_SETTING_KEY = 64  # characters of a setting's name (the store's column)


def new_id() -> str:
    """A random id for a design, run or export (64 bits; workspaces use 128, see store)."""
    return secrets.token_hex(8)


@dataclass
class Entry:
    """One design with everything kept beside it."""

    id: str
    design: Design
    undo: list[str] = field(default_factory=list)  # JSON snapshots, oldest first
    redo: list[str] = field(default_factory=list)
    runs: list[dict] = field(default_factory=list)  # training runs, oldest first
    exports: list[dict] = field(default_factory=list)  # export results, oldest first
    version: int = 0  # the version of this design last read from or written to the store


class Workspace:
    def __init__(self, designs: list[Design] | None = None):
        self.id: str | None = None  # set once the workspace is kept in a store
        self.entries: dict[str, Entry] = {}  # design id -> entry, in display order
        self.current_id = ""
        self.settings: dict[str, Any] = {}  # per-workspace settings (budget, batch size, ...)
        self.setting_versions: dict[str, int] = {}  # each setting's version last read from or written to the store
        self.version = 0  # bumped on every change; widget keys include it
        self.stored_version = 0  # the workspace row's version last read from or written to the store
        self.journal: list[tuple] = []  # changes not yet written to the store
        for design in designs or [presets.build("seed_cnn")]:
            self.add(design)
        self.current_id = next(iter(self.entries))

    # -- the collection ---------------------------------------------------------------
    @property
    def entry(self) -> Entry:
        return self.entries[self.current_id]

    @property
    def design(self) -> Design:
        return self.entry.design

    @property
    def current(self) -> str:
        """The current design's name."""
        return self.entry.design.name

    @property
    def designs(self) -> dict[str, Design]:
        """Designs by name, in display order (read-only view)."""
        return {e.design.name: e.design for e in self.entries.values()}

    @property
    def names(self) -> list[str]:
        return [e.design.name for e in self.entries.values()]

    @property
    def runs(self) -> dict[str, list[dict]]:
        """Finished training runs by design name (read-only view)."""
        return {e.design.name: [r for r in e.runs if _finished(r)] for e in self.entries.values()}

    def unfinished_runs(self, name: str) -> list[dict]:
        """Runs of a design that are running, or ended without a result (stopped, failed,
        interrupted by a server restart), oldest first."""
        return [r for r in self.entry_named(name).runs if not _finished(r)]

    @property
    def history(self) -> dict[str, Entry]:
        """Undo/redo stacks by design name (``.undo``/``.redo``; read-only view)."""
        return {e.design.name: e for e in self.entries.values()}

    def entry_named(self, name: str) -> Entry:
        for entry in self.entries.values():
            if entry.design.name == name:
                return entry
        raise DesignError(f"there is no design called {name!r}")

    def _unique(self, name: str) -> str:
        name = name.strip()[:90] or "design"
        taken = set(self.names)
        if name not in taken:
            return name
        # a copy of "x (2)" is "x (3)", not "x (2) (2)"
        name = re.sub(r" \(\d+\)$", "", name) or name
        n = 2
        while f"{name} ({n})" in taken:
            n += 1
        return f"{name} ({n})"

    def _changed(self, *ops: tuple) -> None:
        self.journal.extend(ops)
        self.version += 1

    def add(self, design: Design, switch: bool = True) -> str:
        """Add a design under a unique name (a suffix is added when taken)."""
        if len(self.entries) >= MAX_DESIGNS:
            raise DesignError(f"the workspace holds at most {MAX_DESIGNS} designs; delete one first")
        design = check_limits(design.copy())
        design.name = self._unique(design.name)
        entry = Entry(new_id(), design)
        self.entries[entry.id] = entry
        if switch:
            self.current_id = entry.id
        self._changed(("add", entry.id), ("workspace",))
        return design.name

    def duplicate(self, name: str | None = None) -> str:
        return self.add(self.designs[name or self.current])

    def rename(self, old: str, new: str) -> str:
        new = new.strip() if isinstance(new, str) else ""
        if not 1 <= len(new) <= 100 or not new.isprintable():
            raise DesignError("a design name must be 1 to 100 printable characters")
        entry = self.entry_named(old)
        if new != old and new in self.names:
            raise DesignError(f"there is already a design called {new!r}")
        entry.design.name = new
        self._changed(("rename", entry.id))
        return new

    def delete(self, name: str) -> None:
        if len(self.entries) == 1:
            raise DesignError("the workspace needs at least one design; create another before deleting this one")
        entry = self.entry_named(name)
        del self.entries[entry.id]
        if self.current_id == entry.id:
            self.current_id = next(iter(self.entries))
        self._changed(("delete", entry.id), ("workspace",))

    def switch(self, name: str) -> None:
        self.current_id = self.entry_named(name).id
        self._changed(("workspace",))

    def set_setting(self, key: str, value: Any) -> None:
        """Keep a per-workspace setting (JSON-serialisable)."""
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_SETTING_KEY:
            raise DesignError(f"a setting's name must be 1 to {MAX_SETTING_KEY} characters, not {key!r:.80}")
        if key not in self.settings or self.settings[key] != value:
            self.settings[key] = value
            self._changed(("setting", key))

    # -- runs and exports -------------------------------------------------------------------
    def record_run(self, design_name: str, run: dict) -> None:
        """Keep (or update, by its ``id``) a training run with its design."""
        self._keep(design_name, "runs", run)

    def record_export(self, design_name: str, result: dict) -> None:
        """Keep (or update, by its ``id``) an export result with its design."""
        self._keep(design_name, "exports", result)

    def record_run_to(self, design_id: str, run: dict) -> None:
        """Keep (or update) a run with the design of this id: a rename meanwhile loses nothing."""
        if design_id in self.entries:
            self._keep_in(self.entries[design_id], "runs", run)

    def record_export_to(self, design_id: str, result: dict) -> None:
        """Keep (or update) an export result with the design of this id."""
        if design_id in self.entries:
            self._keep_in(self.entries[design_id], "exports", result)

    def _keep(self, design_name: str, what: str, record: dict) -> None:
        try:
            entry = self.entry_named(design_name)
        except DesignError:
            return  # the design was deleted meanwhile
        self._keep_in(entry, what, record)

    def _keep_in(self, entry: Entry, what: str, record: dict) -> None:
        record = dict(record)
        record.setdefault("id", new_id())
        records: list[dict] = getattr(entry, what)
        for i, old in enumerate(records):
            if old.get("id") == record["id"]:
                records[i] = record
                break
        else:
            records.append(record)
        self._changed((what[:-1], entry.id, record))

    def all_runs(self) -> list[tuple[str, dict]]:
        """Every finished run with its design's name."""
        return [(e.design.name, run) for e in self.entries.values() for run in e.runs if _finished(run)]

    # -- edits with history -----------------------------------------------------------------
    def apply(self, edit: Callable[[Design], Design]) -> Design:
        """Replace the current design by ``edit(design)``, remembering it for undo."""
        entry = self.entry
        before = entry.design
        after = check_limits(edit(before))  # every edit path keeps every design limit
        after.name = before.name
        snapshot = before.to_json(indent=None)
        entry.undo.append(snapshot)
        dropped = _trim(entry.undo)
        entry.design = after
        ops = [("push", entry.id, "undo", snapshot)]
        if dropped:
            ops.append(("drop_oldest", entry.id, "undo", dropped))
        if entry.redo:
            entry.redo.clear()
            ops.append(("clear", entry.id, "redo"))
        self._changed(*ops, ("design", entry.id))
        return after

    @property
    def can_undo(self) -> bool:
        return bool(self.entry.undo)

    @property
    def can_redo(self) -> bool:
        return bool(self.entry.redo)

    def undo(self) -> None:
        self._travel("undo", "redo")

    def redo(self) -> None:
        self._travel("redo", "undo")

    def _travel(self, source: str, target: str) -> None:
        entry = self.entry
        stack: list[str] = getattr(entry, source)
        if not stack:
            return
        try:
            snapshot = read_snapshot(stack[-1])
        except DesignError as exc:  # kept by an older release: drop it rather than fail on every click
            stack.pop()
            self._changed(("pop", entry.id, source))
            raise DesignError(f"the last {source} step cannot be read and was dropped: {exc}") from None
        stack.pop()
        current = entry.design.to_json(indent=None)
        getattr(entry, target).append(current)
        snapshot.name = entry.design.name
        entry.design = snapshot
        self._changed(("pop", entry.id, source), ("push", entry.id, target, current), ("design", entry.id))


def read_snapshot(text: object) -> Design:
    """An undo or redo entry as the design it holds; DesignError when it is not one."""
    if not isinstance(text, str) or len(text) > MAX_JSON_BYTES:
        raise DesignError(f"an undo or redo step must be a design's JSON of at most {MAX_JSON_BYTES:,} characters")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DesignError(f"an undo or redo step is not JSON ({exc})") from None
    return check_limits(from_dict(data))


def check_history(stack: object, what: str) -> list[str]:
    """An undo or redo stack from outside (an archive) kept to the limits the app's own edits
    keep: at most MAX_HISTORY steps and MAX_HISTORY_BYTES of text, every step a valid design."""
    if not isinstance(stack, list) or not all(isinstance(step, str) for step in stack):
        raise DesignError(f"the {what} history must be a list of designs' JSON texts")
    if len(stack) > MAX_HISTORY:
        raise DesignError(f"the {what} history has {len(stack):,} steps; at most {MAX_HISTORY:,} are kept")
    if sum(len(step) for step in stack) > MAX_HISTORY_BYTES:
        raise DesignError(f"the {what} history holds more than {MAX_HISTORY_BYTES:,} characters")
    for step in set(stack):  # each distinct step once
        try:
            read_snapshot(step)
        except DesignError as exc:
            raise DesignError(f"a step of the {what} history is not a valid design: {exc}") from None
    return list(stack)


def _finished(run: dict) -> bool:
    return run.get("state", "finished") == "finished"


def _trim(stack: list[str]) -> int:
    """Drop the oldest snapshots beyond the count and size limits; returns how many."""
    drop = max(0, len(stack) - MAX_HISTORY)
    total = sum(len(s) for s in stack[drop:])
    while total > MAX_HISTORY_BYTES and drop < len(stack) - 1:
        total -= len(stack[drop])
        drop += 1
    del stack[:drop]
    return drop
