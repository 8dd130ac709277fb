"""Graphviz DOT and Mermaid text (and, with Graphviz's ``dot``, SVG/PNG) for a design: the
block graph of ``graph_layout`` or, with ``article``, the tutorial's stages of ``article``."""

from __future__ import annotations

from lightdesign.analysis.network import Analysis
from lightdesign.output.article import article_layout
from lightdesign.output.graph_layout import Layout, graph_layout


def _layout(analysis: Analysis, expand: bool | set[str], words: dict[str, str] | None, article: bool) -> Layout:
    return article_layout(analysis, expand, words) if article else graph_layout(analysis, expand, words)


def to_dot(
    analysis: Analysis,
    expand: bool | set[str] = False,
    selected: str | None = None,
    words: dict[str, str] | None = None,
    article: bool = False,
) -> str:
    """Graphviz DOT source; ``expand`` is True (all composites) or a set of block names;
    ``words`` translates the input and output labels (with ``article``, the article's
    stage names: see ``article_layout``)."""
    import graphviz  # pure-Python DOT writer; no binary needed to produce the text

    layout = _layout(analysis, expand, words, article)
    dot = graphviz.Digraph("design")
    dot.attr(rankdir="TB", nodesep="0.25", ranksep="0.3")
    dot.attr("node", shape="box", style="rounded,filled", fontname="Helvetica", fontsize="10")
    dot.attr("edge", fontname="Helvetica", fontsize="8", color="#666666")
    clusters = {cid: graphviz.Digraph(cid) for cid in layout.clusters}
    for cid, label in layout.clusters.items():
        clusters[cid].attr(label=label, style="rounded,dashed", color="#7f7f7f", fontsize="9", fontname="Helvetica")
    for node in layout.nodes:
        width = "2.5" if node.id == f"b_{selected}" else "1"
        target = clusters[node.cluster] if node.cluster else dot
        style = {"style": "rounded,filled,dashed", "fontcolor": "#777777"} if node.dead else {}
        target.node(
            node.id,
            label=node.label.replace("\n", "\\n"),
            fillcolor=node.fill,
            color=node.line,
            penwidth=width,
            **style,
        )
    for sub in clusters.values():
        dot.subgraph(sub)
    for edge in layout.edges:
        if edge.skip:
            dot.edge(edge.src, edge.dst, label=f" {edge.label}", style="dashed", color="#1f77b4", fontcolor="#1f77b4")
        else:
            dot.edge(edge.src, edge.dst, label=f" {edge.label}" if edge.label else "")
    return dot.source


def to_image(dot: str, image_format: str) -> bytes:
    """The drawing of DOT source as ``svg`` or ``png`` bytes, made by Graphviz's ``dot``
    program through the graphviz package. Raises ``graphviz.ExecutableNotFound`` (a
    RuntimeError) when ``dot`` is not installed and ``graphviz.CalledProcessError`` (a
    subprocess.SubprocessError) when it fails."""
    import graphviz

    return graphviz.Source(dot).pipe(format=image_format)


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", "<br/>")


def to_mermaid(
    analysis: Analysis, expand: bool | set[str] = False, words: dict[str, str] | None = None, article: bool = False
) -> str:
    """Mermaid ``graph TD`` text for pasting into Markdown documents; ``article`` draws
    the article's stages (``article_layout``)."""
    layout = _layout(analysis, expand, words, article)
    lines = ["graph TD"]
    members: dict[str, list[str]] = {}
    for node in layout.nodes:
        entry = f'    {node.id}["{_mermaid_text(node.label)}"]'
        if node.cluster:
            members.setdefault(node.cluster, []).append(entry)
        else:
            lines.append(entry)
    for cluster, entries in members.items():
        lines.append(f'    subgraph {cluster}["{_mermaid_text(layout.clusters[cluster])}"]')
        lines.extend("    " + e for e in entries)
        lines.append("    end")
    dead = [node.id for node in layout.nodes if node.dead]
    if dead:
        lines.append("    classDef dead fill:#f4f4f4,stroke:#999999,stroke-dasharray:4 3,color:#777777")
        lines.append(f"    class {','.join(dead)} dead")
    for edge in layout.edges:
        line = "-.->" if edge.skip else "-->"
        arrow = f'{line}|"{edge.label}"|' if edge.label else line
        lines.append(f"    {edge.src} {arrow} {edge.dst}")
    return "\n".join(lines) + "\n"
