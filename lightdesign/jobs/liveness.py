"""Which server process runs a job, and whether that process is still alive.

A run is kept in the store from the moment it starts, tagged with the server process that
runs it. After a restart (also after ``kill -9``) that process is gone, so the run is shown
as interrupted with the epochs it finished, instead of as running forever.
"""

from __future__ import annotations

import os
import socket

import psutil


def this_server() -> dict:
    """Host, process id and the process's start time (pids are reused; start times are not)."""
    process = psutil.Process(os.getpid())
    return {"host": socket.gethostname(), "pid": process.pid, "started": round(process.create_time(), 2)}


def is_alive(server: dict | None) -> bool:
    """False when ``server`` names a process on this host that no longer runs; True when it
    runs, or when it is on another host (another replica: it keeps its own runs)."""
    if not isinstance(server, dict) or server.get("host") != socket.gethostname():
        return server is not None and isinstance(server, dict)
    try:
        process = psutil.Process(int(server.get("pid", -1)))
        return abs(process.create_time() - float(server.get("started", 0))) < 1.0
    except (psutil.Error, ValueError, TypeError):
        return False
