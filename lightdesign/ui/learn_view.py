"""The Learn page: the source article's principles, each with a formula, a live calculator
and, where it helps, a plot; buttons open the matching preset in the designer."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lightdesign import learn, metrics, presets
from lightdesign.analysis import analyze
from lightdesign.ui import icons, state
from lightdesign.ui.i18n import t
from lightdesign.ui.presets_panel import preset_title

OPEN_KEY = "learn_open_preset"


def _open(name: str) -> None:
    st.session_state[OPEN_KEY] = name


def open_button(name: str, section: str) -> None:
    st.button(
        t("learn.open", title=preset_title(name)), key=f"learn_open_{section}_{name}", on_click=_open, args=(name,)
    )


def handle_open() -> None:
    """Open a requested preset as a new design and go to the designer."""
    name = st.session_state.pop(OPEN_KEY, None)
    if name:
        state.workspace().add(presets.build(name))
        st.session_state[state.SELECTED] = None
        st.switch_page("pages/design.py")


def convolution() -> None:
    st.subheader(t("learn.conv"))
    st.markdown(t("learn.conv.text"))
    st.latex(
        r"H_{out} = \left\lfloor \frac{H + 2P - K}{S} \right\rfloor + 1 \qquad "
        r"\text{params} = K^2 C_{in} C_{out} + C_{out} \qquad \text{MACs} = H_{out}^2 K^2 C_{in} C_{out}"
    )
    cols = st.columns(6)
    size = cols[0].slider(t("learn.size"), 4, 224, 28, key="learn_h")
    kernel = cols[1].slider(t("learn.kernel"), 1, 11, 3, key="learn_k")
    stride = cols[2].slider(t("learn.stride"), 1, 4, 1, key="learn_s")
    padding = cols[3].slider(t("learn.padding"), 0, 5, 0, key="learn_p")
    c_in = cols[4].slider(t("learn.cin"), 1, 512, 1, key="learn_cin")
    c_out = cols[5].slider(t("learn.cout"), 1, 512, 32, key="learn_cout")
    cost = learn.conv_cost(size, kernel, stride, padding, c_in, c_out)
    if cost["output"] < 1:
        st.error(t("learn.empty"), icon=icons.ERROR)
        return
    out = st.columns(3)
    out[0].metric(t("learn.output"), f"{cost['output']}×{cost['output']}×{c_out}")
    out[1].metric(t("learn.params"), f"{cost['params']:,}")
    out[2].metric(t("learn.macs"), metrics.MACS.show(cost["macs"]), help=f"{cost['macs']:,}")
    open_button("seed_cnn", "conv")


def activations() -> None:
    import plotly.graph_objects as go

    st.subheader(t("learn.act"))
    st.markdown(t("learn.act.text"))
    names = st.multiselect(
        t("learn.act.choose"),
        list(learn.ACTIVATIONS),
        default=["sigmoid", "tanh", "relu", "relu6", "hard_swish"],
        key="learn_acts",
    )
    for name in names:
        st.latex(learn.ACTIVATIONS[name][1])
    x = np.linspace(-6, 8, 281)
    figure = go.Figure([go.Scatter(x=x, y=learn.ACTIVATIONS[n][0](x), mode="lines", name=n) for n in names])
    figure.update_layout(height=320, margin=dict(l=10, r=10, t=10, b=10), xaxis_title="x", yaxis_title="f(x)")
    st.plotly_chart(figure, key="learn_activation_plot")
    open_button("mobilenet_v3_small", "act")


def pooling() -> None:
    st.subheader(t("learn.pool"))
    st.markdown(t("learn.pool.text"))
    st.latex(
        r"\text{max: } y_{ij} = \max_{(a,b) \in W_{ij}} x_{ab} \qquad "
        r"\text{average: } y_{ij} = \frac{1}{k^2} \sum_{(a,b) \in W_{ij}} x_{ab}"
    )
    cols = st.columns(3)
    size = cols[0].slider(t("learn.pool.size"), 1, 4, 2, key="learn_pool_k")
    stride = cols[1].slider(t("learn.pool.stride"), 1, 4, 2, key="learn_pool_s")
    seed = cols[2].number_input(t("learn.pool.seed"), 0, 1000, 0, key="learn_pool_seed")
    matrix = np.random.default_rng(int(seed)).integers(0, 10, (6, 6)).astype(float)
    shown = st.columns(3)
    shown[0].markdown(f"**{t('learn.pool.input')}** (6×6)")
    shown[0].dataframe(matrix.astype(int), key="learn_pool_input")
    for column, kind, label in ((shown[1], "max", t("learn.pool.max")), (shown[2], "average", t("learn.pool.avg"))):
        result = learn.pool(matrix, size, stride, kind)
        column.markdown(f"**{label}** ({result.shape[0]}×{result.shape[1]})")
        column.dataframe(np.round(result, 2), key=f"learn_pool_{kind}")
    open_button("seed_cnn", "pool")


def separable() -> None:
    import plotly.graph_objects as go

    st.subheader(t("learn.sep"))
    st.markdown(t("learn.sep.text"))
    st.latex(r"\frac{D_F^2 D_K^2 M + D_F^2 M N}{D_F^2 D_K^2 M N} = \frac{1}{N} + \frac{1}{D_K^2}")
    cols = st.columns(4)
    size = cols[0].slider(t("learn.size"), 1, 112, 14, key="learn_sep_h")
    kernel = cols[1].slider(t("learn.kernel"), 1, 7, 3, step=2, key="learn_sep_k")
    c_in = cols[2].slider(t("learn.cin"), 1, 1024, 512, key="learn_sep_m")
    c_out = cols[3].slider(t("learn.cout"), 1, 1024, 512, key="learn_sep_n")
    cost = learn.separable_cost(size, kernel, c_in, c_out)
    out = st.columns(3)
    out[0].metric(t("learn.sep.standard"), metrics.MACS.show(cost["standard"]), help=f"{cost['standard']:,}")
    out[1].metric(t("learn.sep.separable"), metrics.MACS.show(cost["separable"]), help=f"{cost['separable']:,}")
    out[2].metric(
        t("learn.sep.ratio"), f"{cost['ratio']:.4f}", help=f"1/{c_out} + 1/{kernel * kernel} = {cost['formula']:.4f}"
    )
    kernels = np.arange(1, 8)
    figure = go.Figure(
        [
            go.Scatter(x=kernels, y=1 / n + 1 / kernels**2, mode="lines+markers", name=f"N = {n}")
            for n in (8, 32, 128, 512)
        ]
    )
    figure.update_layout(
        title=t("learn.sep.plot"),
        height=320,
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis_title=t("learn.sep.axis.k"),
        yaxis_title=t("learn.sep.axis.ratio"),
    )
    st.plotly_chart(figure, key="learn_separable_plot")
    open_button("mobilenet_v1", "sep")


_NETWORK_FIGURES = (metrics.PARAMS, metrics.MACS, metrics.WEIGHTS_INT8)  # the columns of the networks table


@st.cache_data
def _preset_figures() -> list[dict]:
    rows = []
    for name in (
        "mobilenet_v1",
        "mobilenet_v2",
        "mobilenet_v3_small",
        "shufflenet_v1",
        "shufflenet_v2",
        "squeezenet_1_0",
        "squeezenet_1_1",
    ):
        result = analyze(presets.build(name))
        rows.append(
            {"preset": presets.PRESETS[name].title, **{m.key: m.show(m.read(result)) for m in _NETWORK_FIGURES}}
        )
    return rows


def networks() -> None:
    st.subheader(t("learn.nets"))
    for key in ("learn.nets.mobilenet", "learn.nets.shufflenet", "learn.nets.squeezenet"):
        st.markdown(t(key))
    st.latex(
        r"\text{grouped } 1{\times}1: \; \frac{H W C_{in} C_{out}}{g} \qquad "
        r"\text{fire: } H W (C_{in} s + s e_1 + 9 s e_3)"
    )
    st.caption(t("learn.nets.table"))
    rows = [
        {t("col.preset"): r["preset"], **{t(m.label_key): r[m.key] for m in _NETWORK_FIGURES}}
        for r in _preset_figures()
    ]
    st.dataframe(rows, hide_index=True, key="learn_presets")
    cols = st.columns(3)
    for column, name in zip(cols, ("mobilenet_v2", "shufflenet_v2", "squeezenet_1_1"), strict=True):
        with column:
            open_button(name, "nets")
