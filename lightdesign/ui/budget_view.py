"""Fit to a budget: the limits, the scaling search with its heatmaps, and the lighter
substitutes, each applied as an undoable edit or as a new workspace design."""

from __future__ import annotations

import hashlib
import time

import streamlit as st

from lightdesign.analysis import metrics
from lightdesign.analysis.network import Analysis
from lightdesign.core import format as fmt
from lightdesign.core.design import Design, DesignError
from lightdesign.explore import scaling, suggestions
from lightdesign.explore.budget import LIMIT_BY_KEY, LIMITS, Budget
from lightdesign.ui import actions, background, icons, state
from lightdesign.ui.i18n import labels, t
from lightdesign.ui.markup import html, md


def current_budget() -> Budget:
    return Budget.saved(st.session_state[state.BUDGET], st.session_state[state.MIN_RESOLUTION] or None)


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
            help=t("budget.amount.help"),
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
    over = [t(f"limit.{limit.name}") for limit, _, _, fits in budget.checks(result) if not fits]
    shape = result.design.input_shape
    if budget.min_resolution and (len(shape) != 3 or not budget.resolution_ok(min(shape[:2]))):
        over.append(t("budget.resolution_low", minimum=budget.min_resolution))
    if over:
        st.error(t("budget.over_list", items=", ".join(over)), icon=icons.ERROR)
    else:
        st.success(t("budget.fits_all"), icon=icons.OK)


SCAN = "scaling_scan"  # the session's one scan: its key, the points so far, its futures, its state
SUGGESTIONS = "suggestions_search"  # the session's one suggestion search, likewise
INLINE_MAX_BLOCKS = 100  # designs this small are scanned in the page run itself (well under a second)
INLINE_BUDGET_S = 2.0  # small designs are scanned in the page run (usually all of it)
SCAN_BUDGET_S = 60.0  # a scan stops after this long with what it has (Continue resumes it)
SUGGEST_BUDGET_S = 30.0


def _heatmap(grid, kind: str, design, metric: metrics.Metric, title: str, x_label: str, y_label: str, key: str) -> None:
    import plotly.graph_objects as go

    xs, ys = scaling.axes(kind, design)
    z = [[p.value(metric) if p is not None and p.valid else None for p in row] for row in grid]
    text = [
        [metric.show(p.value(metric)) if p is not None and p.valid else ("…" if p is None else "–") for p in row]
        for row in grid
    ]
    # The red frames of the points that fit, given all at once: one add_shape per point
    # took Plotly ~9 ms each (0.9 s for a grid that fits everywhere, on every refresh).
    frames = [
        dict(type="rect", x0=i - 0.5, x1=i + 0.5, y0=j - 0.5, y1=j + 0.5, line=dict(color="#ff3030", width=3))
        for j, row in enumerate(grid)
        for i, point in enumerate(row)
        if point is not None and point.fits
    ]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(x) for x in xs],
            y=[str(y) for y in ys],
            text=text,
            texttemplate="%{text}",
            colorscale="Viridis",
            showscale=False,
            hovertemplate=f"{html(x_label)} %{{x}}, {html(y_label)} %{{y}}: %{{text}}<extra></extra>",
        ),
        layout=dict(
            shapes=frames,
            title=html(title),
            height=360,
            margin=dict(l=10, r=10, t=40, b=10),
            xaxis_title=x_label,
            yaxis_title=y_label,
        ),
    )
    st.plotly_chart(figure, key=key)


def _add_scaled(design) -> None:
    try:
        name = state.workspace().add(design)
    except DesignError as exc:
        state.flash("error", str(exc))
        return
    st.session_state[state.SELECTED] = None
    state.flash("success", t("scaling.applied", name=name))


def _fingerprint(design: Design) -> str:
    return hashlib.sha256(design.to_json(indent=None).encode("utf-8")).hexdigest()


def _scan(design: Design, kind: str, budget: Budget) -> dict:
    """The session's scan of this design, kind and budget: kept across reruns (a rerun
    redoes nothing); another design, kind or budget replaces it (and cancels its tasks)."""
    key = (_fingerprint(design), kind, tuple(sorted(budget.limits.items())), budget.min_resolution)
    scan = st.session_state.get(SCAN)
    if scan is None or scan["key"] != key:
        if scan is not None:
            background.cancel(scan["futures"].values())
        scan = {
            "key": key,
            "kind": kind,
            "design": design,
            "budget": budget,
            "points": {},
            "futures": {},
            "state": "running",
            "seconds": 0.0,  # time spent so far (page runs and background)
            "since": time.monotonic(),
        }
        st.session_state[SCAN] = scan
    return scan


def _advance(scan: dict) -> None:
    """Collect finished points; compute small designs inline; keep IN_FLIGHT tasks going
    in the background; stop at the time budget."""
    if scan["state"] != "running":
        return
    for point, future in list(scan["futures"].items()):
        if future.done():
            del scan["futures"][point]
            try:
                scan["points"][point] = future.result()
            except Exception:  # noqa: BLE001 - a broken pool: the point is computed again
                pass
    todo = [
        p
        for p in scaling.scan_points(scan["kind"], scan["design"])
        if p not in scan["points"] and p not in scan["futures"]
    ]
    if len(scan["design"].blocks) <= INLINE_MAX_BLOCKS:
        started = time.perf_counter()
        while todo and time.perf_counter() - started < INLINE_BUDGET_S:
            x, y = todo.pop(0)
            scan["points"][(x, y)] = scaling.compute_point(scan["design"], scan["kind"], x, y, scan["budget"])
    scan["seconds"] = time.monotonic() - scan["since"]
    if not todo and not scan["futures"]:
        scan["state"] = "done"
        return
    if scan["seconds"] > SCAN_BUDGET_S:
        background.cancel(scan["futures"].values())
        scan["futures"].clear()
        scan["state"] = "timed_out"
        return
    for x, y in todo[: max(0, background.IN_FLIGHT - len(scan["futures"]))]:
        scan["futures"][(x, y)] = background.submit(
            scaling.compute_point, scan["design"], scan["kind"], x, y, scan["budget"]
        )


def _cancel_scan() -> None:
    scan = st.session_state.get(SCAN)
    if scan is not None and scan["state"] == "running":
        background.cancel(scan["futures"].values())
        scan["futures"].clear()
        scan["state"] = "cancelled"


def _continue_scan() -> None:
    scan = st.session_state.get(SCAN)
    if scan is not None and scan["state"] in ("cancelled", "timed_out"):
        scan["state"] = "running"
        scan["since"] = time.monotonic()


def _scan_axes(kind: str) -> tuple[str, str]:
    if kind == scaling.WIDTH_RESOLUTION:
        return t("scaling.alpha"), t("scaling.resolution")
    return t("scaling.expansion"), t("scaling.depth")


def _suffix(kind: str, point) -> str:
    if kind == scaling.WIDTH_RESOLUTION:
        return f"α{point.x:g} {int(point.y)}px"
    return f"exp×{point.x:g} depth×{point.y:g}"


def scaling_search(result: Analysis) -> None:
    design = result.design
    budget = current_budget()
    st.caption(t("scaling.intro"))
    options = []
    if len(design.input_shape) == 3:
        options.append(scaling.WIDTH_RESOLUTION)
    if scaling.has_blocks(design):
        options.append(scaling.EXPANSION_DEPTH)
    if not options:
        st.info(t("scaling.images_only"))
        return
    kind = st.radio(
        t("scaling.kind"),
        options,
        format_func=labels(options, lambda o: t(f"scaling.{o}")),
        horizontal=True,
        key="scaling_kind",
    )
    scan = _scan(design, kind, budget)
    _advance(scan)
    if scan["state"] == "running":
        _scan_live()
    else:
        _scan_result(scan)


@st.fragment(run_every=2.0)
def _scan_live() -> None:
    """A running scan: progress, Cancel and the points so far, refreshed every two seconds
    (only this part of the page); the whole page once it ends."""
    scan = st.session_state.get(SCAN)
    if scan is None:
        return
    _advance(scan)
    if scan["state"] != "running":
        st.rerun()
    total = len(scaling.scan_points(scan["kind"], scan["design"]))
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].progress(
        len(scan["points"]) / total,
        text=t("scaling.progress", done=len(scan["points"]), points=total, seconds=scan["seconds"]),
    )
    cols[1].button(t("scaling.cancel"), key="scaling_cancel", on_click=_cancel_scan)
    _heatmaps(scan)


def _heatmaps(scan: dict) -> None:
    grid = scaling.assemble(scan["kind"], scan["design"], scan["points"])
    axes = _scan_axes(scan["kind"])
    cols = st.columns(2)
    with cols[0]:
        _heatmap(
            grid,
            scan["kind"],
            scan["design"],
            metrics.MACS,
            t("scaling.heat.macs"),
            *axes,
            key=f"heat_macs_{scan['kind']}",
        )
    with cols[1]:
        _heatmap(
            grid,
            scan["kind"],
            scan["design"],
            metrics.PEAK,
            t("scaling.heat.peak"),
            *axes,
            key=f"heat_peak_{scan['kind']}",
        )


def _scan_result(scan: dict) -> None:
    kind, design, budget = scan["kind"], scan["design"], scan["budget"]
    total = len(scaling.scan_points(kind, design))
    if scan["state"] == "done":
        st.caption(t("scaling.seconds", points=total, ms=scan["seconds"] * 1000))
    else:
        key = "scaling.cancelled" if scan["state"] == "cancelled" else "scaling.timed_out"
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].warning(t(key, done=len(scan["points"]), points=total, seconds=scan["seconds"]), icon=icons.WARNING)
        cols[1].button(t("scaling.continue"), key="scaling_continue", on_click=_continue_scan)
    _heatmaps(scan)
    if not budget.active:
        st.info(t("scaling.need_budget"))
        return
    best = scaling.largest_fit(scaling.assemble(kind, design, scan["points"]))
    if best is None:
        st.warning(t("scaling.none_fit"), icon=icons.WARNING)
        return
    scaled = scaling.variant(design, kind, best.x, best.y)
    scaled.name = f"{design.name} {_suffix(kind, best)}"
    axes = _scan_axes(kind)
    st.button(
        t(
            "scaling.apply",
            x=axes[0],
            xv=f"{best.x:g}",
            y=axes[1],
            yv=f"{best.y:g}",
            macs=metrics.MACS.show(best.value(metrics.MACS)),
        ),
        key=f"apply_scaled_{kind}",
        on_click=_add_scaled,
        args=(scaled,),
        type="primary",
    )
    from lightdesign.ui import sweep_view  # train the Pareto-optimal candidates (issue 15)

    sweep_view.panel(design, kind, list(scan["points"].values()))


def _apply_suggestion(rule: str, block_ids: tuple[str, ...]) -> None:
    def substitute(design):
        changed = suggestions.substitute(design, rule, block_ids)
        if changed is None:
            from lightdesign.core.design import DesignError

            raise DesignError(t("suggest.gone"))
        return changed

    actions.edit(substitute)


def _search(design: Design) -> dict:
    """The session's suggestion search for this design (kept across reruns)."""
    key = _fingerprint(design)
    search = st.session_state.get(SUGGESTIONS)
    if search is None or search["key"] != key:
        if search is not None and search.get("future") is not None:
            search["future"].cancel()
        search = {"key": key, "found": None, "complete": False, "future": None, "since": time.monotonic()}
        if len(design.blocks) <= INLINE_MAX_BLOCKS:
            search["found"], search["complete"] = suggestions.suggest_within(design, SUGGEST_BUDGET_S)
        else:
            search["future"] = background.submit(suggestions.suggest_within, design, SUGGEST_BUDGET_S)
        st.session_state[SUGGESTIONS] = search
    return search


def _collect(search: dict) -> None:
    future = search.get("future")
    if future is not None and future.done():
        search["future"] = None
        try:
            search["found"], search["complete"] = future.result()
        except Exception:  # noqa: BLE001 - cancelled, or a broken pool
            search["found"], search["complete"] = [], False


def _cancel_search() -> None:
    search = st.session_state.get(SUGGESTIONS)
    if search is not None and search.get("future") is not None:
        search["future"].cancel()
        search["future"] = None
        search["found"], search["complete"] = search["found"] or [], False


def lighter_substitutes(result: Analysis) -> None:
    st.caption(t("suggest.intro"))
    search = _search(result.design)
    _collect(search)
    if search["found"] is None:
        _search_live()
        return
    found = search["found"]
    if not search["complete"]:
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
                + (" · " + t("suggest.theory", text=suggestion.theory) if suggestion.theory else "")
            )
        cols[1].button(
            t("suggest.apply"),
            key=f"suggest_{number}_{suggestion.rule}_{'_'.join(suggestion.block_ids)}",
            on_click=_apply_suggestion,
            args=suggestion.key,
        )


@st.fragment(run_every=2.0)
def _search_live() -> None:
    search = st.session_state.get(SUGGESTIONS)
    if search is None:
        return
    _collect(search)
    if search["found"] is not None:
        st.rerun()
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].info(t("suggest.running", seconds=time.monotonic() - search["since"]), icon=":material/hourglass_top:")
    cols[1].button(t("suggest.cancel"), key="suggest_cancel", on_click=_cancel_search)
