"""The states of a training run's record in the workspace before its result arrives, and
the check that turns a run whose server process is gone into an interrupted one (on
opening a workspace; ``run_log`` writes the records as the run goes)."""

from __future__ import annotations

from lightdesign.core.workspace import Workspace
from lightdesign.jobs import liveness

RUNNING = "running"
INTERRUPTED = "interrupted"


def mark_interrupted(ws: Workspace) -> int:
    """Runs whose server process is gone become 'interrupted'; returns how many."""
    count = 0
    for entry in list(ws.entries.values()):
        for run in list(entry.runs):
            if run.get("state") == RUNNING and not liveness.is_alive(run.get("server")):
                ws.record_run_to(entry.id, {**run, "state": INTERRUPTED})
                count += 1
    return count
