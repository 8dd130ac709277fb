"""The free-disk guard for everything the app writes (dataset files, jobs' files): a write
must leave ``DISK_RESERVE_BYTES`` of the disk free."""

from __future__ import annotations

import shutil
from pathlib import Path

from lightdesign.core.format import size

DISK_RESERVE_BYTES = 256 * 2**20  # writing stops short of filling the disk by this much


class DiskFull(OSError):
    """Not enough free disk for a file; the message says how much is needed and free."""


def check_free(folder: Path, need: int, what: str = "the file") -> None:
    """Raise DiskFull unless ``need`` bytes fit on ``folder``'s disk with a reserve left."""
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if need + DISK_RESERVE_BYTES > free:
        raise DiskFull(
            f"not enough free disk for {what}: it needs {size(need)} and {size(free)} are free "
            f"(at least {size(DISK_RESERVE_BYTES)} are always kept free)"
        )
