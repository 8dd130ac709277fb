"""The configuration form of the selected block, generated from its kind's fields."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lightdesign import edits, registry
from lightdesign.analysis import Analysis
from lightdesign.fields import Field
from lightdesign.ui import actions, i18n, icons
from lightdesign.ui.i18n import t

PREVIOUS = "(previous block)"


def _parse_ints(text: Any) -> list[int]:
    try:
        return [int(part) for part in str(text).replace("[", "").replace("]", "").split(",") if part.strip()]
    except ValueError:
        raise ValueError(t("form.not_ints", text=text)) from None


def render(result: Analysis, block_id: str | None) -> None:
    """Form for one block; errors from the analysis appear under the field they concern."""
    design = result.design
    block = next((b for b in design.blocks if b.id == block_id), None)
    if block is None:
        st.info(t("form.empty"))
        return
    position = design.blocks.index(block) + 1
    cls = registry.get(block.kind)
    st.markdown(f"**{position}. {block.name}** — `{block.kind}` · {i18n.category(cls.category)}")
    st.caption(i18n.kind_doc(cls))
    errors = [e for e in result.errors if e.block == position]
    earlier = ["input", *[b.name for b in design.blocks[: position - 1]]]

    key = f"form_{block.id}_name"
    st.session_state[key] = block.name
    st.text_input(
        t("form.name"),
        key=key,
        max_chars=64,
        on_change=actions.field_changed,
        args=(lambda d, v: edits.rename_block(d, block.id, v), (block.id, "name"), key),
        help=t("form.name.help"),
    )
    _show_errors(block.id, "name", [e for e in errors if e.field == "name"])

    for spec in cls.fields:
        key = f"form_{block.id}_{spec.name}"
        value = block.params.get(spec.name, spec.default)
        if spec.type == "ints":
            value = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        if spec.type == "ref" and value not in earlier:
            earlier_with_value = [*earlier, value]
        else:
            earlier_with_value = earlier
        st.session_state[key] = value
        convert = _parse_ints if spec.type == "ints" else None
        with st.container():
            _widget_with_callback(block.kind, spec, key, earlier_with_value, block.id, convert)
        _show_errors(block.id, spec.name, [e for e in errors if e.field == spec.name])

    key = f"form_{block.id}_input"
    options = [PREVIOUS, *earlier]
    st.session_state[key] = block.input or PREVIOUS
    st.selectbox(
        t("form.input"),
        options,
        key=key,
        on_change=actions.field_changed,
        format_func=i18n.labels(options, lambda o: t("form.previous") if o == PREVIOUS else o),
        args=(lambda d, v: edits.set_block_input(d, block.id, None if v == PREVIOUS else v), (block.id, "input"), key),
        help=t("form.input.help"),
    )
    others = [e for e in errors if e.field not in {f.name for f in cls.fields} | {"name"}]
    _show_errors(block.id, "input", others)


def _widget_with_callback(kind: str, spec: Field, key: str, refs: list[str], block_id: str, convert) -> None:
    def apply(design, value, field=spec.name):
        return edits.set_param(design, block_id, field, value)

    kwargs = dict(
        on_change=actions.field_changed,
        args=(apply, (block_id, spec.name), key, convert),
        help=i18n.field_help(kind, spec),
    )
    title = i18n.field_title(spec)
    if spec.type == "int":
        st.number_input(title, min_value=int(spec.min), max_value=int(spec.max), step=1, key=key, **kwargs)
    elif spec.type == "float":
        st.number_input(
            title, min_value=float(spec.min), max_value=float(spec.max), step=0.05, format="%.3f", key=key, **kwargs
        )
    elif spec.type == "bool":
        st.checkbox(title, key=key, **kwargs)
    elif spec.type == "choice":
        st.selectbox(title, list(spec.choices), key=key, **kwargs)
    elif spec.type == "ref":
        st.selectbox(title, refs, key=key, **kwargs)
    else:
        st.text_input(title, key=key, **kwargs)


def _show_errors(block_id: str, field: str, issues) -> None:
    refused = actions.field_error((block_id, field))
    if refused:
        st.error(refused, icon=icons.ERROR)
    for issue in issues:
        st.error(issue.message + ("; " + t("issue.valid", valid=issue.valid) if issue.valid else ""), icon=icons.ERROR)
