"""Widget callbacks that edit the workspace; a refused edit becomes a message, never a
traceback, and leaves the workspace as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from lightdesign.core.design import Design, DesignError
from lightdesign.ui import state

FIELD_ERRORS = "field_errors"  # (block id, field) -> message from the last refused change
EDITED = "field_edited"  # [(block id, field), count]: the field changed last, and how many changes so far


def edit(function: Callable[..., Any], *args: Any, select: bool = False) -> bool:
    """Apply ``function(design, *args)`` to the current design with undo history.
    Functions returning (design, new_id) select the new block when ``select``."""
    new_id: list[str] = []

    def run(design: Design) -> Design:
        result = function(design, *args)
        if isinstance(result, tuple):
            result, block_id = result
            new_id.append(block_id)
        return result

    try:
        state.workspace().apply(run)
    except DesignError as exc:
        state.flash("error", str(exc))
        return False
    if select and new_id:
        st.session_state[state.SELECTED] = new_id[0]
    return True


def field_changed(
    apply_value: Callable[[Design, Any], Design],
    error_key: tuple,
    widget_key: str,
    convert: Callable[[Any], Any] | None = None,
) -> None:
    """on_change of a form widget: apply its value, or remember why it was refused so the
    form can show the reason beside the field."""
    errors = st.session_state.setdefault(FIELD_ERRORS, {})
    count = st.session_state.get(EDITED, [None, 0])[1]
    st.session_state[EDITED] = [error_key, count + 1]
    value = st.session_state.get(widget_key)
    try:
        if convert is not None:
            value = convert(value)
        state.workspace().apply(lambda design: apply_value(design, value))
        errors.pop(error_key, None)
    except (DesignError, ValueError) as exc:
        errors[error_key] = str(exc)


def attempt(error_key: tuple, function: Callable[..., Any], *args: Any) -> None:
    """Call ``function(*args)`` (a change outside the design's undo history, such as a
    rename); a refusal is remembered as the field error of ``error_key``."""
    errors = st.session_state.setdefault(FIELD_ERRORS, {})
    try:
        function(*args)
        errors.pop(error_key, None)
    except DesignError as exc:
        errors[error_key] = str(exc)


def field_error(error_key: tuple) -> str | None:
    return st.session_state.get(FIELD_ERRORS, {}).get(error_key)


def just_edited(error_key: tuple) -> str | None:
    """A token for the change just made to this field (None when it was not the field
    changed last), new with each change: what it brings up is brought into view once."""
    edited = st.session_state.get(EDITED)
    return f"{error_key}-{edited[1]}" if edited and edited[0] == error_key else None


def workspace_action(method: str, *args: Any) -> None:
    """Call a Workspace method, reporting a refusal as a message."""
    try:
        getattr(state.workspace(), method)(*args)
    except DesignError as exc:
        state.flash("error", str(exc))
