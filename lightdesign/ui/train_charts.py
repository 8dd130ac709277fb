"""The Train page's charts: loss and accuracy curves (live and final), the confusion
matrix and a grid of sample predictions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import streamlit as st

from lightdesign.jobs.messages import Batch, Epoch, Sample, TrainResult
from lightdesign.jobs.specs import WORK_ROOT
from lightdesign.ui import plots
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import html, md

BATCH_COLOR = "#9ecae1"
# The epoch curves: (Epoch field, subplot column, colour).
EPOCH_CURVES = (
    ("loss", 1, "#1f77b4"),
    ("val_loss", 1, "#ff7f0e"),
    ("accuracy", 2, "#1f77b4"),
    ("val_accuracy", 2, "#ff7f0e"),
)


def curves(history: Sequence[Epoch], batches: Sequence[Batch]) -> None:
    """Loss and accuracy by epoch, over the batches' own figures."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2, subplot_titles=(t("curve.loss"), t("curve.accuracy")))
    if batches:
        steps = [b.epochs_done for b in batches]
        for column, values, name in (
            (1, [b.loss for b in batches], t("curve.batches_loss")),
            (2, [b.accuracy for b in batches], t("curve.batches_accuracy")),
        ):
            figure.add_trace(go.Scatter(x=steps, y=values, name=name, line=dict(color=BATCH_COLOR)), row=1, col=column)
    epochs = [h.epoch for h in history]
    for name, column, color in EPOCH_CURVES:
        values = [getattr(h, name) for h in history]
        if any(v is not None for v in values):
            figure.add_trace(
                go.Scatter(x=epochs, y=values, name=name, mode="lines+markers", line=dict(color=color)),
                row=1,
                col=column,
            )
    figure.update_xaxes(title_text=t("curve.epoch"))
    figure.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10))
    plots.legend_above(figure, subplot_titles=True)
    st.plotly_chart(figure, key=f"curves_{len(batches)}_{len(history)}")


def confusion(result: TrainResult) -> None:
    import plotly.graph_objects as go

    names = result.class_names
    matrix = [list(row) for row in result.confusion]
    labels = [html(n) for n in names] if len(names) == len(matrix) else [str(i) for i in range(len(matrix))]
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=labels,
            y=labels,
            colorscale="Blues",
            text=matrix,
            texttemplate="%{text}",
            hovertemplate=t("result.true") + " %{y}, " + t("result.predicted") + " %{x}: %{z}<extra></extra>",
        )
    )
    figure.update_layout(
        title=t("result.confusion"),
        xaxis_title=t("result.predicted"),
        yaxis_title=t("result.true"),
        yaxis_autorange="reversed",
        height=380,
        margin=dict(l=10, r=10, t=40, b=10),
    )
    st.plotly_chart(figure, key="confusion")


def sample_images(result: TrainResult) -> np.ndarray | None:
    """The samples' images the worker saved, read as data only from the app's work folder."""
    if not result.sample_images_path:
        return None
    path = Path(result.sample_images_path).resolve()
    if WORK_ROOT.resolve() not in path.parents or not path.is_file():
        return None
    return np.load(path, allow_pickle=False)


def sample_grid(result: TrainResult) -> None:
    names = result.class_names

    def label(sample: Sample) -> str:
        mark = "✓" if sample.correct else "✗"
        text = f"{mark} {names[sample.predicted]}"
        return text if sample.correct else f"{text} ({t('result.true_label', label=names[sample.true])})"

    st.markdown(f"**{t('result.samples')}**")
    images = sample_images(result)
    if images is not None:
        pictures = [np.clip(x if x.shape[-1] == 3 else x[..., 0], 0, 1) for x in images]
        st.image(pictures, caption=[md(label(s)) for s in result.samples], width=72)
    else:
        st.markdown(
            "\n".join(
                "- " + t("result.sample_line", index=s.index, label=md(label(s)), confidence=s.confidence)
                for s in result.samples
            )
        )
