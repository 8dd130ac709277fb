"""Placeholder content for pages that are not built yet: what they will do."""

import streamlit as st

PLANS = {
    "Compare": [
        "Pick two to four designs and see params, MACs, memory and accuracy side by side, with ratios.",
        "Overlaid per-block cost profiles, and accuracy against cost with the Pareto front.",
        "The graphs side by side and an architecture diff.",
    ],
    "Train": [
        "Train the current design briefly on built-in data (digits, shapes, sequences) or your own upload.",
        "Live loss and accuracy curves; a confusion matrix and sample predictions at the end.",
    ],
    "Export": [
        "Runnable Keras code, the design JSON, Mermaid and DOT text.",
        "Keras and TFLite (float32 and int8) models with their real sizes and measured latency.",
    ],
    "Learn": [
        "Convolution cost, activations, pooling and depthwise-separable convolution, each with a live calculator.",
        "How MobileNet, ShuffleNet and SqueezeNet reduce cost, with a button to open each in the designer.",
    ],
}


def render(page: str) -> None:
    st.title(page)
    st.info("This page is coming. Meanwhile the Design page and `python -m lightdesign` already work.")
    for line in PLANS[page]:
        st.markdown(f"- {line}")
