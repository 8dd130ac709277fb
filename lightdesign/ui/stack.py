"""The List view (palette and stack: drag kinds into the stack, reorder, drop into the bin)
and the inspector's controls, which do the same for keyboard users; undo and redo."""

from __future__ import annotations

import streamlit as st

from lightdesign.analysis.network import Analysis
from lightdesign.core import edits, kinds
from lightdesign.ui import actions, i18n, state
from lightdesign.ui.i18n import t

PALETTE_PREFIX = "+ "

SELECT_KEY = "stack_select"
ADD_KIND_KEY = "stack_add_kind"
DROPS_KEY = "stack_drops"

_STYLE = """
.sortable-component { gap: 6px; }
.sortable-container { min-width: 0; background: #fafafa; border-radius: 6px; }
.sortable-container-header { font-size: 13px; font-weight: 600; padding: 4px 6px; }
.sortable-item { font-size: 12px; padding: 2px 6px; margin: 2px; line-height: 18px;
                 background-color: #e8eef7; color: #1f2937; border: 1px solid #b9c7dc; }
.sortable-container:nth-last-child(2) { background: #eef7f0; min-height: 60px; }
.sortable-container:nth-last-child(2) .sortable-item { background-color: #d7f0dd; border-color: #9fd3ad; }
.sortable-container:nth-last-child(1) { background: #fdecec; min-height: 40px; }
"""


def palette_groups() -> dict[str, dict[str, str]]:
    """Category -> {palette label -> kind}, in palette order."""
    return {
        category: {f"{PALETTE_PREFIX}{cls.kind}": cls.kind for cls in classes}
        for category, classes in kinds.by_category().items()
    }


def stack_labels(result: Analysis) -> dict[str, str]:
    """Stack label -> block id; blocks with errors are marked."""
    broken = {e.block for e in result.errors if e.block is not None}
    labels = {}
    for position, block in enumerate(result.design.blocks, start=1):
        mark = "⛔ " if position in broken else ""
        labels[f"{mark}{position}. {block.name} · {block.kind}"] = block.id
    return labels


def drag_and_drop(result: Analysis) -> None:
    """The sortable palette (one row per category), stack and bin. A drop is applied as
    one undoable edit."""
    from streamlit_sortables import sort_items

    ws = state.workspace()
    groups = palette_groups()
    palette = {label: kind for labels in groups.values() for label, kind in labels.items()}
    stack = stack_labels(result)
    containers = [{"header": i18n.category(category), "items": list(labels)} for category, labels in groups.items()]
    containers += [{"header": t("stack.stack"), "items": list(stack)}, {"header": t("stack.bin"), "items": []}]
    # Remount the component only when the stack itself changes (or after a drop), not on
    # every field edit: remounting its iframe is the slowest part of a rerun.
    drops = st.session_state.setdefault(DROPS_KEY, 0)
    # The language is part of the key: the component keeps the texts it was mounted with.
    key = f"sortable_{ws.current}_{i18n.language()}_{drops}_{hash(tuple(stack))}"
    returned = sort_items(containers, multi_containers=True, direction="horizontal", custom_style=_STYLE, key=key)
    if not returned or len(returned) != len(containers) or returned == containers:
        return
    st.session_state[DROPS_KEY] = drops + 1  # redraw the palette even if only it changed
    new_stack = returned[-2]["items"]
    if new_stack != list(stack):
        order = [
            stack[item] if item in stack else ("new", palette[item])
            for item in new_stack
            if item in stack or item in palette
        ]
        actions.edit(edits.reorder, order)
    st.rerun()


def selected_id(result: Analysis) -> str | None:
    """The selected block's id (the first block when none or a deleted one was selected)."""
    ids = [b.id for b in result.design.blocks]
    selected = st.session_state.get(state.SELECTED)
    if selected not in ids:
        selected = ids[0] if ids else None
        st.session_state[state.SELECTED] = selected
    return selected


def _on_select() -> None:
    st.session_state[state.SELECTED] = st.session_state[SELECT_KEY]


def _add_after(index: int) -> None:
    actions.edit(edits.insert_block, st.session_state[ADD_KIND_KEY], index, select=True)


def undo_redo() -> None:
    """The Undo and Redo buttons (the inspector's first row)."""
    ws = state.workspace()
    undo, redo = st.columns(2)
    undo.button(
        t("stack.undo"),
        key="undo",
        on_click=actions.workspace_action,
        args=("undo",),
        disabled=not ws.can_undo,
        width="stretch",
    )
    redo.button(
        t("stack.redo"),
        key="redo",
        on_click=actions.workspace_action,
        args=("redo",),
        disabled=not ws.can_redo,
        width="stretch",
    )


def buttons(result: Analysis) -> str | None:
    """Keyboard-friendly controls: select, add, move, duplicate, delete; returns the
    selected block id."""
    design = result.design
    selected = selected_id(result)
    ids = [b.id for b in design.blocks]
    names = {b.id: f"{i}. {b.name} · {b.kind}" for i, b in enumerate(design.blocks, start=1)}
    if ids:
        st.session_state[SELECT_KEY] = selected
        st.selectbox(t("stack.selected"), ids, key=SELECT_KEY, format_func=names.get, on_change=_on_select)
    index = ids.index(selected) + 1 if selected in ids else 0
    kind_names = [cls.kind for classes in kinds.by_category().values() for cls in classes]
    st.selectbox(
        t("stack.kind"),
        kind_names,
        key=ADD_KIND_KEY,
        format_func=i18n.labels(kind_names, lambda k: f"{k} · {i18n.category(kinds.get(k).category)}"),
    )
    st.button(t("stack.add"), key="add_block", on_click=_add_after, args=(index,), width="stretch")
    top, bottom = st.columns(2), st.columns(2)  # two by two: the inspector is narrow
    cols = [*top, *bottom]
    disabled = selected is None
    cols[0].button(
        t("stack.up"),
        key="move_up",
        on_click=actions.edit,
        args=(edits.move_block, selected, -1),
        disabled=disabled or index <= 1,
        width="stretch",
    )
    cols[1].button(
        t("stack.down"),
        key="move_down",
        on_click=actions.edit,
        args=(edits.move_block, selected, 1),
        disabled=disabled or index >= len(ids),
        width="stretch",
    )
    cols[2].button(
        t("stack.duplicate"),
        key="duplicate_block",
        on_click=actions.edit,
        args=(edits.duplicate_block, selected),
        kwargs={"select": True},
        disabled=disabled,
        width="stretch",
    )
    cols[3].button(
        t("stack.delete"),
        key="delete_block",
        on_click=actions.edit,
        args=(edits.remove_block, selected),
        disabled=disabled,
        width="stretch",
    )
    return selected
