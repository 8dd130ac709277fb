"""Lighter substitutes: the blocks of the design that a cheaper kind could replace, with what
each would save, found in the background for large designs and applied as undoable edits."""

from __future__ import annotations

import time

import streamlit as st

from lightdesign.analysis import metrics
from lightdesign.analysis.network import Analysis
from lightdesign.core.design import Design, DesignError
from lightdesign.explore import suggestions
from lightdesign.ui import actions, background, icons, state
from lightdesign.ui.background import Work
from lightdesign.ui.budget_view import current_budget
from lightdesign.ui.i18n import t

SUGGESTIONS = "suggestions_search"  # the session's one suggestion search (a background.Work)
FOUND = "found"  # its one task: (suggestions found, whether the search was complete)
SUGGEST_BUDGET_S = 30.0


def _apply_suggestion(rule: str, block_ids: tuple[str, ...]) -> None:
    def substitute(design):
        changed = suggestions.substitute(design, rule, block_ids)
        if changed is None:
            raise DesignError(t("suggest.gone"))
        return changed

    actions.edit(substitute)


def _search(design: Design, rank: metrics.Metric) -> Work:
    """The session's suggestion search for this design, ranked by ``rank`` (the predicted
    latency under a latency limit, else MACs: the design's order), kept across reruns (a new
    calibration of the latency model searches again)."""
    key = (background.fingerprint(design), rank.key, state.calibration_stamp())

    def start() -> Work:
        search = Work(key)
        if len(design.blocks) <= background.INLINE_MAX_BLOCKS:
            search.results[FOUND] = suggestions.suggest_within(design, SUGGEST_BUDGET_S, rank)
            search.state = background.DONE
        else:
            search.submit(FOUND, suggestions.suggest_within, design, SUGGEST_BUDGET_S, rank)
        return search

    return background.session_work(SUGGESTIONS, key, start)


def _collect(search: Work) -> None:
    if search.collect():  # cancelled, or a broken pool
        search.results[FOUND] = ([], False)
    if FOUND in search.results:
        search.state = background.DONE


def lighter_substitutes(result: Analysis) -> None:
    st.caption(t("suggest.intro"))
    rank = current_budget().ranking
    if rank.unit is metrics.Unit.MS:
        st.caption(t("suggest.by_latency", metric=t(rank.label_key)))
    search = _search(result.design, rank)
    _collect(search)
    if search.state == background.RUNNING:
        background.live(SUGGESTIONS, _collect, _running)
        return
    found, complete = search.results.get(FOUND, ([], False))
    if not complete:
        st.warning(t("suggest.partial", count=len(found)), icon=icons.WARNING)
    if not found:
        st.caption(t("suggest.none"))
        return
    for number, suggestion in enumerate(found):
        cols = st.columns([5, 1], vertical_alignment="center")
        with cols[0]:
            st.markdown(f"**{t('suggest.' + suggestion.rule)}** — `{suggestion.detail}`")
            st.caption(
                t(
                    "suggest.saves",
                    params=metrics.PARAMS.show(suggestion.params_saved),
                    params_pct=metrics.share(suggestion.params_saved, metrics.PARAMS.read(result)),
                    macs=metrics.MACS.show(suggestion.macs_saved),
                    macs_pct=metrics.share(suggestion.macs_saved, metrics.MACS.read(result)),
                )
                + _latency_words(suggestion.latency_saved_ms)
                + (" · " + t("suggest.theory", text=suggestion.theory) if suggestion.theory else "")
            )
        cols[1].button(
            t("suggest.apply"),
            key=f"suggest_{number}_{suggestion.rule}_{'_'.join(suggestion.block_ids)}",
            on_click=_apply_suggestion,
            args=suggestion.key,
        )


def _latency_words(saved_ms: float | None) -> str:
    """What a substitute does to the predicted float32 latency ("" when not predicted)."""
    if saved_ms is None:
        return ""
    key = "suggest.saves_latency" if saved_ms >= 0 else "suggest.costs_latency"
    return " · " + t(key, ms=metrics.PREDICTED_FP32.show(abs(saved_ms)))


def _running(search: Work) -> None:
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].info(t("suggest.running", seconds=time.monotonic() - search.since), icon=":material/hourglass_top:")
    cols[1].button(t("suggest.cancel"), key="suggest_cancel", on_click=background.cancel_work, args=(SUGGESTIONS,))
