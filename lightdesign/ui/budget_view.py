"""Fit to a budget: the limits a design must keep to (kept with the workspace) and whether it
does; the scaling search (``scaling_view``) and the lighter substitutes (``suggestions_view``)
look for designs within them."""

from __future__ import annotations

import streamlit as st

from lightdesign.analysis.network import Analysis
from lightdesign.core import format as fmt
from lightdesign.explore.budget import LIMIT_BY_KEY, LIMITS, Budget
from lightdesign.ui import actions, fit_view, icons, state, targets_view
from lightdesign.ui.i18n import language, t
from lightdesign.ui.markup import md, message


def current_budget() -> Budget:
    return Budget.saved(
        st.session_state[state.BUDGET], st.session_state[state.MIN_RESOLUTION] or None, targets_view.chosen()
    )


def _set_amount(key: str, widget: str) -> None:
    errors = st.session_state.setdefault(actions.FIELD_ERRORS, {})
    text = (st.session_state.get(widget) or "").strip()
    try:
        parse = fmt.parse_duration if LIMIT_BY_KEY[key].latency else fmt.parse_amount
        amount = parse(text) if text else None
        limits = st.session_state[state.BUDGET]
        limits.pop(LIMIT_BY_KEY[key].name, None)  # a budget saved under the limit's short name
        limits[key] = amount
        errors.pop(("budget", key), None)
    except ValueError as exc:
        errors[("budget", key)] = str(exc)


def budget_inputs(result: Analysis) -> None:
    st.caption(t("budget.intro"))
    targets_view.picker()
    targets_view.own_targets()
    cols = st.columns(len(LIMITS) + 1)
    for column, limit in zip(cols, LIMITS, strict=False):
        widget = f"budget_{limit.name}"
        if widget not in st.session_state:
            value = current_budget().limits.get(limit.key)
            st.session_state[widget] = "" if not value else limit.show(value).replace(" ", "")
        column.text_input(
            t(f"budget.{limit.name}"),
            key=widget,
            on_change=_set_amount,
            args=(limit.key, widget),
            help=t("budget.latency.help" if limit.latency else "budget.amount.help"),
        )
        message = actions.field_error(("budget", limit.key))
        if message:
            column.error(md(message), icon=icons.ERROR)
    cols[len(LIMITS)].number_input(
        t("budget.min_resolution"), 0, 4096, step=8, **state.persistent_widget(state.MIN_RESOLUTION)
    )
    summary(result)


def summary(result: Analysis) -> None:
    budget = current_budget()
    if not budget.active:
        st.caption(t("budget.none"))
        return
    if result.errors:
        return
    checks = budget.checks(result)
    over = [t(f"limit.{limit.name}") for limit, _, _, fits in checks if not fits]
    shape = result.design.input_shape
    verdict = budget.target_fit(result)
    if verdict is not None and not verdict.fits:
        over.append(t("budget.target_over", target=md(verdict.target.name), why=fit_view.why_not(verdict)))
    if budget.min_resolution and (len(shape) != 3 or not budget.resolution_ok(min(shape[:2]))):
        over.append(t("budget.resolution_low", minimum=budget.min_resolution))
    if over:
        st.error(t("budget.over_list", items=", ".join(over)), icon=icons.ERROR)
    else:
        st.success(t("budget.fits_all"), icon=icons.OK)
    if any(limit.latency and value is None for limit, value, _, _ in checks) and result.latency is not None:
        st.caption(message("budget.latency_unknown", note=result.latency.note(language())))
