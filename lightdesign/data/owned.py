"""Which file a record may make a job open: a path kept in a workspace's records (an imported
model file, a run's trained model, its training data) is used only when it resolves, links
followed, to a regular file inside one of the files or folders the workspace owns (the
store's ``files`` table). The check runs each time a job is built from the record, so
whatever a record holds (a crafted archive, a relative path, a link planted in a folder)
never points a job at another workspace's file or anywhere else on the server."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def owned_file(path: object, owned: Iterable[str | os.PathLike]) -> Path | None:
    """The real path of ``path`` when it is an absolute path to a regular file that lies,
    once every link is followed, inside (or is) one of ``owned``; None otherwise."""
    if not isinstance(path, str) or not path or "\x00" in path or not os.path.isabs(path):
        return None  # a relative path would be read against the server's current folder
    try:
        real = Path(path).resolve(strict=True)
        if not real.is_file():
            return None
    except (OSError, RuntimeError, ValueError):  # missing, a link loop, a name the system refuses
        return None
    for root in owned:
        try:
            base = Path(root).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            continue
        if real == base or base in real.parents:
            return real
    return None
