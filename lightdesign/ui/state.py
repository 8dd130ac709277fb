"""Session state: the keys the pages share are defined here and initialised in one place; a
key that one module owns (a widget's value it reads back, its own cache or job) is a constant
of that module. Each key is named once, and ``st.session_state`` is read and written through
those names, never a literal (tests/unit/test_session_keys.py checks both).

Nothing here is module-level mutable state: Streamlit shares modules between sessions,
so everything a person owns lives in ``st.session_state``.
"""

from __future__ import annotations

import streamlit as st

from lightdesign.analysis.network import OPTIMIZER_SLOTS, Analysis, analyze
from lightdesign.core import share
from lightdesign.core.design import DesignError
from lightdesign.core.layers.opaque import opaque_blocks
from lightdesign.core.workspace import Workspace
from lightdesign.explore.budget import LIMIT_BY_KEY, LIMIT_BY_NAME
from lightdesign.ui import housekeeping, icons, persist, run_records
from lightdesign.ui.i18n import issue_text, language, t
from lightdesign.ui.markup import md, message

WORKSPACE = "workspace"
SELECTED = "selected_block"  # block id selected in the current design
LAST_VALID = "last_valid"  # design id -> last Analysis without errors (the few latest designs only)
MAX_LAST_VALID = 3
MESSAGES = "messages"  # (level, text) shown once at the top of the next page run
LINK_CHECKED = "link_checked"
BATCH_SIZE = "batch_size"
OPTIMIZER = "optimizer"
EXPAND_ALL = "graph_expand_all"
EXPANDED = "graph_expanded"
SHARE_URL = "share_url"
BUDGET = "budget"  # metric key of a budget.LIMITS entry -> maximum (None = no limit)
MIN_RESOLUTION = "budget_min_resolution"
SHOW_SCALING = "show_scaling"
SHOW_SUGGESTIONS = "show_suggestions"
GRAPH_ARTICLE = "graph_article_style"  # draw the graph and the Mermaid/DOT export as the article does
LEARN_OPEN = "learn_open"  # what a Learn page button asked to open (see ui/learn_view.py)
DESIGN_TAB = "design_tab"  # the open tab under the Design page's editor (tabs run only when open)
GUIDE_DISMISSED = "guide_dismissed"  # the first-run guide was dismissed in this workspace
COPIED_LINK = "copied_link"  # the share link last written to the clipboard
FIGURES_OF = "figures_of"  # the Analysis whose figures the Design page showed last
WORKSPACE_REF = "workspace_ref"  # [the session's workspace], for reading outside the script thread
SIDEBAR = "sidebar_shows"  # what the Design page's sidebar showed when it was last drawn

_DEFAULTS = {
    SELECTED: None,
    LAST_VALID: {},
    MESSAGES: [],
    LINK_CHECKED: False,
    BATCH_SIZE: 32,
    OPTIMIZER: "adam",
    EXPAND_ALL: False,
    EXPANDED: [],
    SHARE_URL: "",
    BUDGET: {},
    MIN_RESOLUTION: 0,
    SHOW_SCALING: False,
    SHOW_SUGGESTIONS: False,
    GRAPH_ARTICLE: False,
    GUIDE_DISMISSED: False,
}


# Settings kept with the workspace in the store (they come back after a refresh).
WORKSPACE_SETTINGS = (BUDGET, MIN_RESOLUTION, BATCH_SIZE, OPTIMIZER, GUIDE_DISMISSED)
MAX_WIDGET_INT = 4096  # the batch size's and the minimum resolution's widgets take up to this


def init() -> None:
    """Create missing keys; open the session's workspace from the store (``?w=``) on its
    first run and save what the widget callbacks changed on later runs; load a shared
    design from the URL."""
    housekeeping.start()  # once per server: memory given back when sessions end
    for key, value in _DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value.copy() if isinstance(value, (dict, list)) else value
    sync()
    if not st.session_state[LINK_CHECKED]:
        st.session_state[LINK_CHECKED] = True
        _load_link()


def sync() -> None:
    """Open the session's workspace, or save what the callbacks changed and pick up what
    other tabs saved: at the start of every run, the editor's fragment runs included."""
    before = st.session_state.get(WORKSPACE)
    if before is None:
        persist.open_workspace(WORKSPACE, flash)
    else:
        persist.sync(WORKSPACE, flash)
    if st.session_state[WORKSPACE] is not before:
        _restore_settings()
        _interrupted_runs()
    _track_workspace()


def workspace_reader():
    """A function that returns the session's workspace as it is when called, from any thread:
    the sidebar's download runs it when clicked, after editor runs may have replaced it."""
    ref = st.session_state.setdefault(WORKSPACE_REF, [None])
    ref[0] = workspace()
    return lambda: ref[0]


def _track_workspace() -> None:
    ref = st.session_state.get(WORKSPACE_REF)
    if ref is not None:
        ref[0] = workspace()


def _interrupted_runs() -> None:
    if run_records.mark_interrupted(workspace()):
        save()


def _restore_settings() -> None:
    saved = workspace().settings
    for key in WORKSPACE_SETTINGS:
        if key in saved and _restorable(key, saved[key]):
            st.session_state[key] = saved[key]


def _restorable(key: str, value: object) -> bool:
    """Whether a saved setting is one its widget could have written: an imported workspace
    archive may hold anything, and a value no widget takes would break every page run."""
    if key in (BATCH_SIZE, MIN_RESOLUTION):
        low = 1 if key == BATCH_SIZE else 0
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= MAX_WIDGET_INT
    if key == OPTIMIZER:
        return isinstance(value, str) and value in OPTIMIZER_SLOTS
    if key == GUIDE_DISMISSED:
        return isinstance(value, bool)
    if key == BUDGET:
        return isinstance(value, dict) and all(
            (k in LIMIT_BY_KEY or k in LIMIT_BY_NAME)
            and (v is None or (isinstance(v, int) and not isinstance(v, bool) and v >= 0))
            for k, v in value.items()
        )
    return False


def finish_run() -> None:
    """After the page ran: keep the workspace settings and save what the page changed."""
    persist.keep_settings(workspace(), {key: st.session_state[key] for key in WORKSPACE_SETTINGS})
    save()


def fragment_rerun() -> bool:
    """True while only a fragment reruns (the page script and app.py do not)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def sidebar_shows(ws: Workspace, lang: str) -> tuple:
    """What the Design page's sidebar draws from the workspace: the designs, the current
    one's input shape and classes, its opaque blocks (place, name, operation, reason), the
    language."""
    design = ws.design
    found = {id(b) for b in opaque_blocks(design)}
    opaque = tuple(
        (index, b.name, b.params.get("op"), b.params.get("reason"))
        for index, b in enumerate(design.blocks)
        if id(b) in found
    )
    return id(ws), tuple(ws.names), ws.current, tuple(design.input_shape), design.num_classes, opaque, lang


def sidebar_drawn() -> None:
    """Record what the sidebar shows (see ``sidebar_outdated``)."""
    st.session_state[SIDEBAR] = sidebar_shows(workspace(), language())


def sidebar_outdated() -> bool:
    """True when a fragment's edit changed what the sidebar shows: the page must rerun."""
    return st.session_state.get(SIDEBAR) != sidebar_shows(workspace(), language())


def save() -> None:
    """Write the workspace's pending changes now (e.g. from a fragment)."""
    before = st.session_state[WORKSPACE]
    persist.save(WORKSPACE, flash)
    if st.session_state[WORKSPACE] is not before:
        _restore_settings()
    _track_workspace()


def _load_link() -> None:
    token = st.query_params.get(share.QUERY_KEY)
    if not token:
        return
    try:
        design = share.decode(token)
        name = workspace().add(design)
        flash("success", t("link.opened", name=name))
    except DesignError as exc:
        flash("error", t("link.failed", error=exc))
    del st.query_params[share.QUERY_KEY]


def persistent_widget(key: str) -> dict:
    """Arguments for a widget whose value must outlive pages that do not show it.

    Streamlit forgets a widget's state when a run does not render it, so the value lives
    under ``key`` and the widget under ``"w_" + key``, copied both ways.
    """
    widget_key = f"w_{key}"
    st.session_state[widget_key] = st.session_state[key]

    def keep() -> None:
        st.session_state[key] = st.session_state[widget_key]

    return {"key": widget_key, "on_change": keep}


def workspace() -> Workspace:
    return st.session_state[WORKSPACE]


ANALYSES = "analyses"  # (design JSON, batch size, optimizer, calibration) -> Analysis of the last few designs
MAX_ANALYSES = 3


def analysis(design, batch_size: int = 32, optimizer: str = "adam") -> Analysis:
    """The design's analysis, done once per design content: a rerun that changed nothing in
    the design (a toggle, a tab, another page, a poll) does not analyse it again, which on
    a 1,000-block design is a third of a second of the server's interpreter each time. A
    calibration of the latency model made since (the Calibrate button) analyses it again."""
    key = (design.to_json(indent=None), batch_size, optimizer, calibration_stamp())
    kept: list = st.session_state.setdefault(ANALYSES, [])
    for index, (known, result) in enumerate(kept):
        if known == key:
            kept.insert(0, kept.pop(index))
            return result
    result = analyze(design, batch_size, optimizer)
    kept.insert(0, (key, result))
    del kept[MAX_ANALYSES:]
    return result


def calibration_stamp() -> float | None:
    """When this machine's one-thread latency calibration was written (None: not calibrated)."""
    from lightdesign.analysis import latency_model

    try:
        return latency_model.path_for(latency_model.this_machine(1)).stat().st_mtime
    except OSError:
        return None


SOURCES = "generated_sources"  # design JSON -> its generated Keras source (the last few designs)


def generated(design) -> str:
    """The design's generated code, made once per design content (DesignError when the
    design has errors): tracing a 1,000-block design again on every rerun costs seconds."""
    from lightdesign.output.codegen import generate

    key = design.to_json(indent=None)
    kept: list = st.session_state.setdefault(SOURCES, [])
    for known, source in kept:
        if known == key:
            return source
    source = generate(design)
    kept.insert(0, (key, source))
    del kept[MAX_ANALYSES:]
    return source


def remember_valid(result: Analysis) -> None:
    """Keep the current design's last valid analysis (shown greyed while it has errors),
    by design id, so a rename neither loses it nor leaves a copy behind; only designs of
    the workspace, and only the ``MAX_LAST_VALID`` latest (an analysis of a 1,000-block
    design is megabytes)."""
    ws = workspace()
    kept: dict = st.session_state[LAST_VALID]
    kept.pop(ws.current_id, None)
    kept[ws.current_id] = result
    for design_id in [k for k in kept if k not in ws.entries]:
        del kept[design_id]
    while len(kept) > MAX_LAST_VALID:
        del kept[next(iter(kept))]


def last_valid() -> Analysis | None:
    """The current design's last valid analysis, if one is kept."""
    return st.session_state[LAST_VALID].get(workspace().current_id)


def flash(level: str, text: str) -> None:
    """Queue a message for the top of the next run ('success', 'info', 'warning', 'error').
    ``text`` is plain text (it often quotes names, files and values people chose): it is
    shown as text, never as Markdown."""
    st.session_state[MESSAGES].append((level, str(text)))


def show_messages() -> None:
    for level, text in st.session_state[MESSAGES]:
        getattr(st, level)(md(text))
    st.session_state[MESSAGES] = []


def page_header(title_key: str, error_key: str) -> tuple[Workspace, Analysis]:
    """Title, queued messages and (if any) the current design's first error, shown with
    ``error_key``; returns the workspace and the design's analysis."""
    ws = workspace()
    result = analysis(ws.design)
    st.title(message(title_key, name=ws.current))
    persist.status_line(ws)
    show_messages()
    if result.errors:
        st.error(message(error_key, error=issue_text(result.errors[0])), icon=icons.ERROR)
    return ws, result
