"""Start from a preset; change the input shape, classes or width of the current design."""

from __future__ import annotations

import streamlit as st

from lightdesign.core import edits, presets
from lightdesign.core.design import DesignError
from lightdesign.core.fields import MAX_UNITS
from lightdesign.ui import actions, icons, state
from lightdesign.ui.i18n import labels, t
from lightdesign.ui.markup import md

PRESET_KEY = "preset_name"
ALPHA_KEY = "global_alpha"  # the width multiplier applied to the whole design
PRESET_OF = "preset_shown_for"  # the design whose preset the box was last set to


def _open_preset() -> None:
    preset = presets.get(st.session_state[PRESET_KEY])
    value = st.session_state.get
    options = {
        "alpha": value(f"preset_alpha_{preset.name}") if preset.alphas else None,
        "resolution": value(f"preset_resolution_{preset.name}"),
        "classes": value(f"preset_classes_{preset.name}"),
        "groups": value(f"preset_groups_{preset.name}") if preset.groups else None,
    }
    try:
        design = preset.make(**options)
        name = state.workspace().add(design)
        st.session_state[state.SELECTED] = None
        state.flash("success", t("preset.opened", title=preset_title(preset.name), name=name))
    except DesignError as exc:
        state.flash("error", str(exc))


def origin(design_name: str) -> str | None:
    """The preset a design was opened from, read from its name (presets name their designs
    after themselves, e.g. mobilenet_v2_1_224), or None."""
    found = [name for name in presets.PRESETS if design_name == name or design_name.startswith(f"{name}_")]
    return max(found, key=len, default=None)


def _follow_design() -> None:
    """Show the current design's preset when another design becomes current (not on every
    run: a preset picked but not yet opened stays picked)."""
    ws = state.workspace()
    if st.session_state.get(PRESET_OF) == ws.current_id:
        return
    st.session_state[PRESET_OF] = ws.current_id
    st.session_state[PRESET_KEY] = origin(ws.design.name)


def preset_picker() -> None:
    _follow_design()
    names = list(presets.PRESETS)
    name = st.selectbox(
        t("preset.preset"),
        names,
        key=PRESET_KEY,
        format_func=labels(names, preset_title),
        placeholder=t("preset.none"),
    )
    if name is None:  # the design was not opened from a preset (or was renamed): choose one
        return
    preset = presets.PRESETS[name]
    if name in ABOUT:
        st.caption(t(ABOUT[name]))
    cols = [*st.columns(2), *st.columns(2)]  # two by two: the panel sits in the sidebar
    if preset.alphas:
        cols[0].selectbox(
            t("preset.alpha"), list(preset.alphas), index=_default_alpha(preset), key=f"preset_alpha_{name}"
        )
    cols[1].number_input(
        t(f"preset.{preset.resolution_label}"),
        min_value=preset.min_resolution,
        max_value=preset.max_resolution,
        value=preset.resolution,
        step=1,
        key=f"preset_resolution_{name}",
    )
    cols[2].number_input(
        t("preset.classes"),
        min_value=1,
        max_value=MAX_UNITS,
        value=preset.classes,
        step=1,
        key=f"preset_classes_{name}",
    )
    if preset.groups:
        cols[3].selectbox(t("preset.groups"), list(preset.groups), key=f"preset_groups_{name}")
    st.button(t("preset.open"), key="open_preset", on_click=_open_preset, type="primary")


TRANSLATED_TITLES = ("seed_cnn", "text_rnn", "text_cnn", "wave_cnn")
# Where the article's networks come from, shown under the preset's name.
ABOUT = {"seed_cnn": "preset.about.seed_cnn", "text_rnn": "preset.about.text_rnn"}


def preset_title(name: str) -> str:
    """A preset's title; the article's networks and their 1-D relatives have translated titles."""
    return t(f"preset.title.{name}") if name in TRANSLATED_TITLES else presets.PRESETS[name].title


def _default_alpha(preset) -> int:
    return preset.alphas.index(1.0) if 1.0 in preset.alphas else 0


def _parse_shape(text: str) -> list[int]:
    try:
        return [int(v) for v in str(text).replace("(", "").replace(")", "").split(",") if v.strip()]
    except ValueError:
        raise DesignError(t("knobs.shape.bad", text=text)) from None


def _apply_width() -> None:
    actions.edit(edits.scale_width, float(st.session_state[ALPHA_KEY]))


def global_knobs() -> None:
    design = state.workspace().design
    shape_key, classes_key = "global_shape", "global_classes"
    st.session_state[shape_key] = ", ".join(str(v) for v in design.input_shape)
    st.session_state[classes_key] = design.num_classes
    cols = st.columns(3)
    cols[0].text_input(
        t("knobs.shape"),
        key=shape_key,
        help=t("knobs.shape.help"),
        on_change=actions.field_changed,
        args=(lambda d, v: edits.set_input_shape(d, _parse_shape(v)), ("design", "input_shape"), shape_key),
    )
    cols[1].number_input(
        t("knobs.classes"),
        min_value=1,
        max_value=MAX_UNITS,
        step=1,
        key=classes_key,
        on_change=actions.field_changed,
        args=(edits.set_num_classes, ("design", "classes"), classes_key),
    )
    with cols[2]:
        st.number_input(
            t("knobs.width"),
            min_value=edits.MIN_WIDTH,
            max_value=edits.MAX_WIDTH,
            value=1.0,
            step=0.05,
            key=ALPHA_KEY,
            help=t("knobs.width.help"),
        )
        st.button(t("knobs.apply_width"), key="apply_width", on_click=_apply_width)
    for key in (("design", "input_shape"), ("design", "classes")):
        message = actions.field_error(key)
        if message:
            st.error(md(message), icon=icons.ERROR)
