"""The design drawn top-down with Graphviz (the drawing that is exported as DOT, SVG or
PNG); the Mermaid text for documents. The editor's canvas is ``canvas.py``."""

from __future__ import annotations

import zlib

import streamlit as st

from lightdesign.analysis.network import Analysis
from lightdesign.core import kinds
from lightdesign.output.article import ARTICLE_WORDS
from lightdesign.output.render import to_dot, to_mermaid
from lightdesign.ui import icons, state
from lightdesign.ui.i18n import t


def render(result: Analysis, selected: str | None) -> None:
    composites = [b.name for b in result.design.blocks if _is_composite(b.kind)]
    st.caption(t("graph.export_help"))
    # One widget per row: beside each other the toggle's label was cut.
    expand_all = st.toggle(
        t("graph.expand_all"), help=t("graph.expand_all.help"), **state.persistent_widget(state.EXPAND_ALL)
    )
    st.session_state[state.EXPANDED] = [n for n in st.session_state[state.EXPANDED] if n in composites]
    st.multiselect(
        t("graph.expand"),
        composites,
        disabled=expand_all or not composites,
        placeholder=t("graph.expand.placeholder"),
        **state.persistent_widget(state.EXPANDED),
    )
    article = st.toggle(
        t("article.style"), help=t("article.style.help"), **state.persistent_widget(state.GRAPH_ARTICLE)
    )
    expand: bool | set[str] = True if expand_all else set(st.session_state[state.EXPANDED])
    drawn = drawn_nodes(result, expand)
    if drawn > MAX_DRAWN_NODES:  # a 1,000-block design expanded is ~17,000 nodes: minutes in the browser
        st.warning(t("graph.too_many", nodes=drawn, limit=MAX_DRAWN_NODES), icon=icons.WARNING)
        return
    selected_name = next((b.name for b in result.design.blocks if b.id == selected), None)
    words = style_words(article)
    dot = to_dot(result, expand, selected_name, words, article=article)
    # A new key per drawing makes the browser draw into a fresh element. Redrawn in place,
    # d3-graphviz prepares path-morphing animations: ~250 ms of browser time per edit.
    with st.container(key=f"graph_{zlib.crc32(dot.encode()):08x}"):
        st.graphviz_chart(dot, width="content")
    with st.expander(t("graph.mermaid")):
        st.code(to_mermaid(result, expand, words, article=article), language="text")


MAX_DRAWN_NODES = 1500  # every design of up to 1,000 blocks draws collapsed


def drawn_nodes(result: Analysis, expand: bool | set[str]) -> int:
    """Nodes the drawing would have: one per block, or its layers when it is expanded."""
    count = 2  # input and output
    for span in result.graph.spans:
        expanded = expand is True or span.block.name in (expand or set())
        count += max(1, span.end - span.first) if expanded and _is_composite(span.block.kind) else 1
    return count


def _is_composite(kind: str) -> bool:
    try:
        return kinds.get(kind).composite
    except KeyError:
        return False


def style_words(article: bool) -> dict[str, str]:
    """The words of the drawing in the interface's language: the article's stage names
    (输入层, 卷积层, … in Chinese) in article style, else the input and output labels; the
    words inside the labels in both styles."""
    labels = {
        "units": t("graph.units"),
        "dim": t("graph.dim"),
        "squeeze": t("graph.squeeze"),
        "exp": t("graph.exp"),
        "skip": t("graph.skip"),
    }
    if article:
        return {**{key: t(f"article.word.{key}") for key in ARTICLE_WORDS}, **labels}
    return {"input": t("graph.input"), "output": t("graph.output"), "dead": t("graph.dead"), **labels}
