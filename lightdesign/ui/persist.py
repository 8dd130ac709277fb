"""Keeping a session's workspace in the store (DESIGN rule 9): the session state is a
cache of the store, never the only copy.

Opening the app without ``?w=`` creates a workspace with an unguessable id and puts it in
the URL; a refresh, a bookmark or another tab with the same URL opens the same workspace.
Changes are flushed once per run (after the widget callbacks, before the page draws) and
after anything a fragment changes. When the database cannot be used the app keeps
working in memory, shows why, and tries again on the next run.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import streamlit as st

from lightdesign import config
from lightdesign.core.workspace import Workspace
from lightdesign.store import StaleWrite, Store, StoreError, new_workspace_id, open_store, valid_workspace_id
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import md

QUERY_KEY = "w"
STATUS = "store_status"  # ("saved", "") or ("failed", reason)
RECENT_COOKIE = "lightdesign_recent"
MAX_RECENT = 8
REMEMBERED = "store_remembered"  # the workspace id last put into this browser's recent list
log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    # Raising keeps nothing in the cache, so a failed open is tried again on the next run.
    return open_store(url)


def _housekeeping(db: Store) -> None:
    """Delete workspaces untouched for LIGHTDESIGN_KEEP_DAYS, at most once a day (checked
    when a session opens; the check is one small query)."""
    try:
        if db.cleanup_due():
            removed = db.cleanup(config.keep_days())
            if removed:
                log.info("removed %d workspaces untouched for %s days", len(removed), config.keep_days())
    except StoreError as exc:
        log.warning("cleanup failed: %s", exc)


def store() -> Store | None:
    """The process's store, or None (with the reason in the status) when it cannot be used."""
    try:
        return _store(config.database_url())
    except StoreError as exc:
        _fail(str(exc))
    except Exception as exc:  # a driver or file-system error must not take the page down
        log.exception("cannot open the store")
        _fail(_unexpected(exc))
    return None


def _fail(reason: str) -> None:
    st.session_state[STATUS] = ("failed", reason)


def _unexpected(exc: BaseException) -> str:
    """An error no message was written for, in words a visitor may see: its kind, not its text
    (which may name a server path or a connection string); the details are in the server log."""
    return f"{type(exc).__name__} (the details are in the server's log)"


def _saved() -> None:
    st.session_state[STATUS] = ("saved", "")


def open_workspace(state_key: str, flash) -> None:
    """On a session's first run: the workspace of ``?w=``, or a new one kept in the store."""
    wanted = st.query_params.get(QUERY_KEY)
    db = store()
    if db is not None:
        _housekeeping(db)
    ws = None
    if wanted and db is not None:
        if not valid_workspace_id(wanted):
            flash("error", t("store.bad_link"))
        else:
            try:
                ws = db.load(wanted)
            except StoreError as exc:
                _fail(str(exc))
            if ws is None and st.session_state.get(STATUS, ("saved",))[0] == "saved":
                flash("warning", t("store.not_found"))
    if ws is None:
        ws = Workspace()
        if db is not None:
            _create(db, ws)
    else:
        _saved()
    st.session_state[state_key] = ws
    _show_id_in_url(ws)


def _create(db: Store, ws: Workspace) -> None:
    try:
        db.create(ws, new_workspace_id())
        _saved()
    except StoreError as exc:
        _fail(str(exc))


def _show_id_in_url(ws: Workspace) -> None:
    if ws.id and st.query_params.get(QUERY_KEY) != ws.id:
        st.query_params[QUERY_KEY] = ws.id
    if ws.id and st.session_state.get(REMEMBERED) != ws.id:
        st.session_state[REMEMBERED] = ws.id
        remember_in_browser(ws.id)


def sync(state_key: str, flash) -> None:
    """Write what changed since the last run; then pick up changes made in other tabs."""
    ws: Workspace = st.session_state[state_key]
    db = store()
    if db is None:
        return
    if ws.id is None:  # the store was unavailable when the session began
        _create(db, ws)
        _show_id_in_url(ws)
        return
    if save(state_key, flash) and not ws.journal:
        _reload_if_changed(db, state_key, flash)
    _show_id_in_url(ws)


def save(state_key: str, flash) -> bool:
    """Flush the workspace's journal; True when everything is saved."""
    ws: Workspace = st.session_state[state_key]
    db = store()
    if db is None or ws.id is None:
        return False
    try:
        db.flush(ws)
    except StaleWrite:
        _reload(db, state_key)
        flash("warning", t("store.reloaded"))
        return True
    except StoreError as exc:
        _fail(str(exc))
        return False
    except Exception as exc:  # keep working in memory whatever the driver raised
        log.exception("saving the workspace failed")
        _fail(_unexpected(exc))
        return False
    _saved()
    return True


def _reload(db: Store, state_key: str) -> None:
    old: Workspace = st.session_state[state_key]
    fresh = db.load(old.id)
    if fresh is None:
        return
    if old.current_id in fresh.entries:
        fresh.current_id = old.current_id
    fresh.version = old.version + 1  # new widget keys: widgets show the reloaded values
    st.session_state[state_key] = fresh


def _reload_if_changed(db: Store, state_key: str, flash) -> None:
    ws: Workspace = st.session_state[state_key]
    try:
        stored = db.versions(ws.id)
    except StoreError as exc:
        _fail(str(exc))
        return
    if stored is None:
        return
    designs = {design_id: entry.version for design_id, entry in ws.entries.items()}
    if (stored.workspace, stored.designs, stored.settings) != (ws.stored_version, designs, ws.setting_versions):
        _reload(db, state_key)
        flash("info", t("store.updated"))


def keep_files(ws: Workspace, owner_id: str, file_paths: list[str]) -> None:
    """Remember files a run or export wrote, so that they are deleted with the workspace."""
    db = store()
    if db is None or ws.id is None:
        return
    for path in file_paths:
        try:
            db.add_file(ws.id, owner_id, Path(path))
        except StoreError as exc:
            _fail(str(exc))
            return
        except OSError as exc:  # its text names the server's path
            _fail(f"a file of this workspace cannot be read ({exc.strerror or type(exc).__name__})")
            return


def owned_files(ws: Workspace) -> list[str]:
    """The files and folders the store keeps as this workspace's own: the only ones a job
    built from its records may open (none while the database cannot be read)."""
    db = store()
    if db is None or ws.id is None:
        return []
    try:
        return [path for path, _, _ in db.files_of(ws.id)]
    except StoreError as exc:
        _fail(str(exc))
        return []


def keep_measurement(measurement) -> None:
    """Keep a latency measurement (``jobs.messages.Measurement``) of this machine in the store:
    ``lightdesign calibrate`` refines the latency model with them."""
    db = store()
    if db is None or measurement is None:
        return
    try:
        db.add_measurement(measurement.to_dict())
    except StoreError as exc:
        _fail(str(exc))


def keep_settings(ws: Workspace, values: dict[str, Any]) -> None:
    """Record per-workspace settings (budget, batch size, optimizer) that changed."""
    for key, value in values.items():
        ws.set_setting(key, json.loads(json.dumps(value)))


def status_line(ws: Workspace) -> None:
    """'Saved' or a red 'Not saved: <reason>' banner, and the workspace link."""
    kind, reason = st.session_state.get(STATUS, ("failed", t("store.unknown")))
    if kind == "failed":
        st.error(t("store.failed", reason=reason), icon=":material/cloud_off:")
        return
    cols = st.columns([2, 3], vertical_alignment="center")
    cols[0].caption(t("store.saved"), help=t("store.saved.help", where=_store(config.database_url()).where))
    if ws.id:
        with cols[1].popover(t("store.link"), icon=":material/link:"):
            st.code(link(ws.id), language=None, wrap_lines=True)
            st.caption(t("store.link.help"))


def link(workspace_id: str) -> str:
    """The URL that opens this workspace."""
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{QUERY_KEY}={workspace_id}"


def recent_ids() -> list[str]:
    """Workspaces this browser opened, newest first (kept in a cookie of this browser only)."""
    raw = st.context.cookies.get(RECENT_COOKIE, "") if st.context.cookies else ""
    ids = [i for i in raw.split(".") if valid_workspace_id(i)]
    return list(dict.fromkeys(ids))[:MAX_RECENT]


def remember_in_browser(workspace_id: str) -> None:
    """Put this workspace first in the browser's recent list: a cookie set by a tiny script,
    SameSite=Lax, and Secure when the page came over https. Not HttpOnly: a Streamlit page
    cannot set a response header, and a script can set no HttpOnly cookie (README, *Your work
    is kept*, says why that leaves nothing more to a script than the page itself shows)."""
    ids = [workspace_id, *[i for i in recent_ids() if i != workspace_id]][:MAX_RECENT]
    value = ".".join(ids)
    # Only validated ids (letters, digits, '-', '_') reach this script.
    st.iframe(
        "<script>"
        "const page = window.parent;"
        f"page.document.cookie = '{RECENT_COOKIE}={value}; path=/; max-age=31536000; SameSite=Lax'"
        " + (page.location.protocol === 'https:' ? '; Secure' : '');"
        "</script>",
        height=1,
    )


def recent_list(current: str | None) -> None:
    """The Design page's 'Recent workspaces': links to the ones this browser opened."""
    db = store()
    ids = [i for i in recent_ids() if i != current]
    if db is None or not ids:
        st.caption(t("store.recent.none"))
        return
    try:
        found = db.design_names(ids)
    except StoreError:
        found = {}
    for workspace_id in ids:
        if workspace_id not in found:
            continue
        names = ", ".join(found[workspace_id][:3]) + ("…" if len(found[workspace_id]) > 3 else "")
        st.markdown(f"- [{md(names)}](?{QUERY_KEY}={workspace_id}) · `{workspace_id[:6]}…`")
