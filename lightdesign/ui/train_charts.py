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

# The series of each chart, each its own colour: the batches, the epoch means, the validation.
BATCH_COLOR = "#9ecae1"
TRAIN_COLOR = "#1f77b4"
VALIDATION_COLOR = "#ff7f0e"
CHARTS = (("loss", "curve.loss"), ("accuracy", "curve.accuracy"))  # (figure, title key)


def curves(history: Sequence[Epoch], batches: Sequence[Batch]) -> None:
    """Loss and accuracy, each in its own chart with its own legend: the mean over each
    stretch of batches, the training mean of each epoch (at the epoch's middle, where it
    lies among the batches it averages) and the validation figure at each epoch's end."""
    columns = st.columns(2)
    for column, (name, title) in zip(columns, CHARTS, strict=True):
        with column:
            st.markdown(f"**{t(title)}**")
            st.plotly_chart(curve(name, history, batches), key=f"curve_{name}_{len(batches)}_{len(history)}")


def curve(name: str, history: Sequence[Epoch], batches: Sequence[Batch]):
    """The chart of one figure (``loss`` or ``accuracy``)."""
    import plotly.graph_objects as go

    figure = go.Figure()
    hover = "%{x:.2f}: %{y:.4f}<extra>%{fullData.name}</extra>"
    if batches:
        figure.add_trace(
            go.Scatter(
                x=[b.epochs_done for b in batches],
                y=[getattr(b, name) for b in batches],
                name=t("curve.batches"),
                mode="lines",
                line=dict(color=BATCH_COLOR, width=1.5),
                hovertemplate=hover,
            )
        )
    for field, label, color, offset in (
        (name, "curve.train_epoch", TRAIN_COLOR, 0.5),
        (f"val_{name}", "curve.validation", VALIDATION_COLOR, 0.0),
    ):
        values = [getattr(h, field) for h in history]
        if any(v is not None for v in values):
            figure.add_trace(
                go.Scatter(
                    x=[h.epoch - offset for h in history],
                    y=values,
                    name=t(label),
                    mode="lines+markers",
                    line=dict(color=color),
                    hovertemplate=hover,
                )
            )
    figure.update_xaxes(title_text=t("curve.epoch"), rangemode="tozero")
    if name == "accuracy":
        figure.update_yaxes(tickformat=".0%")
    figure.update_layout(height=300, margin=dict(l=10, r=10, t=10, b=10), showlegend=True)
    plots.legend_above(figure)
    return figure


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
