"""The inspector: the selected block's form, generated from its kind's fields, with the
block's own output shape, params and MACs.

Each field class of ``lightdesign.core.fields`` is edited by the widget that ``WIDGETS`` maps it
to; a new field type needs an entry there (a test checks that every one has). Number fields
take any number: one out of range is refused beside the field, saying what is valid (a
widget's own limits would only turn it red), and the message is brought into view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from lightdesign.analysis.network import Analysis
from lightdesign.core import edits, kinds
from lightdesign.core import fields as F
from lightdesign.core import format as fmt
from lightdesign.core.design import Block
from lightdesign.ui import actions, i18n, icons, ops_view, reveal
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import md

PREVIOUS = "(previous block)"


# -- one widget per field type -------------------------------------------------------------------


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Widget:
    """How one field type is edited. ``draw(spec, title, key, refs, **callbacks)`` puts the
    widget on the page (``refs``: the names a reference may take); ``shown`` turns a stored
    value into the widget's value and ``parse`` turns the widget's value back (None: as is)."""

    draw: Callable[..., Any]
    shown: Callable[[Any], Any] = _same
    parse: Callable[[Any], Any] | None = None


def _integer(spec: F.IntField, title: str, key: str, refs: list[str], **callbacks) -> None:
    st.number_input(title, step=1, key=key, **callbacks)


def _number(spec: F.FloatField, title: str, key: str, refs: list[str], **callbacks) -> None:
    st.number_input(title, step=0.05, format="%.3f", key=key, **callbacks)


def _checkbox(spec: F.BoolField, title: str, key: str, refs: list[str], **callbacks) -> None:
    st.checkbox(title, key=key, **callbacks)


def _choice(spec: F.ChoiceField, title: str, key: str, refs: list[str], **callbacks) -> None:
    st.selectbox(title, list(spec.choices), key=key, **callbacks)


def _reference(spec: F.RefField, title: str, key: str, refs: list[str], **callbacks) -> None:
    value = st.session_state[key]
    options = refs if value in refs else [*refs, value]  # keep a name that no longer resolves visible
    st.selectbox(title, options, key=key, **callbacks)


def _text(spec: F.Field, title: str, key: str, refs: list[str], **callbacks) -> None:
    st.text_input(title, key=key, **callbacks)


def _ints_text(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _parse_ints(text: Any) -> list[int]:
    try:
        return [int(part) for part in str(text).replace("[", "").replace("]", "").split(",") if part.strip()]
    except ValueError:
        raise ValueError(t("form.not_ints", text=text)) from None


WIDGETS: dict[type[F.Field], Widget] = {
    F.IntField: Widget(_integer),
    F.FloatField: Widget(_number),
    F.BoolField: Widget(_checkbox),
    F.ChoiceField: Widget(_choice),
    F.RefField: Widget(_reference),
    F.IntsField: Widget(_text, shown=_ints_text, parse=_parse_ints),
    F.TextField: Widget(_text),
}


def widget_for(spec: F.Field) -> Widget:
    """The widget of a field's class (or of the nearest base class that has one)."""
    for cls in type(spec).__mro__:
        if cls in WIDGETS:
            return WIDGETS[cls]
    raise TypeError(f"no form widget for {type(spec).__name__} (field {spec.name!r}); add one to WIDGETS")


# -- the form --------------------------------------------------------------------------------------


def render(result: Analysis, block_id: str | None) -> None:
    """Form for one block; errors from the analysis appear under the field they concern."""
    design = result.design
    block = next((b for b in design.blocks if b.id == block_id), None)
    if block is None:
        st.info(t("form.empty"))
        return
    position = design.blocks.index(block) + 1
    cls = kinds.get(block.kind)
    st.markdown(f"**{position}. {md(block.name)}** — `{block.kind}` · {i18n.category(cls.category)}")
    st.caption(i18n.kind_doc(cls))
    row = next((r for r in result.blocks if r.index == position - 1), None)
    if row is not None and any(span.index == position - 1 for span in result.graph.spans):
        st.caption(
            t("form.cost", shape=fmt.shape(row.shape), params=fmt.count(row.params), macs=fmt.count(row.macs)),
            help=t("form.cost.help", params=row.params, macs=row.macs, layers=row.layers),
        )
    ops_view.inspector_note(result, position - 1)
    errors = [e for e in result.errors if e.block == position]
    earlier = ["input", *[b.name for b in design.blocks[: position - 1]]]

    _name(block)
    _show_errors(block.id, "name", [e for e in errors if e.field == "name"])
    for spec in cls.fields:
        _field(block, spec, earlier)
        _show_errors(block.id, spec.name, [e for e in errors if e.field == spec.name])
    _reads_from(block, earlier)
    _show_errors(block.id, "input", [e for e in errors if e.field not in {f.name for f in cls.fields} | {"name"}])


def _in_range(spec: F.Field, current: Any) -> Callable[[Any], Any]:
    """The check of a number field's value: out of its range, a ValueError saying what is
    valid and what the design keeps (the form shows it beside the field)."""

    def check(value: Any) -> Any:
        if isinstance(spec, F.IntField | F.FloatField) and isinstance(value, int | float):
            if not spec.min <= value <= spec.max:
                key = "form.out_of_range.int" if isinstance(spec, F.IntField) else "form.out_of_range.number"
                limits = {"min": f"{spec.min:,g}", "max": f"{spec.max:,g}", "current": current}
                raise ValueError(t(key, value=f"{value:g}", field=i18n.field_title(spec), **limits))
        return value

    return check


def _name(block: Block) -> None:
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


def _field(block: Block, spec: F.Field, earlier: list[str]) -> None:
    widget = widget_for(spec)
    key = f"form_{block.id}_{spec.name}"
    current = block.params.get(spec.name, spec.default)
    st.session_state[key] = widget.shown(current)
    check = _in_range(spec, current)

    def apply(design, value, field=spec.name):
        return edits.set_param(design, block.id, field, value)

    def convert(value, parse=widget.parse):
        return check(parse(value) if parse is not None else value)

    with st.container():
        widget.draw(
            spec,
            i18n.field_title(spec),
            key,
            earlier,
            on_change=actions.field_changed,
            args=(apply, (block.id, spec.name), key, convert),
            help=i18n.field_help(block.kind, spec),
        )


def _reads_from(block: Block, earlier: list[str]) -> None:
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


def _show_errors(block_id: str, field: str, issues) -> None:
    """What is wrong with a field, right under it; brought into view after a change to it."""
    refused = actions.field_error((block_id, field))
    texts = [refused] if refused else []
    texts += [issue.message + ("; " + t("issue.valid", valid=issue.valid) if issue.valid else "") for issue in issues]
    if not texts:
        return
    key = f"ld_msg_{block_id}_{field}"
    with st.container(key=key):
        for text in texts:
            st.error(md(text), icon=icons.ERROR)
    token = actions.just_edited((block_id, field))
    if token:
        reveal.scroll_to(key, token)
