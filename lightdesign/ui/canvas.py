"""The editor's canvas: the palette and the design drawn top-down with React Flow, as a
Streamlit component (components v2, in the page itself: no iframe).

The frontend lives in ``canvas_frontend/`` (React, React Flow, dagre for the layered
layout); its bundle ``static/lightdesign-canvas.js`` (at the app root) is committed, so
running the app needs no Node. Streamlit serves it as a file (``server.enableStaticServing``)
and the component is a few lines that import it once per page: given inline, the 0.5 MB
bundle went to the browser again with every rerun, on every click and edit. Python sends what to draw (``canvas_data``); the browser sends one event per
gesture, applied here as one undoable edit through ``lightdesign.core.edits`` (``wiring``
composes them). What each gesture did is said in words on the canvas, above the drawing
where the person is looking; a connection that would make the design invalid is refused
there with the analysis's own message and leaves the design as it was.

Each block's drawing data is one dict (``block_data``): a new fact to show on the nodes
(a latency, a target's verdict) is one more key there, or one more of its ``badges``.
"""

from __future__ import annotations

import functools
import json
import zlib
from dataclasses import dataclass
from typing import Any

import streamlit as st

from lightdesign import APP_DIR
from lightdesign.analysis.network import Analysis
from lightdesign.core import edits, kinds, wiring
from lightdesign.core import format as fmt
from lightdesign.core.design import Design, DesignError
from lightdesign.output import graph_layout
from lightdesign.ui import actions, i18n, latency_heat, ops_view, state
from lightdesign.ui.i18n import t

KEY = "ld_canvas"
NOTICE = "canvas_notice"  # what the last gesture did, or why it was refused: shown on the canvas once
GESTURE = "canvas_gesture"  # this run follows a gesture on the canvas (its drawing goes first)
INSPECTOR = "canvas_inspector_open"  # the inspector is shown beside the canvas (its toolbar hides it)
HEAT = "canvas_heat"  # blocks are coloured by their share of the predicted latency (the bar's toggle)
DROPS = "canvas_drops"  # [where, the block dropped last]: repeated drops onto one place stay in order
BUNDLE = APP_DIR / "static" / "lightdesign-canvas.js"
# The editor's height follows the window (set in ui/guide.py's page style): the canvas and
# the inspector beside it fill what is left under the pinned figures.
HEIGHT_CSS = "max(420px, calc(100vh - 230px))"
MERGES = {"add": "Add", "concatenate": "Concatenate"}  # a connection's choices besides "replace"
# Why a block cannot read another (wiring.order_problem) -> the refusal's text.
ORDER_TEXTS = {wiring.SELF: "canvas.order.self", wiring.CYCLE: "canvas.order.cycle", wiring.LATER: "canvas.order.later"}


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
        "palette": "canvas.palette",
        "hidePalette": "canvas.palette.hide",
        "inspector": "canvas.inspector",
        "hideInspector": "canvas.inspector.hide",
        "undo": "canvas.undo",
        "redo": "canvas.redo",
        "connectTitle": "canvas.connect.title",
        "connectAdd": "canvas.connect.add",
        "connectConcatenate": "canvas.connect.concatenate",
        "connectReplace": "canvas.connect.replace",
        "connectCancel": "canvas.connect.cancel",
        "heat": "canvas.heat",
        "heatHelp": "canvas.heat.help",
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


def _shortcuts(result: Analysis) -> dict[int, str]:
    """Block index -> the kind of a merge inside a composite block that takes the block's
    own input (a residual add, a squeeze-excitation multiply): shown as a badge on the
    collapsed block, where an edge would lie on top of its main edge."""
    graph = result.graph
    owner = {node.name: node.block for node in graph.nodes}
    found: dict[int, str] = {}
    for node in graph.nodes[1:]:
        cls = _kind(result.design.blocks[node.block].kind) if node.block is not None else None
        if cls is None or not cls.composite or not graph_layout.is_merge(node):
            continue
        if any(owner.get(source) != node.block for source in node.inputs):
            found.setdefault(node.block, node.kind)
    return found


def _badge(kind: str) -> dict[str, str]:
    return {
        "text": t("canvas.badge.residual") if kind == "Add" else kind,
        "title": t("canvas.badge.shortcut", kind=kind),
        "tone": "shortcut",
    }


@dataclass(frozen=True)
class _Facts:
    """What ``block_data`` looks up per block, gathered once per drawing."""

    rows: dict[int, Any]  # block index -> its row of the analysis (params, MACs, shape)
    traced: set[int]
    dead: set[int]  # blocks that feed nothing: not part of the model, so no figures
    errors: dict[int, str]  # block index -> its first error
    shortcuts: dict[int, str]
    unsupported: dict[int, list]  # block index -> its layers TFLite Micro cannot run in int8
    heat: dict[int, tuple[str, dict[str, str]]]  # block index -> (fill, badge) while the heat map is on

    @classmethod
    def of(cls, result: Analysis) -> _Facts:
        errors: dict[int, str] = {}
        for issue in result.errors:
            if issue.block is not None:
                errors.setdefault(issue.block - 1, i18n.issue_text(issue))
        return cls(
            rows={row.index: row for row in result.blocks},
            traced={span.index for span in result.graph.spans},
            dead=set(result.dead_blocks),
            errors=errors,
            shortcuts=_shortcuts(result),
            unsupported=ops_view.by_block(result),
            heat=latency_heat.fills(result.latency) if heat_on() else {},
        )


def block_data(design: Design, index: int, facts: _Facts) -> dict[str, Any]:
    """What the canvas draws of block ``index``: name, kind, category colour, summary,
    output shape and cost (once traced), first error, what it reads, and badges (small
    labels in its title row, each ``{text, title, tone}``)."""
    block = design.blocks[index]
    cls = _kind(block.kind)
    row = facts.rows.get(index) if index in facts.traced else None
    badges = [_badge(facts.shortcuts[index])] if index in facts.shortcuts else []
    if index in facts.unsupported:
        badges.append(ops_view.badge(facts.unsupported[index]))
    color = graph_layout.CATEGORY_COLORS.get(cls.category if cls else "", graph_layout.ERROR_FILL)
    if index in facts.heat:
        color, heat_badge = facts.heat[index]
        badges.append(heat_badge)
    return {
        "id": block.id,
        "name": block.name,
        "kind": block.kind,
        "summary": graph_layout.summary(block) + (f" · {i18n.t('graph.dead')}" if index in facts.dead else ""),
        "color": color,
        "error": facts.errors.get(index),
        "shape": fmt.shape(row.shape) if row else "",
        "cost": f"{fmt.count(row.params)} params · {fmt.count(row.macs)} MACs" if row else "",
        "composite": bool(cls and cls.composite),
        "merge": bool(cls and cls.ref_fields),
        "traced": index in facts.traced,
        "reads": block.input or (design.blocks[index - 1].name if index else wiring.INPUT),
        "badges": badges,
    }


def graph_data(result: Analysis) -> dict[str, Any]:
    """The blocks (``block_data``) and the traced primitive layers with their inputs: the
    frontend draws blocks, or the layers of the blocks a person expanded, from these."""
    design, graph = result.design, result.graph
    facts = _Facts.of(result)
    blocks = [block_data(design, index, facts) for index in range(len(design.blocks))]
    ids = {index: block.id for index, block in enumerate(design.blocks)}
    shapes = {node.name: node.shape for node in graph.nodes}
    prims = [
        {
            "name": node.name,
            "block": ids[node.block],
            "kind": node.kind,
            "summary": _layer_summary(node),
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
        "notice": st.session_state.pop(NOTICE, None) or _heat_notice(result),
        "heat": heat_on(),
        "inspectorOpen": inspector_open(),
    }


def heat_on() -> bool:
    return st.session_state.get(HEAT, False)


def _heat_notice(result: Analysis) -> dict[str, str] | None:
    """While the heat map is on without a prediction: why the blocks keep their colours."""
    if not heat_on() or latency_heat.shares(result.latency):
        return None
    why = result.latency.note(i18n.language()) if result.latency is not None else None
    return {"level": "info", "text": t("canvas.heat.none", why=why or t("canvas.heat.no_prediction"))}


def inspector_open() -> bool:
    return st.session_state.get(INSPECTOR, True)


def render_canvas(result: Analysis, selected: str | None) -> None:
    ws = state.workspace()
    _component(bool(st.get_option("server.enableStaticServing")))(
        key=KEY,
        data=canvas_data(result, selected, f"{ws.id}/{ws.current}"),
        on_event_change=_on_event,
    )


# -- what a gesture does ------------------------------------------------------------------------


def _say(text: str, level: str = "done") -> None:
    """What the gesture did (``done``), that it changed nothing (``info``) or why it was
    refused (``error``): shown once, on the canvas's bar."""
    st.session_state[NOTICE] = {"level": level, "text": text}


def _refuse(reason: str) -> None:
    _say(t("canvas.refused", reason=reason), "error")


def _settings() -> tuple[int, str]:
    return st.session_state[state.BATCH_SIZE], st.session_state[state.OPTIMIZER]


def checked_edit(function, *args, select: bool = False, check: bool = True) -> bool:
    """Apply an edit unless it is refused, or (``check``) makes the design invalid: then say
    why with the analysis's message (the first error the edit would add) and leave the
    design as it was."""
    design = state.workspace().design
    try:
        candidate = function(design, *args)
    except DesignError as exc:
        _refuse(str(exc))
        return False
    if check:
        candidate = candidate[0] if isinstance(candidate, tuple) else candidate
        # through the session's analyses: the page's run after this callback finds the
        # candidate's (which it draws when the edit is applied) instead of analysing it again
        before = {issue.text for issue in state.analysis(design, *_settings()).errors}
        added = [issue for issue in state.analysis(candidate, *_settings()).errors if issue.text not in before]
        if added:
            _refuse(i18n.issue_text(added[0]))
            return False
    return actions.edit(function, *args, select=select)


def _label(design: Design, ref: Any) -> str:
    """A block id as the person knows it: its name, or the model's input or output."""
    if ref == wiring.INPUT:
        return t("graph.input")
    if ref == wiring.OUTPUT:
        return t("graph.output")
    return next((b.name for b in design.blocks if b.id == ref), str(ref))


def _selected_name() -> str:
    return _label(state.workspace().design, st.session_state[state.SELECTED])


def _newly_dead(before: Design) -> str:
    """The sentence naming the blocks an edit left feeding nothing (empty when none)."""
    after = state.workspace().design
    was = {before.blocks[i].id for i in state.analysis(before, *_settings()).dead_blocks}
    dead = state.analysis(after, *_settings()).dead_blocks
    now = [after.blocks[i].name for i in dead if after.blocks[i].id not in was]
    return " " + t("canvas.said.dead", names=", ".join(now)) if now else ""


def _drop_place(design: Design, after: str | None) -> str | None:
    """Where a kind dropped onto ``after`` goes: right after it, or after the block the
    last drop onto the same place added, so that repeated drops keep their order."""
    where = after or wiring.INPUT
    last = st.session_state.get(DROPS)
    ids = [b.id for b in design.blocks]
    if not last or last[0] != where or last[1] not in ids:
        return after
    if where == wiring.INPUT or (where in ids and ids.index(last[1]) > ids.index(where)):
        return last[1]
    return after


def _drop(event: dict[str, Any]) -> None:
    design, kind, edge = state.workspace().design, event.get("kind"), event.get("edge")
    if isinstance(edge, list) and len(edge) == 3:
        if checked_edit(wiring.insert_on_edge, kind, *edge, select=True, check=False):
            source, target = _label(design, edge[0]), _label(design, edge[1])
            _say(t("canvas.said.between", name=_selected_name(), kind=kind, source=source, target=target))
        return
    after = event.get("after")
    place = _drop_place(design, after)
    if checked_edit(wiring.insert_after, kind, place, select=True, check=False):
        st.session_state[DROPS] = [after or wiring.INPUT, st.session_state[state.SELECTED]]
        if place in (None, wiring.INPUT):
            _say(t("canvas.said.added_top", name=_selected_name(), kind=kind))
        else:
            _say(t("canvas.said.added_after", name=_selected_name(), kind=kind, after=_label(design, place)))


def _connect(event: dict[str, Any]) -> None:
    design = state.workspace().design
    source, target = event.get("source"), event.get("target")
    try:
        problem = wiring.order_problem(design, source, target)
        main = wiring.reads(design, target)[0]
    except DesignError as exc:
        _refuse(str(exc))
        return
    names = {"source": _label(design, source), "target": _label(design, target)}
    if problem:
        _refuse(t(ORDER_TEXTS[problem], **names))
    elif event.get("handle") == wiring.SOURCE:
        if checked_edit(wiring.connect, source, target, wiring.SOURCE):
            _say(t("canvas.said.second", **names))
    elif event.get("how") in MERGES:
        kind = MERGES[event["how"]]
        if checked_edit(wiring.merge_into, kind, source, target, select=True):
            _say(t("canvas.said.merged", merge=_selected_name(), kind=kind, main=main, **names))
    elif main == names["source"]:
        _say(t("canvas.said.same", **names), "info")
    elif checked_edit(wiring.connect, source, target):
        _say(t("canvas.said.replaced", old=main, **names) + _newly_dead(design))


def _delete(event: dict[str, Any]) -> None:
    design = state.workspace().design
    if checked_edit(edits.remove_block, event.get("block"), check=False):
        _say(t("canvas.said.deleted", name=_label(design, event.get("block"))) + _newly_dead(design))


def _duplicate(event: dict[str, Any]) -> None:
    design = state.workspace().design
    if checked_edit(edits.duplicate_block, event.get("block"), select=True, check=False):
        _say(t("canvas.said.duplicated", name=_selected_name(), original=_label(design, event.get("block"))))


def _move(event: dict[str, Any]) -> None:
    delta = int(event.get("delta", 0))
    if checked_edit(edits.move_block, event.get("block"), delta, check=False):
        key = "canvas.said.moved_up" if delta < 0 else "canvas.said.moved_down"
        _say(t(key, name=_label(state.workspace().design, event.get("block"))))


def _wrap(event: dict[str, Any]) -> None:
    design = state.workspace().design
    if checked_edit(wiring.wrap_in_residual, event.get("block"), select=True):
        _say(t("canvas.said.wrapped", name=_selected_name(), block=_label(design, event.get("block"))))


def _travel(event: dict[str, Any]) -> None:
    ws, undo = state.workspace(), event.get("type") == "undo"
    if not (ws.can_undo if undo else ws.can_redo):
        _say(t("canvas.said.nothing_to_undo" if undo else "canvas.said.nothing_to_redo"), "info")
        return
    actions.workspace_action("undo" if undo else "redo")
    _say(t("canvas.said.undone" if undo else "canvas.said.redone"))


def _select(event: dict[str, Any]) -> None:
    st.session_state[state.SELECTED] = event.get("block")


def _show_inspector(event: dict[str, Any]) -> None:
    st.session_state[INSPECTOR] = bool(event.get("open"))


def _heat(event: dict[str, Any]) -> None:
    st.session_state[HEAT] = bool(event.get("on"))


GESTURES = {
    "select": _select,
    "drop": _drop,
    "connect": _connect,
    "delete": _delete,
    "duplicate": _duplicate,
    "move": _move,
    "wrap": _wrap,
    "undo": _travel,
    "redo": _travel,
    "inspector": _show_inspector,
    "heat": _heat,
}


def _on_event() -> None:
    value = st.session_state.get(KEY)
    event = value.get("event") if value is not None else None
    if isinstance(event, dict):
        st.session_state[GESTURE] = True
        handle(event)


def handle(event: dict[str, Any]) -> None:
    """Apply one canvas event (what the browser sent) to the current design."""
    gesture = GESTURES.get(event.get("type"))
    if gesture is not None:
        gesture(event)
