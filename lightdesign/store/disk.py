"""Disk budgets for the files jobs write (trained models, exported files, each job's
folder), kept in the store's ``files`` table with their sizes.

Before a job writes, ``prepare`` makes room: the oldest files of the workspace are deleted
until the workspace fits its budget (``LIGHTDESIGN_WORKSPACE_DISK_MB``, default 2 GB) with
the new job's files counted in, then the oldest files of the whole server until it fits
the server's budget (``LIGHTDESIGN_DISK_BUDGET_MB``, default 20 GB); and the disk must have
the room free with a reserve left. A job that cannot fit is refused with the reason.
Datasets are kept apart, in a cache of their own (``lightdesign.data.limits.MAX_CACHE_BYTES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lightdesign import config
from lightdesign.core.format import size
from lightdesign.data.free_space import DiskFull, check_free

WORKSPACE_BUDGET_ENV = "LIGHTDESIGN_WORKSPACE_DISK_MB"
SERVER_BUDGET_ENV = "LIGHTDESIGN_DISK_BUDGET_MB"


def workspace_budget() -> int:
    return int(config.value(WORKSPACE_BUDGET_ENV) * 2**20)


def server_budget() -> int:
    return int(config.value(SERVER_BUDGET_ENV) * 2**20)


@dataclass(frozen=True)
class Plan:
    """Which kept files to delete so that ``need`` more bytes fit, or why they cannot."""

    delete: list[str]
    refusal: str | None = None


def plan(
    files: list[tuple[str, str, str, int]], workspace_id: str | None, need: int, per_workspace: int, per_server: int
) -> Plan:
    """``files``: (path, workspace id, owner id, bytes), oldest first. The oldest files of
    the workspace go first, then the oldest of the server, until both budgets hold ``need``."""
    if need > per_workspace:
        return Plan(
            [],
            f"this job's files would take about {size(need)}, more than a workspace may keep "
            f"({size(per_workspace)}; {WORKSPACE_BUDGET_ENV} changes the budget)",
        )
    if need > per_server:
        return Plan(
            [], f"this job's files would take about {size(need)}, more than the server keeps ({size(per_server)})"
        )
    doomed: list[str] = []
    mine = [f for f in files if f[1] == workspace_id]
    used = sum(f[3] for f in mine)
    for path, _, _, nbytes in mine:
        if used + need <= per_workspace:
            break
        doomed.append(path)
        used -= nbytes
    total = sum(f[3] for f in files if f[0] not in doomed)
    for path, _, _, nbytes in files:
        if total + need <= per_server:
            break
        if path not in doomed:
            doomed.append(path)
            total -= nbytes
    return Plan(doomed)


def prepare(store, workspace_id: str | None, need: int, folder: Path) -> str | None:
    """Make room for a job that writes about ``need`` bytes under ``folder``; the reason
    it cannot start, or None. Without a store only the free space is checked."""
    if store is not None:
        try:
            decided = plan(store.files_by_age(), workspace_id, need, workspace_budget(), server_budget())
        except Exception:  # noqa: BLE001 - the store is down: the free-space check still holds
            decided = Plan([])
        if decided.refusal:
            return decided.refusal
        if decided.delete:
            try:
                store.delete_files(decided.delete)
            except Exception:  # noqa: BLE001 - the store is down: the free-space check below still decides
                pass
    try:
        check_free(folder, need, "the job's files")
    except DiskFull as exc:
        return str(exc)
    except OSError as exc:
        return f"the work folder cannot be used ({exc.strerror or type(exc).__name__})"  # its path is the server's
    return None
