"""The editor's canvas: the palette and the design drawn top-down with React Flow, as a
Streamlit component (components v2, in the page itself: no iframe).

The frontend lives in ``canvas_frontend/`` (React, React Flow, dagre for the layered
layout); its bundle ``static/lightdesign-canvas.js`` (at the app root) is committed, so
running the app needs no Node. Streamlit serves it as a file (``server.enableStaticServing``)
and the component is a few lines that import it once per page: given inline, the 0.5 MB
bundle went to the browser again with every rerun, on every click and edit. Python sends what to draw (``canvas_data``); the browser sends one event per
gesture, applied here as one undoable edit through ``lightdesign.core.edits`` (``wiring``
composes them). A connection that would make the design invalid is refused with the
analysis's own message and leaves the design as it was.
"""

from __future__ import annotations

import functools
import json
import zlib
from typing import Any

import streamlit as st

from lightdesign import APP_DIR
from lightdesign.analysis.network import Analysis
from lightdesign.core import edits, kinds, wiring
from lightdesign.core import format as fmt
from lightdesign.core.design import DesignError
from lightdesign.output import graph_layout
from lightdesign.ui import actions, i18n, state
from lightdesign.ui.i18n import t

KEY = "ld_canvas"
NOTICE = "canvas_notice"  # the last refused gesture, shown on the canvas once
GESTURE = "canvas_gesture"  # this run follows a gesture on the canvas (its drawing goes first)
BUNDLE = APP_DIR / "static" / "lightdesign-canvas.js"
HEIGHT = 620


# Imports the bundle the first time and keeps its render function, by URL (a new build
# after a redeploy has a new URL), for later runs; a blob-URL module cannot resolve a bare
# path, hence the page's origin.
_LOADER = """
export default function (component) {
  const url = new URL(%s, window.location.origin).href;
  const loaded = window.__ldCanvas;
  if (loaded && loaded.url === url) return loaded.render(component);
  let cleanup = null, gone = false;
  import(url).then((module) => {
    window.__ldCanvas = { url, render: module.default };
    if (!gone) cleanup = module.default(component);
  }).catch(() => {
    if (gone) return;
    const note = document.createElement("p");
    note.textContent = (component.data?.texts || {}).loadFailed || "The canvas could not be loaded.";
    component.parentElement.replaceChildren(note);
  });
  return () => { gone = true; if (cleanup) cleanup(); };
}
"""


def bundle_url() -> str:
    """Where Streamlit serves the bundle (``static/`` beside app.py), with its checksum so
    that a new build is fetched, not an old one from the browser's cache."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    version = zlib.crc32(BUNDLE.read_bytes())
    return f"{'/' + base if base else ''}/app/static/{BUNDLE.name}?v={version:08x}"


@functools.cache
def _component(served: bool):
    """The component, registered once per process on first use: a loader of the served
    bundle, or (static serving turned off in the config) the whole bundle inline."""
    js = _LOADER % json.dumps(bundle_url()) if served else BUNDLE.read_text(encoding="utf-8")
    return st.components.v2.component("lightdesign_canvas", js=js)


# -- what to draw -----------------------------------------------------------------------------


def _texts() -> dict[str, str]:
    keys = {
        "input": "graph.input",
        "output": "graph.output",
        "search": "canvas.search",
        "fit": "canvas.fit",
        "loadFailed": "canvas.load_failed",
        "expandAll": "canvas.expand_all",
        "collapseAll": "canvas.collapse_all",
        "expand": "canvas.expand",
        "collapse": "canvas.collapse",
        "duplicate": "stack.duplicate",
        "delete": "stack.delete",
        "up": "stack.up",
        "down": "stack.down",
        "wrap": "canvas.wrap",
        "empty": "canvas.empty",
        "minimap": "canvas.minimap",
    }
    return {name: t(key) for name, key in keys.items()}


def palette() -> list[dict[str, Any]]:
    """The palette's categories, each kind with its one-line description."""
    return [
        {
            "category": category,
            "label": i18n.category(category),
            "color": graph_layout.CATEGORY_COLORS.get(category, "#ffffff"),
            "kinds": [{"kind": cls.kind, "doc": i18n.kind_doc(cls).split("\n")[0]} for cls in classes],
        }
        for category, classes in kinds.by_category().items()
    ]


def _kind(name: str):
    try:
        return kinds.get(name)
    except KeyError:
        return None


def _layer_summary(node) -> str:
    cfg = node.layer.cfg if node.layer is not None else {}
    bits = [node.kind]
    for key in ("filters", "units", "kernel_size", "strides", "activation"):
        value = cfg.get(key)
        if value is None or (key == "strides" and value in (1, (1, 1))) or value == "linear":
            continue
        bits.append(str(value))
    return " · ".join(bits)


def graph_data(result: Analysis) -> dict[str, Any]:
    """The blocks (with their category colour, settings, output shape, cost and first
    error) and the traced primitive layers with their inputs: the frontend draws blocks,
    or the layers of the blocks a person expanded, from these."""
    design, graph = result.design, result.graph
    errors: dict[int, str] = {}
    for issue in result.errors:
        if issue.block is not None:
            errors.setdefault(issue.block, i18n.issue_text(issue))
    rows = {row.index: row for row in result.blocks}
    traced = {span.index for span in graph.spans}
    dead = set(result.dead_blocks)  # feeds nothing: not part of the model, so no figures
    blocks = []
    for index, block in enumerate(design.blocks):
        cls = _kind(block.kind)
        row = rows.get(index)
        category = cls.category if cls else ""
        blocks.append(
            {
                "id": block.id,
                "name": block.name,
                "kind": block.kind,
                "summary": graph_layout.summary(block) + (f" · {i18n.t('graph.dead')}" if index in dead else ""),
                "color": graph_layout.CATEGORY_COLORS.get(category, graph_layout.ERROR_FILL),
                "error": errors.get(index + 1),
                "shape": fmt.shape(row.shape) if row and index in traced else "",
                "cost": f"{fmt.count(row.params)} params · {fmt.count(row.macs)} MACs"
                if row and index in traced
                else "",
                "composite": bool(cls and cls.composite),
                "merge": bool(cls and cls.ref_fields),
                "traced": index in traced,
            }
        )
    ids = {index: block.id for index, block in enumerate(design.blocks)}
    shapes = {node.name: node.shape for node in graph.nodes}
    prims = [
        {
            "name": node.name,
            "block": ids[node.block],
            "kind": node.kind,
            "summary": _layer_summary(node),
            "merge": graph_layout.is_merge(node),
            "inputs": [[source, fmt.shape(shapes[source])] for source in node.inputs],
        }
        for node in graph.nodes[1:]
        if node.block in ids
    ]
    output = graph.output.name if graph.spans else None
    return {
        "blocks": blocks,
        "prims": prims,
        "inputShape": fmt.shape(design.input_shape),
        "outputPrim": output,
        "outputShape": fmt.shape(graph.output.shape) if output else "",
        "complete": graph.complete,
    }


def canvas_data(result: Analysis, selected: str | None, design_key: str) -> dict[str, Any]:
    drawing = graph_data(result)
    graph_key = zlib.crc32(json.dumps(drawing, sort_keys=True).encode())
    ws = state.workspace()
    return {
        **drawing,
        "graphKey": f"{graph_key:08x}-{i18n.language()}",
        "designKey": design_key,
        "selected": selected,
        "palette": palette(),
        "texts": _texts(),
        "canUndo": ws.can_undo,
        "canRedo": ws.can_redo,
        "notice": st.session_state.pop(NOTICE, None),
        "height": HEIGHT,
    }


def render_canvas(result: Analysis, selected: str | None) -> None:
    ws = state.workspace()
    _component(bool(st.get_option("server.enableStaticServing")))(
        key=KEY,
        data=canvas_data(result, selected, f"{ws.id}/{ws.current}"),
        height=HEIGHT,
        on_event_change=_on_event,
    )


# -- what a gesture does ------------------------------------------------------------------------


def _refuse(text: str) -> None:
    st.session_state[NOTICE] = text
    state.flash("error", text)


def checked_edit(function, *args, select: bool = False) -> bool:
    """Apply an edit unless it makes the design invalid: then refuse it with the analysis's
    message (the first error the edit would add) and leave the design as it was."""
    design = state.workspace().design
    try:
        candidate = function(design, *args)
    except DesignError as exc:
        _refuse(t("canvas.refused", reason=str(exc)))
        return False
    candidate = candidate[0] if isinstance(candidate, tuple) else candidate
    # through the session's analyses: the page's run after this callback finds the
    # candidate's (which it draws when the edit is applied) instead of analysing it again
    settings = st.session_state[state.BATCH_SIZE], st.session_state[state.OPTIMIZER]
    before = {issue.text for issue in state.analysis(design, *settings).errors}
    added = [issue for issue in state.analysis(candidate, *settings).errors if issue.text not in before]
    if added:
        _refuse(t("canvas.refused", reason=i18n.issue_text(added[0])))
        return False
    return actions.edit(function, *args, select=select)


def _on_event() -> None:
    value = st.session_state.get(KEY)
    event = value.get("event") if value is not None else None
    if isinstance(event, dict):
        st.session_state[GESTURE] = True
        handle(event)


def handle(event: dict[str, Any]) -> None:
    """Apply one canvas event (what the browser sent) to the current design."""
    kind = event.get("type")
    block = event.get("block")
    if kind == "select":
        st.session_state[state.SELECTED] = block
    elif kind == "drop":
        edge = event.get("edge")
        if edge:
            actions.edit(wiring.insert_on_edge, event.get("kind"), edge[0], edge[1], edge[2], select=True)
        else:
            actions.edit(wiring.insert_after, event.get("kind"), event.get("after"), select=True)
    elif kind == "connect":
        checked_edit(wiring.connect, event.get("source"), event.get("target"), event.get("handle", wiring.MAIN))
    elif kind == "delete":
        actions.edit(edits.remove_block, block)
    elif kind == "duplicate":
        actions.edit(edits.duplicate_block, block, select=True)
    elif kind == "move":
        actions.edit(edits.move_block, block, int(event.get("delta", 0)))
    elif kind == "wrap":
        checked_edit(wiring.wrap_in_residual, block, select=True)
    elif kind in ("undo", "redo"):
        actions.workspace_action(kind)
