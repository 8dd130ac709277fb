"""Tables and migrations.

The schema version lives in ``lightdesign_meta``; ``MIGRATIONS[i]`` upgrades a database
from version ``i`` to ``i + 1``. A database created by one release opens in the next
because every release only appends steps here. Each step runs in its own transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
    update,
)

from lightdesign.core.workspace import MAX_SETTING_KEY

metadata = MetaData()

meta = Table(
    "lightdesign_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

workspaces = Table(
    "workspaces",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("created", Float, nullable=False),
    Column("touched", Float, nullable=False),
    Column("current_design", String(32), nullable=False),
    Column("settings", Text, nullable=False),  # JSON object until version 3 (now "{}"; see ``settings`` below)
    Column("version", Integer, nullable=False),  # bumped when designs are added, renamed or deleted
)

designs = Table(
    "designs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("workspace_id", String(64), ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("body", Text, nullable=False),  # the design's JSON
    Column("version", Integer, nullable=False),  # bumped on every write; a stale writer is refused
    Column("updated", Float, nullable=False),
    Index("designs_by_workspace", "workspace_id", "position"),
)

history = Table(
    "history",
    metadata,
    Column("design_id", String(32), ForeignKey("designs.id", ondelete="CASCADE"), primary_key=True),
    Column("stack", String(8), primary_key=True),  # "undo" or "redo"
    Column("seq", Integer, primary_key=True),  # rising; the top of the stack has the highest
    Column("body", Text, nullable=False),
)


def _records(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("id", String(32), primary_key=True),
        Column("workspace_id", String(64), ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
        Column("design_id", String(32), ForeignKey("designs.id", ondelete="CASCADE"), nullable=False),
        Column("seq", Integer, nullable=False),  # order of creation within the design
        Column("created", Float, nullable=False),
        Column("body", Text, nullable=False),  # JSON record
        Index(f"{name}_by_design", "design_id", "seq"),
    )


runs = _records("runs")
exports = _records("exports")

# Version 2: large files (weights, models, datasets) belonging to runs and exports, with
# their sizes, so that deleting a record deletes its files and disk use can be summed.
files = Table(
    "files",
    metadata,
    Column("path", Text, primary_key=True),
    Column("workspace_id", String(64), ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("owner_id", String(32), nullable=False),  # the run or export the file belongs to
    Column("bytes", Integer, nullable=False),
    Column("created", Float, nullable=False),
    Index("files_by_owner", "owner_id"),
)


# Version 3: each setting of a workspace on its own row with its own version, so that a tab
# writes only the settings it changed and a stale tab's change of a setting is refused, as a
# stale write of a design is (the workspace row's JSON object before).
settings = Table(
    "workspace_settings",
    metadata,
    Column("workspace_id", String(64), ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(MAX_SETTING_KEY), primary_key=True),
    Column("value", Text, nullable=False),  # JSON
    Column("version", Integer, nullable=False),  # bumped on every write; a stale writer is refused
)


def _settings_per_key(conn: Connection) -> None:
    settings.create(conn)
    for workspace_id, text in conn.execute(select(workspaces.c.id, workspaces.c.settings)).all():
        try:
            values = json.loads(text)
        except ValueError:
            values = {}
        rows = [
            {"workspace_id": workspace_id, "key": key, "value": json.dumps(value), "version": 1}
            for key, value in (values.items() if isinstance(values, dict) else ())
            if 1 <= len(key) <= MAX_SETTING_KEY  # longer names were never written by the app
        ]
        if rows:
            conn.execute(settings.insert(), rows)
    conn.execute(update(workspaces).values(settings="{}"))


# Version 4: every latency measurement of a whole model (an export, a calibration's probe),
# by the machine that made it: the latency model is checked against them and refined with
# them. A machine's measurements outlive any workspace.
measurements = Table(
    "latency_measurements",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("machine", String(200), nullable=False),  # analysis.latency_model.Machine.key
    Column("threads", Integer, nullable=False),
    Column("created", Float, nullable=False),
    Column("body", Text, nullable=False),  # JSON: jobs.messages.Measurement.to_dict()
    Index("measurements_by_machine", "machine", "threads", "created"),
)


def _create(*tables: Table) -> Callable[[Connection], None]:
    def step(conn: Connection) -> None:
        for table in tables:
            table.create(conn)

    return step


MIGRATIONS: list[Callable[[Connection], None]] = [
    _create(workspaces, designs, history, runs, exports),  # 0 -> 1
    _create(files),  # 1 -> 2
    _settings_per_key,  # 2 -> 3
    _create(measurements),  # 3 -> 4
]
LATEST = len(MIGRATIONS)
