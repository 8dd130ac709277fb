"""Graphviz DOT and Mermaid text for a design, drawn top-down like the source article's
flow charts: input -> conv -> activation -> pool -> ... -> output.

One node per block; composite blocks can be expanded into a cluster of their primitive
layers. Edges carry the shape of the tensor they transport; residual and concat edges
are drawn like any other, so skip connections are visible.
"""

from __future__ import annotations

from dataclasses import dataclass

from lightdesign import kinds
from lightdesign.analysis import Analysis
from lightdesign.design import Block
from lightdesign.format import shape as fmt_shape

CATEGORY_COLORS = {
    "Convolution": "#dbe8f6",
    "Lightweight blocks": "#d7f0dd",
    "Pooling": "#fde7c8",
    "Dense": "#f6d5e5",
    "Recurrent": "#e6dcf5",
    "Regularization": "#eeeeee",
    "Shape & merge": "#fff6bf",
}
ERROR_FILL, ERROR_LINE = "#ffd6d6", "#d62728"
IO_FILL = "#ffffff"
_MERGES = {"Add", "Concatenate", "Multiply"}

_SUMMARY_FIELDS = (
    ("filters", "{}"),
    ("units", "{} units"),
    ("output_dim", "dim {}"),
    ("squeeze", "squeeze {}"),
    ("expanded_filters", "exp {}"),
    ("expansion", "×{:g}"),
    ("kernel_size", "{0}x{0}"),
    ("pool_size", "{0}x{0}"),
    ("strides", "/{}"),
    ("groups", "g{}"),
    ("activation", "{}"),
    ("rate", "p={:g}"),
    ("target_shape", "{}"),
)


def summary(block: Block) -> str:
    """A short description of a block's main settings: 'Conv2D 32 · 3x3 · relu'."""
    parts = []
    for key, pattern in _SUMMARY_FIELDS:
        value = block.params.get(key)
        if value is None or (key == "strides" and value == 1) or (key == "groups" and value in (1,)):
            continue
        if key == "activation" and value == "linear":
            continue
        try:
            parts.append(pattern.format(value))
        except (ValueError, TypeError):
            parts.append(str(value))
    return " · ".join([block.kind, *parts[:4]])


@dataclass
class _Shape:
    """What to draw: nodes (id, label, fill, line, cluster) and edges (src, dst, label)."""

    nodes: list[tuple[str, str, str, str, str | None]]
    edges: list[tuple[str, str, str, str]]  # src, dst, label, style ("solid" or "skip")
    clusters: dict[str, str]  # cluster id -> label


WORDS = {"input": "Input", "output": "Output"}


def _layout(analysis: Analysis, expand: bool | set[str], words: dict[str, str] | None = None) -> _Shape:
    words = {**WORDS, **(words or {})}
    design, graph = analysis.design, analysis.graph
    error_blocks = {i.block for i in analysis.errors if i.block is not None}
    expanded = set()
    for block in design.blocks:
        try:
            composite = kinds.get(block.kind).composite
        except KeyError:
            composite = False
        if composite and (expand is True or (isinstance(expand, set) and block.name in expand)):
            expanded.add(block.name)

    shapes = {n.name: n.shape for n in graph.nodes}
    display: dict[str, str] = {graph.nodes[0].name: "input"} if graph.nodes else {}
    nodes: list[tuple[str, str, str, str, str | None]] = [
        ("input", f"{words['input']}\n{fmt_shape(design.input_shape)}", IO_FILL, "#555555", None)
    ]
    clusters: dict[str, str] = {}
    traced = {span.index for span in graph.spans}
    for index, block in enumerate(design.blocks):
        fill = _fill(block)
        line = ERROR_LINE if index + 1 in error_blocks else "#555555"
        if index + 1 in error_blocks:
            fill = ERROR_FILL
        elif index not in traced:
            line = "#aaaaaa"
        if block.name in expanded and index in traced:
            cluster = f"cluster_{block.name}"
            clusters[cluster] = f"{block.name}: {block.kind}"
            for node in graph.nodes:
                if node.block == index:
                    display[node.name] = f"n_{node.name}"
                    nodes.append((f"n_{node.name}", f"{node.name}\n{_node_summary(node)}", fill, line, cluster))
        else:
            nodes.append((f"b_{block.name}", f"{block.name}\n{summary(block)}", fill, line, None))
    for node in graph.nodes[1:]:
        display.setdefault(node.name, f"b_{design.blocks[node.block].name}")

    edges: list[tuple[str, str, str, str]] = []
    seen = set()
    for node in graph.nodes[1:]:
        for position, source in enumerate(node.inputs):
            src, dst = display[source], display[node.name]
            if src == dst:
                continue
            if (src, dst) not in seen:
                seen.add((src, dst))
                edges.append((src, dst, fmt_shape(shapes[source]), "solid"))
            elif node.kind in _MERGES and position == 0:
                # A collapsed block's internal shortcut: draw it beside the main edge.
                edges.append((src, dst, "skip" if node.kind == "Add" else node.kind.lower(), "skip"))
    # Blocks that could not be traced keep their place in the chain, without shapes.
    previous = display[graph.output.name] if graph.spans else "input"
    for index, block in enumerate(design.blocks):
        if index in traced:
            continue
        edges.append((previous, f"b_{block.name}", "", "solid"))
        previous = f"b_{block.name}"
    if graph.complete and graph.nodes:
        nodes.append(("output", f"{words['output']}\n{fmt_shape(graph.output.shape)}", IO_FILL, "#555555", None))
        edges.append((display[graph.output.name], "output", fmt_shape(graph.output.shape), "solid"))
    return _Shape(nodes, edges, clusters)


def _fill(block: Block) -> str:
    try:
        return CATEGORY_COLORS[kinds.get(block.kind).category]
    except KeyError:
        return ERROR_FILL


def _node_summary(node) -> str:
    cfg = node.layer.cfg if node.layer is not None else {}
    bits = [node.kind]
    for key in ("filters", "units", "kernel_size", "strides", "activation", "groups"):
        value = cfg.get(key)
        if value in (None, 1) and key in ("strides", "groups"):
            continue
        if value is not None:
            bits.append(f"{value}x{value}" if key == "kernel_size" and isinstance(value, int) else str(value))
    return " · ".join(bits[:4])


def to_dot(
    analysis: Analysis,
    expand: bool | set[str] = False,
    selected: str | None = None,
    words: dict[str, str] | None = None,
) -> str:
    """Graphviz DOT source; ``expand`` is True (all composites) or a set of block names;
    ``words`` translates the input and output labels."""
    import graphviz  # pure-Python DOT writer; no binary needed to produce the text

    layout = _layout(analysis, expand, words)
    dot = graphviz.Digraph("design")
    dot.attr(rankdir="TB", nodesep="0.25", ranksep="0.3")
    dot.attr("node", shape="box", style="rounded,filled", fontname="Helvetica", fontsize="10")
    dot.attr("edge", fontname="Helvetica", fontsize="8", color="#666666")
    clusters = {cid: graphviz.Digraph(cid) for cid in layout.clusters}
    for cid, label in layout.clusters.items():
        clusters[cid].attr(label=label, style="rounded,dashed", color="#7f7f7f", fontsize="9", fontname="Helvetica")
    for node_id, label, fill, line, cluster in layout.nodes:
        width = "2.5" if node_id == f"b_{selected}" else "1"
        target = clusters[cluster] if cluster else dot
        target.node(node_id, label=label.replace("\n", "\\n"), fillcolor=fill, color=line, penwidth=width)
    for sub in clusters.values():
        dot.subgraph(sub)
    for src, dst, label, style in layout.edges:
        if style == "skip":
            dot.edge(src, dst, label=f" {label}", style="dashed", color="#1f77b4", fontcolor="#1f77b4")
        else:
            dot.edge(src, dst, label=f" {label}" if label else "")
    return dot.source


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", "<br/>")


def to_mermaid(analysis: Analysis, expand: bool | set[str] = False, words: dict[str, str] | None = None) -> str:
    """Mermaid ``graph TD`` text for pasting into Markdown documents."""
    layout = _layout(analysis, expand, words)
    lines = ["graph TD"]
    members: dict[str, list[str]] = {}
    for node_id, label, _fill, _line, cluster in layout.nodes:
        entry = f'    {node_id}["{_mermaid_text(label)}"]'
        if cluster:
            members.setdefault(cluster, []).append(entry)
        else:
            lines.append(entry)
    for cluster, entries in members.items():
        lines.append(f'    subgraph {cluster}["{_mermaid_text(layout.clusters[cluster])}"]')
        lines.extend("    " + e for e in entries)
        lines.append("    end")
    for src, dst, label, style in layout.edges:
        line = "-.->" if style == "skip" else "-->"
        arrow = f'{line}|"{label}"|' if label else line
        lines.append(f"    {src} {arrow} {dst}")
    return "\n".join(lines) + "\n"
