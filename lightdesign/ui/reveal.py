"""Bring an element into view: a tiny component (components v2, in the page) that scrolls
the container of a Streamlit key into view once per request, in its own scroll box (the
inspector's) and in the page, by the least distance."""

from __future__ import annotations

import functools

import streamlit as st

_JS = """
export default function ({ data }) {
  if (!data || !data.key || window.__ldRevealed === data.nonce) return;
  window.__ldRevealed = data.nonce;
  const show = () => {
    const element = document.querySelector(`.st-key-${data.key}`);
    if (element) element.scrollIntoView({ block: "nearest" });
  };
  requestAnimationFrame(() => requestAnimationFrame(show));
}
"""


@functools.cache
def _component():
    return st.components.v2.component("lightdesign_reveal", js=_JS)


def scroll_to(key: str, nonce: str) -> None:
    """Scroll the element of Streamlit key ``key`` into view, once for each new ``nonce``."""
    _component()(key=f"reveal_{key}", data={"key": key, "nonce": nonce}, height=0)
