"""Tables and migrations.

The schema version lives in ``lightdesign_meta``; ``MIGRATIONS[i]`` upgrades a database
from version ``i`` to ``i + 1``. A database created by one release opens in the next
because every release only appends steps here. Each step runs in its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Column, Connection, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text

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
    Column("settings", Text, nullable=False),  # JSON object
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


# Version 3: every latency measurement of a whole model (an export, a calibration's probe),
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
    _create(measurements),  # 2 -> 3
]
LATEST = len(MIGRATIONS)
