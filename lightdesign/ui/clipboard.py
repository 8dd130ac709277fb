"""Copy a text to the browser's clipboard: a tiny component (components v2, in the page)
that writes it once per request, right after the click that asked for it (browsers let a
page write the clipboard only shortly after a person's gesture)."""

from __future__ import annotations

import functools

import streamlit as st

_JS = """
export default function ({ data }) {
  if (!data || !data.text || window.__ldCopied === data.nonce) return;
  window.__ldCopied = data.nonce;
  const fallback = () => {
    const area = document.createElement("textarea");
    area.value = data.text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(data.text).catch(fallback);
  } else {
    fallback();
  }
}
"""


@functools.cache
def _component():
    return st.components.v2.component("lightdesign_clipboard", js=_JS)


def copy(text: str, nonce: str, key: str) -> None:
    """Write ``text`` to the clipboard once for each new ``nonce``."""
    _component()(key=key, data={"text": text, "nonce": nonce}, height=0)
