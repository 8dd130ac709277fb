"""The Learn page: the source article's principles, each with a formula, a live calculator
and, where it helps, a plot; buttons open the matching preset in the designer (and, for the
usage scenarios, select a built-in dataset for it on the Train page)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lightdesign.analysis import metrics
from lightdesign.analysis.network import analyze
from lightdesign.core import format as fmt
from lightdesign.core import presets
from lightdesign.core.design import Design, DesignError
from lightdesign.explore import learn
from lightdesign.output.render import to_dot, to_mermaid
from lightdesign.ui import graph_view, icons, state, train_data
from lightdesign.ui.i18n import labels, language, t
from lightdesign.ui.markup import message
from lightdesign.ui.presets_panel import preset_title

DESIGN_PAGE, TRAIN_PAGE = "pages/design.py", "pages/train.py"


def _add(design: Design, title: str, dataset: str | None = None) -> None:
    """Button callback: add the design to the workspace, select the dataset on the Train
    page, and ask the next run to go to the designer (or the Train page)."""
    try:
        name = state.workspace().add(design)
    except DesignError as exc:
        state.flash("error", str(exc))
        return
    st.session_state[state.SELECTED] = None
    state.flash("success", t("preset.opened", title=title, name=name))
    if dataset:
        st.session_state[train_data.SOURCE_KEY] = dataset
    st.session_state[state.LEARN_OPEN] = TRAIN_PAGE if dataset else DESIGN_PAGE


def _open(name: str, options: dict | None = None, dataset: str | None = None) -> None:
    _add(presets.build(name, **(options or {})), preset_title(name), dataset)


def open_button(name: str, section: str) -> None:
    st.button(
        t("learn.open", title=preset_title(name)), key=f"learn_open_{section}_{name}", on_click=_open, args=(name,)
    )


def handle_open() -> None:
    """Go where a button of the previous run asked to (the design is already added)."""
    page = st.session_state.pop(state.LEARN_OPEN, None)
    if page:
        st.switch_page(page)


def _word(key: str) -> str:
    """A word of a formula in the interface's language, as LaTeX text."""
    return r"\text{" + t(key) + "}"


def convolution() -> None:
    st.subheader(t("learn.conv"))
    st.markdown(t("learn.conv.text"))
    st.latex(
        r"H_{out} = \left\lfloor \frac{H + 2P - K}{S} \right\rfloor + 1 \qquad "
        + _word("tex.params")
        + r" = K^2 C_{in} C_{out} + C_{out} \qquad \text{MACs} = H_{out}^2 K^2 C_{in} C_{out}"
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
        _word("tex.max")
        + r"\; y_{ij} = \max_{(a,b) \in W_{ij}} x_{ab} \qquad "
        + _word("tex.average")
        + r"\; y_{ij} = \frac{1}{k^2} \sum_{(a,b) \in W_{ij}} x_{ab}"
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
        _word("tex.grouped")
        + r"\; \frac{H W C_{in} C_{out}}{g} \qquad "
        + _word("tex.fire")
        + r"\; H W (C_{in} s + s e_1 + 9 s e_3)"
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


PAIR = learn.EQUAL_MACS_PAIRS[0]  # many thin depthwise layers against few wide convolutions


@st.cache_resource(max_entries=2, show_spinner=False)
def _equal_macs(calibration: float | None) -> learn.EqualMacs:
    """The Learn page's pair of equal MACs, predicted with this machine's calibration (made
    again when it changes)."""
    return learn.equal_macs(*PAIR)


def macs_and_latency() -> None:
    """Why MACs and latency disagree, on this machine: two presets of about equal MACs and
    their predicted latencies (or "not calibrated" with the Calibrate button)."""
    from lightdesign.ui import latency_view

    st.subheader(t("learn.latency"))
    st.markdown(t("learn.latency.why"))
    pair = _equal_macs(state.calibration_stamp())
    results = (pair.first, pair.second)
    latency = pair.first.latency
    if pair.latency_ratio is None:
        if latency is not None and latency.note_key == latency_view.NOT_CALIBRATED:
            latency_view.not_calibrated(latency, "learn_latency_calibrate")
        elif latency is not None:
            st.caption(message("learn.latency.unknown", note=latency.note(language())))
        return
    names = [
        f"{preset_title(name)} {result.design.input_shape[0]}px" for name, result in zip(PAIR, results, strict=True)
    ]
    rows = [
        {
            t("col.preset"): name,
            t("costs.macs"): metrics.MACS.show(result.macs),
            t("metric.predicted_fp32"): metrics.PREDICTED_FP32.show(metrics.PREDICTED_FP32.read(result)),
            t("metric.predicted_int8"): metrics.PREDICTED_INT8.show(metrics.PREDICTED_INT8.read(result)),
            t("col.macs_per_ms"): fmt.count(metrics.MACS.read(result) / metrics.PREDICTED_FP32.read(result)),
        }
        for name, result in zip(names, results, strict=True)
    ]
    st.dataframe(rows, hide_index=True, key="learn_equal_macs")
    st.caption(
        message(
            "learn.latency.verdict",
            first=names[0],
            second=names[1],
            macs=abs(pair.macs_ratio - 1),
            ratio=pair.latency_ratio,
            machine=latency.machine,
        )
    )


# -- the article's own flow ------------------------------------------------------------------


@st.cache_data(max_entries=4)
def _article_flows(lang: str, words: tuple) -> dict[str, tuple[str, str]]:
    """DOT and Mermaid of the article's CNN and RNN in article style, per language."""
    words_map = dict(words)
    flows = {}
    for name in ("seed_cnn", "text_rnn"):
        result = analyze(presets.build(name))
        flows[name] = (to_dot(result, words=words_map, article=True), to_mermaid(result, words=words_map, article=True))
    return flows


def article_flow() -> None:
    st.subheader(t("learn.flow"))
    st.markdown(t("learn.flow.text"))
    words = graph_view.style_words(True)
    flows = _article_flows(language(), tuple(sorted(words.items())))
    cols = st.columns(2)
    for column, name, title in zip(
        cols, ("seed_cnn", "text_rnn"), (t("learn.flow.cnn"), t("learn.flow.rnn")), strict=True
    ):
        with column:
            st.markdown(f"**{title}**")
            st.graphviz_chart(flows[name][0], width="content")
    st.caption(t("learn.flow.folded"))
    with st.expander(t("learn.flow.mermaid")):
        st.code(flows["seed_cnn"][1] + "\n" + flows["text_rnn"][1], language="text")


# -- dense layers ----------------------------------------------------------------------------


def dense() -> None:
    st.subheader(t("learn.dense"))
    st.markdown(t("learn.dense.text"))
    st.latex(_word("tex.params") + r" = d \cdot u + u \qquad \text{MACs} = d \cdot u")
    cols = st.columns(2)
    fan_in = cols[0].number_input(t("learn.dense.in"), 1, 1_000_000, 1600, key="learn_dense_in")
    units = cols[1].number_input(t("learn.dense.units"), 1, 65_536, 128, key="learn_dense_units")
    cost = learn.dense_cost(int(fan_in), int(units))
    out = st.columns(2)
    out[0].metric(t("learn.dense.params"), f"{cost['params']:,}")
    out[1].metric(t("learn.dense.macs"), metrics.MACS.show(cost["macs"]), help=f"{cost['macs']:,}")
    lesson = learn.seed_cnn_head()
    st.markdown(
        t("learn.dense.lesson", dense=lesson.dense_params, total=lesson.before.params, share=lesson.dense_share)
    )
    shown = st.columns(2)
    shown[0].metric(t("learn.dense.before"), f"{lesson.before.params:,}")
    shown[1].metric(
        t("learn.dense.after"),
        f"{lesson.after.params:,}",
        delta=f"-{lesson.params_saved:,} ({-lesson.params_saved / lesson.before.params:+.0%})",
        delta_color="inverse",
    )
    st.button(
        t("learn.dense.apply"),
        key="learn_apply_global_pool",
        on_click=_add,
        args=(lesson.design, preset_title("seed_cnn")),
    )


# -- recurrent layers ------------------------------------------------------------------------

_RNN_LATEX = {
    "SimpleRNN": r"h_t = \tanh(W x_t + U h_{t-1} + b)",
    "LSTM": (
        r"\begin{aligned} i_t &= \sigma(W_i x_t + U_i h_{t-1} + b_i) & f_t &= \sigma(W_f x_t + U_f h_{t-1} + b_f) \\ "
        r"o_t &= \sigma(W_o x_t + U_o h_{t-1} + b_o) & \tilde c_t &= \tanh(W_c x_t + U_c h_{t-1} + b_c) \\ "
        r"c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t & h_t &= o_t \odot \tanh(c_t) \end{aligned}"
    ),
    "GRU": (
        r"\begin{aligned} z_t &= \sigma(W_z x_t + b_z + U_z h_{t-1} + b'_z) & "
        r"r_t &= \sigma(W_r x_t + b_r + U_r h_{t-1} + b'_r) \\ "
        r"\tilde h_t &= \tanh\big(W_h x_t + b_h + r_t \odot (U_h h_{t-1} + b'_h)\big) & "
        r"h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t \end{aligned}"
    ),
}
_RNN_TITLES = {"SimpleRNN": "learn.rnn.simple", "LSTM": "learn.rnn.lstm", "GRU": "learn.rnn.gru"}


def recurrent() -> None:
    st.subheader(t("learn.rnn"))
    st.markdown(t("learn.rnn.text"))
    for kind in learn.RECURRENT_KINDS:
        st.markdown(f"**{t(_RNN_TITLES[kind])}**")
        st.latex(_RNN_LATEX[kind])
    st.markdown(t("learn.rnn.costs"))
    st.latex(
        _word("tex.params") + r" = g\,\big(h\,(h + d) + b\,h\big) \qquad \text{MACs} = T\,g\,h\,(h + d)"
        r"\qquad \text{LSTM: } 4\,(h(h+d) + h) \quad \text{GRU: } 3\,(h(h+d) + 2h)"
    )
    cols = st.columns(5, vertical_alignment="bottom")
    kind = cols[0].selectbox(t("learn.rnn.kind"), learn.RECURRENT_KINDS, index=1, key="learn_rnn_kind")
    steps = cols[1].number_input(t("learn.rnn.steps"), 1, 4096, 100, key="learn_rnn_steps")
    features = cols[2].number_input(t("learn.rnn.features"), 1, 4096, 64, key="learn_rnn_features")
    units = cols[3].number_input(t("learn.rnn.units"), 1, 4096, 64, key="learn_rnn_units")
    both = cols[4].toggle(t("learn.rnn.bidirectional"), key="learn_rnn_bidirectional")
    steps, features, units = int(steps), int(features), int(units)
    cost = learn.recurrent_cost(kind, steps, features, units, both)
    formula = learn.recurrent_formula(kind, steps, features, units, both)
    out = st.columns(3)
    out[0].metric(t("learn.rnn.params"), f"{cost['params']:,}")
    out[1].metric(t("learn.rnn.macs"), metrics.MACS.show(cost["macs"]), help=f"{cost['macs']:,}")
    out[2].metric(t("learn.rnn.output"), fmt.shape(cost["output"]))
    st.caption(t("learn.rnn.check", params=formula["params"], macs=formula["macs"]))
    _recurrent_plot(kind, features, both)
    open_button("text_rnn", "rnn")
    st.markdown(t("learn.rnn.int8"))
    _rnn_against_conv1d()


def _recurrent_plot(kind: str, features: int, bidirectional: bool) -> None:
    import plotly.graph_objects as go

    steps = list(range(10, 501, 10))
    sweep = learn.recurrent_sweep(kind, features, [32, 64, 128, 256], steps, bidirectional)
    figure = go.Figure([go.Scatter(x=steps, y=macs, mode="lines", name=f"h = {h}") for h, macs in sweep.items()])
    figure.update_layout(
        title=t("learn.rnn.plot", kind=kind, d=features),
        height=320,
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis_title=t("learn.rnn.axis.steps"),
        yaxis_title=t("learn.rnn.axis.macs"),
    )
    st.plotly_chart(figure, key="learn_rnn_plot")


_COMPARED = (metrics.PARAMS, metrics.MACS, metrics.WEIGHTS_INT8)


def _rnn_against_conv1d() -> None:
    st.markdown(t("learn.rnn.compare"))
    rows = []
    for side in learn.rnn_against_conv1d():
        blockers = ", ".join(sorted({f.kind for f in side.int8_blockers}))
        rows.append(
            {
                t("col.preset"): preset_title(side.name),
                **{t(m.label_key): m.show(m.read(side.result)) for m in _COMPARED},
                t("learn.rnn.int8_ok"): t("learn.rnn.yes") if side.int8_ok else t("learn.rnn.no", layers=blockers),
            }
        )
    st.dataframe(rows, hide_index=True, key="learn_rnn_compare")
    open_button("text_cnn", "rnn_alt")


# -- quantization ----------------------------------------------------------------------------


def quantization() -> None:
    st.subheader(t("learn.quant"))
    st.markdown(t("learn.quant.text"))
    st.latex(
        r"q = \mathrm{clamp}\big(\mathrm{round}(x / s) + z,\, -128,\, 127\big) \qquad \hat x = s\,(q - z)"
        r"\qquad |x - \hat x| \le s / 2"
    )
    st.latex(
        _word("tex.affine")
        + r"\; s = \frac{\max - \min}{255},\; z = \mathrm{round}\!\left(-128 - \frac{\min}{s}\right) \qquad "
        + _word("tex.symmetric")
        + r"\; s = \frac{\max |x|}{127},\; z = 0"
    )
    cols = st.columns([3, 1])
    scheme = cols[0].radio(
        t("learn.quant.scheme"),
        learn.SCHEMES,
        index=2,
        format_func=labels(learn.SCHEMES, lambda s: t(f"learn.quant.scheme.{s}")),
        horizontal=True,
        key="learn_quant_scheme",
    )
    seed = cols[1].number_input(t("learn.quant.seed"), 0, 1000, 0, key="learn_quant_seed")
    weights = learn.example_weights(int(seed))
    result = learn.quantize(weights, scheme)
    shown = st.columns(3)
    shown[0].markdown(f"**{t('learn.quant.weights')}**")
    shown[0].dataframe(np.round(weights, 4), key="learn_quant_weights")
    shown[1].markdown(f"**{t('learn.quant.q')}**")
    shown[1].dataframe(result.q.astype(int), key="learn_quant_q")
    shown[2].markdown(f"**{t('learn.quant.error')}**")
    shown[2].dataframe(np.round(result.error, 6), key="learn_quant_error")
    st.caption(
        t(
            "learn.quant.scales",
            scales=", ".join(f"{v:.6f}" for v in result.scale.ravel()),
            zeros=", ".join(str(int(v)) for v in result.zero_point.ravel()),
        )
    )
    errors = st.columns(2)
    errors[0].metric(t("learn.quant.max_error"), f"{result.max_error:.6f}")
    errors[1].metric(t("learn.quant.rms_error"), f"{result.rms_error:.6f}")
    st.caption(t("learn.quant.per_channel"))
    design = state.workspace().design
    current = analyze(design)
    st.markdown(message("learn.quant.memory", name=state.workspace().current))
    memory = st.columns(3)
    for column, figure in zip(memory, (metrics.WEIGHTS_FP32, metrics.WEIGHTS_FP16, metrics.WEIGHTS_INT8), strict=True):
        column.metric(t(figure.label_key), figure.show(figure.read(current)) if not current.errors else "–")
    st.page_link("pages/export.py", label=t("learn.quant.export"))
    st.markdown(t("learn.quant.mixed"))


# -- where lightweight networks are used -------------------------------------------------------

_DOMAINS = (("image", "learn.use.image"), ("text", "learn.use.text_domain"), ("audio", "learn.use.audio"))


def _scenario(key: str) -> None:
    scenario = next(s for s in learn.SCENARIOS if s.key == key)
    _add(scenario.design(), preset_title(scenario.preset), scenario.dataset)


def scenarios() -> None:
    st.subheader(t("learn.use"))
    st.markdown(t("learn.use.text"))
    for domain, text_key in _DOMAINS:
        st.markdown(t(text_key))
        chosen = [s for s in learn.SCENARIOS if s.domain == domain]
        cols = st.columns(len(chosen))
        for column, scenario in zip(cols, chosen, strict=True):
            column.button(
                t(
                    "learn.use.button",
                    title=preset_title(scenario.preset),
                    dataset=t(f"dataset.{scenario.dataset}"),
                ),
                key=f"learn_scenario_{scenario.key}",
                on_click=_scenario,
                args=(scenario.key,),
            )
