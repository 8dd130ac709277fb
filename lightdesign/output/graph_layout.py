"""The design as a graph drawn top-down like the source article's flow charts: input ->
conv -> activation -> pool -> ... -> output. One node per block; composite blocks can be
expanded into a cluster of their primitive layers. Edges carry the shape of the tensor they
transport; residual and concat edges are drawn like any other, so skip connections are
visible. ``render`` writes a layout as DOT or Mermaid; ``article`` lays out the tutorial's
stages instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lightdesign.analysis.network import Analysis
from lightdesign.core import kinds
from lightdesign.core.design import Block, Design
from lightdesign.core.format import shape as fmt_shape

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

# The words inside the drawing's labels (patterns of a setting's value, the skip edge), by
# key of ``words``: the UI passes them in the interface's language.
LABEL_WORDS = {"units": "{} units", "dim": "dim {}", "squeeze": "squeeze {}", "exp": "exp {}", "skip": "skip"}
_SUMMARY_FIELDS = (
    ("filters", "{}"),
    ("units", "units"),
    ("output_dim", "dim"),
    ("squeeze", "squeeze"),
    ("expanded_filters", "exp"),
    ("expansion", "×{:g}"),
    ("kernel_size", "{0}x{0}"),
    ("pool_size", "{0}x{0}"),
    ("strides", "/{}"),
    ("groups", "g{}"),
    ("activation", "{}"),
    ("rate", "p={:g}"),
    ("target_shape", "{}"),
)


def summary(block: Block, words: dict[str, str] | None = None) -> str:
    """A short description of a block's main settings: 'Conv2D 32 · 3x3 · relu'; ``words``
    translates ``LABEL_WORDS``."""
    words = {**LABEL_WORDS, **(words or {})}
    parts = []
    for key, pattern in _SUMMARY_FIELDS:
        pattern = words.get(pattern, pattern)
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


@dataclass(frozen=True)
class Node:
    """One box of the drawing: a block, a layer of an expanded block, the input or output."""

    id: str
    label: str
    fill: str
    line: str
    cluster: str | None = None  # the expanded block it belongs to
    dead: bool = False  # a block that feeds nothing: not part of the model


@dataclass(frozen=True)
class Edge:
    """An arrow labelled with the shape it carries; ``skip`` marks a collapsed block's
    internal shortcut, drawn dashed beside the main edge."""

    src: str
    dst: str
    label: str
    skip: bool = False


@dataclass
class Layout:
    """What to draw, shared by the DOT and Mermaid writers."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    clusters: dict[str, str] = field(default_factory=dict)  # cluster id -> label


WORDS = {"input": "Input", "output": "Output", "dead": "feeds nothing: not in the model", **LABEL_WORDS}
DEAD_FILL, DEAD_LINE = "#f4f4f4", "#999999"
LINE, UNTRACED_LINE = "#555555", "#aaaaaa"


def graph_layout(analysis: Analysis, expand: bool | set[str] = False, words: dict[str, str] | None = None) -> Layout:
    """Nodes, edges and clusters of the block graph; ``words`` translates the labels (``WORDS``)."""
    words = {**WORDS, **(words or {})}
    design, graph = analysis.design, analysis.graph
    layout = Layout(nodes=[Node("input", f"{words['input']}\n{fmt_shape(design.input_shape)}", IO_FILL, LINE)])
    display = _block_nodes(analysis, expanded_blocks(design, expand), layout, words)
    _graph_edges(graph, display, layout, words)
    _untraced_chain(analysis, display, layout)
    if graph.complete and graph.nodes:
        shape = fmt_shape(graph.output.shape)
        layout.nodes.append(Node("output", f"{words['output']}\n{shape}", IO_FILL, LINE))
        layout.edges.append(Edge(display[graph.output.name], "output", shape))
    return layout


def expanded_blocks(design: Design, expand: bool | set[str]) -> set[str]:
    """Names of the composite blocks to draw as clusters of their layers."""
    wanted = {b.name for b in design.blocks} if expand is True else expand or set()
    return {b.name for b in design.blocks if b.name in wanted and is_composite(b)}


def is_composite(block: Block) -> bool:
    try:
        return kinds.get(block.kind).composite
    except KeyError:
        return False


def _block_nodes(analysis: Analysis, expanded: set[str], layout: Layout, words: dict[str, str]) -> dict[str, str]:
    """Add a node per block (or per layer of an expanded block); returns the drawn node id
    of every graph node. A block that feeds nothing is drawn greyed and dashed, and says so."""
    graph = analysis.graph
    error_blocks = {i.block for i in analysis.errors if i.block is not None}
    traced = {span.index for span in graph.spans}
    dead_blocks = set(analysis.dead_blocks)
    display: dict[str, str] = {graph.nodes[0].name: "input"} if graph.nodes else {}
    for index, block in enumerate(analysis.design.blocks):
        fill, line = colors(block, index + 1 in error_blocks, index in traced)
        dead = index in dead_blocks
        if dead:
            fill, line = DEAD_FILL, DEAD_LINE
        if block.name in expanded and index in traced:
            cluster = f"cluster_{block.name}"
            layout.clusters[cluster] = f"{block.name}: {block.kind}"
            for node in graph.nodes:
                if node.block == index:
                    display[node.name] = f"n_{node.name}"
                    layout.nodes.append(
                        Node(f"n_{node.name}", f"{node.name}\n{_node_summary(node)}", fill, line, cluster, dead)
                    )
        else:
            label = f"{block.name}\n{summary(block, words)}" + (f"\n({words['dead']})" if dead else "")
            layout.nodes.append(Node(f"b_{block.name}", label, fill, line, dead=dead))
    for node in graph.nodes[1:]:
        display.setdefault(node.name, f"b_{analysis.design.blocks[node.block].name}")
    return display


def colors(block: Block, has_error: bool, traced: bool) -> tuple[str, str]:
    """Fill and line colour: red for a block with an error, a grey line for one that could
    not be traced, its category's colour otherwise."""
    if has_error:
        return ERROR_FILL, ERROR_LINE
    return category_fill(block), LINE if traced else UNTRACED_LINE


def _graph_edges(graph, display: dict[str, str], layout: Layout, words: dict[str, str]) -> None:
    """One edge per pair of drawn nodes, labelled with the shape it carries; a second input
    of a merge inside a collapsed block becomes a skip edge."""
    shapes = {n.name: n.shape for n in graph.nodes}
    seen = set()
    for node in graph.nodes[1:]:
        for position, source in enumerate(node.inputs):
            src, dst = display[source], display[node.name]
            if src == dst:
                continue
            if (src, dst) not in seen:
                seen.add((src, dst))
                layout.edges.append(Edge(src, dst, fmt_shape(shapes[source])))
            elif is_merge(node) and position == 0:
                # A collapsed block's internal shortcut: draw it beside the main edge.
                layout.edges.append(Edge(src, dst, skip_label(node, words), skip=True))


def _untraced_chain(analysis: Analysis, display: dict[str, str], layout: Layout) -> None:
    """Blocks that could not be traced keep their place in the chain, without shapes."""
    graph = analysis.graph
    traced = {span.index for span in graph.spans}
    previous = display[graph.output.name] if graph.spans else "input"
    for index, block in enumerate(analysis.design.blocks):
        if index not in traced:
            layout.edges.append(Edge(previous, f"b_{block.name}", ""))
            previous = f"b_{block.name}"


def is_merge(node) -> bool:
    """Add, Concatenate and Multiply: a second input inside a collapsed block is drawn as a skip edge."""
    return node.layer is not None and node.layer.article_stage == "merge"


def skip_label(node, words: dict[str, str] | None = None) -> str:
    return (words or LABEL_WORDS)["skip"] if node.kind == "Add" else node.kind.lower()


def category_fill(block: Block) -> str:
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
