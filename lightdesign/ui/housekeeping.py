"""Memory given back when sessions end.

Streamlit keeps a closed tab's session for ``server.disconnectedSessionTTL`` seconds and
then drops it; what the session held (its workspace, analyses of large designs, its
uploads) becomes garbage, but Python and the C allocator keep the freed pages for reuse,
so the server's resident memory does not come down. One thread per server watches the
number of sessions; when it falls, the garbage is collected and the allocator hands its
free pages back to the system (``malloc_trim`` on glibc). Nothing is done while sessions
only come and stay: a collection of a large heap takes the interpreter for a moment. Large
blocks are not kept by the allocator at all (``tune_allocator``).
"""

from __future__ import annotations

import ctypes
import gc
import logging
import sys
import threading
import time

import streamlit as st

CHECK_S = 10.0
log = logging.getLogger(__name__)


def _sessions() -> int | None:
    """Sessions the server holds (listing them also drops those past their TTL)."""
    try:
        from streamlit.runtime import Runtime

        return len(Runtime.instance()._session_mgr.list_sessions())  # private: there is no public count
    except Exception:  # noqa: BLE001 - not under `streamlit run` (AppTest), or another Streamlit
        return None


def release() -> None:
    """Collect garbage and give free heap pages back to the system."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


def _watch() -> None:
    known = _sessions()
    while True:
        time.sleep(CHECK_S)
        now = _sessions()
        if now is None:  # not readable this time (or not under `streamlit run`): try again later
            continue
        if known is not None and now < known:
            release()
            log.debug("sessions %d -> %d: memory released", known, now)
        known = now


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
MMAP_THRESHOLD = 256 * 1024


def tune_allocator() -> None:
    """Blocks of 256 KB and more (arrays, images, decoded uploads) come straight from the
    system and go straight back when freed. glibc otherwise raises that threshold each time
    such a block is freed (up to 32 MB), and later arrays of that size stay in its heap."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        except (OSError, AttributeError):
            pass


@st.cache_resource(show_spinner=False)
def start() -> threading.Thread:
    """The server's one watcher thread (started by the first session)."""
    tune_allocator()
    thread = threading.Thread(target=_watch, name="lightdesign-housekeeping", daemon=True)
    thread.start()
    return thread
