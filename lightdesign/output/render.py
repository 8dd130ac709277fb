"""Graphviz DOT and Mermaid text for a design, drawn top-down like the source article's
flow charts: input -> conv -> activation -> pool -> ... -> output.

One node per block; composite blocks can be expanded into a cluster of their primitive
layers. Edges carry the shape of the tensor they transport; residual and concat edges
are drawn like any other, so skip connections are visible.
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


WORDS = {"input": "Input", "output": "Output", "dead": "feeds nothing: not in the model"}
DEAD_FILL, DEAD_LINE = "#f4f4f4", "#999999"
LINE, UNTRACED_LINE = "#555555", "#aaaaaa"


def _layout(analysis: Analysis, expand: bool | set[str], words: dict[str, str] | None = None) -> Layout:
    words = {**WORDS, **(words or {})}
    design, graph = analysis.design, analysis.graph
    layout = Layout(nodes=[Node("input", f"{words['input']}\n{fmt_shape(design.input_shape)}", IO_FILL, LINE)])
    display = _block_nodes(analysis, _expanded(design, expand), layout, words)
    _graph_edges(graph, display, layout)
    _untraced_chain(analysis, display, layout)
    if graph.complete and graph.nodes:
        shape = fmt_shape(graph.output.shape)
        layout.nodes.append(Node("output", f"{words['output']}\n{shape}", IO_FILL, LINE))
        layout.edges.append(Edge(display[graph.output.name], "output", shape))
    return layout


def _expanded(design: Design, expand: bool | set[str]) -> set[str]:
    """Names of the composite blocks to draw as clusters of their layers."""
    wanted = {b.name for b in design.blocks} if expand is True else expand or set()
    return {b.name for b in design.blocks if b.name in wanted and _is_composite(b)}


def _is_composite(block: Block) -> bool:
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
        fill, line = _colors(block, index + 1 in error_blocks, index in traced)
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
            label = f"{block.name}\n{summary(block)}" + (f"\n({words['dead']})" if dead else "")
            layout.nodes.append(Node(f"b_{block.name}", label, fill, line, dead=dead))
    for node in graph.nodes[1:]:
        display.setdefault(node.name, f"b_{analysis.design.blocks[node.block].name}")
    return display


def _colors(block: Block, has_error: bool, traced: bool) -> tuple[str, str]:
    """Fill and line colour: red for a block with an error, a grey line for one that could
    not be traced, its category's colour otherwise."""
    if has_error:
        return ERROR_FILL, ERROR_LINE
    return _fill(block), LINE if traced else UNTRACED_LINE


def _graph_edges(graph, display: dict[str, str], layout: Layout) -> None:
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
            elif node.kind in _MERGES and position == 0:
                # A collapsed block's internal shortcut: draw it beside the main edge.
                layout.edges.append(Edge(src, dst, "skip" if node.kind == "Add" else node.kind.lower(), skip=True))


def _untraced_chain(analysis: Analysis, display: dict[str, str], layout: Layout) -> None:
    """Blocks that could not be traced keep their place in the chain, without shapes."""
    graph = analysis.graph
    traced = {span.index for span in graph.spans}
    previous = display[graph.output.name] if graph.spans else "input"
    for index, block in enumerate(analysis.design.blocks):
        if index not in traced:
            layout.edges.append(Edge(previous, f"b_{block.name}", ""))
            previous = f"b_{block.name}"


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
    article: bool = False,
) -> str:
    """Graphviz DOT source; ``expand`` is True (all composites) or a set of block names;
    ``words`` translates the input and output labels (with ``article``, the article's
    stage names: see ``article_layout``)."""
    import graphviz  # pure-Python DOT writer; no binary needed to produce the text

    layout = article_layout(analysis, expand, words) if article else _layout(analysis, expand, words)
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
    layout = article_layout(analysis, expand, words) if article else _layout(analysis, expand, words)
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


# -- article style ------------------------------------------------------------------------
#
# The source tutorial draws a network as a chain of stages named by what they do:
# 输入层 → 卷积层1 → 激活函数1 → 池化层1 → … → 全连接层 → 输出层. In that style every
# primitive layer is a stage named by its role, a convolution's or recurrent layer's
# activation is a stage of its own (the article writes ``Activation('relu')`` after each
# convolution, and an activation step after the recurrent layer), a dense layer keeps its
# activation (the article's 全连接层 is one step), shape-only layers (Flatten, Reshape,
# padding, channel split) fold into the arrow that carries their output, and the layer that
# produces the model's output is the output layer. A stage that occurs more than once is
# numbered. Collapsed composite blocks stay one stage; expanded ones show their layers.

ARTICLE_WORDS = {
    "input": "Input layer",
    "conv": "Convolutional layer",
    "activation": "Activation",
    "pool": "Pooling layer",
    "dense": "Fully connected layer",
    "output": "Output layer",
    "embedding": "Embedding layer",
    "recurrent": "Recurrent layer",
    "norm": "Batch normalization",
    "dropout": "Dropout",
    "merge": "Merge",
    "block": "Block",
    "numbered": "{stage} {n}",
}

_ARTICLE_KIND_STAGES = {
    **dict.fromkeys(("Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D"), "conv"),
    **dict.fromkeys(("SimpleRNN", "LSTM", "GRU"), "recurrent"),
    "Dense": "dense",
    "Activation": "activation",
    "Embedding": "embedding",
    "BatchNormalization": "norm",
    "Dropout": "dropout",
    **dict.fromkeys(_MERGES, "merge"),
}
_ARTICLE_FOLDED = {"Flatten", "Reshape", "ZeroPadding2D", "ChannelSplit"}
_RECURRENT_ACTIVATION = "tanh"  # Keras's default output activation of SimpleRNN, LSTM and GRU


def article_stage(kind: str) -> str | None:
    """The article's stage of a layer kind ('conv', 'pool', …); None for a shape-only
    layer, which is folded into an arrow; 'other' for a layer named by its kind."""
    if kind in _ARTICLE_FOLDED:
        return None
    if kind in _ARTICLE_KIND_STAGES:
        return _ARTICLE_KIND_STAGES[kind]
    try:
        cls = kinds.get(kind)
    except KeyError:
        return "other"
    if cls.composite:
        return "block"
    return "pool" if cls.category == "Pooling" else "other"


def _split_activation(node) -> str | None:
    """The activation drawn as its own stage after a convolution or recurrent layer."""
    stage = _ARTICLE_KIND_STAGES.get(node.kind)
    if stage == "recurrent":
        return _RECURRENT_ACTIVATION
    if stage == "conv":
        activation = node.layer.cfg.get("activation")
        return activation if activation not in (None, "linear") else None
    return None


def _article_detail(node, with_activation: bool) -> str:
    cfg = node.layer.cfg if node.layer is not None else {}
    if node.kind in ("Activation", "BatchNormalization", "Dropout"):  # the stage name says the kind
        return {"Activation": str(cfg.get("activation", "")), "Dropout": f"p={cfg.get('rate', 0):g}"}.get(node.kind, "")
    bits = [node.kind]
    for key in ("filters", "units", "output_dim", "kernel_size", "pool_size", "strides", "groups"):
        value = cfg.get(key)
        if value is None or (key in ("strides", "groups") and value in (1, (1, 1))):
            continue
        if key in ("kernel_size", "pool_size") and isinstance(value, int):
            bits.append(f"{value}x{value}" if node.shape and len(node.shape) == 3 else str(value))
        elif key == "strides":
            bits.append(f"/{value}")
        else:
            bits.append(str(value))
    activation = cfg.get("activation")
    if with_activation and activation not in (None, "linear"):
        bits.append(str(activation))
    return " · ".join(bits[:5])


@dataclass
class _Stage:
    id: str
    stage: str
    detail: str
    fill: str
    line: str
    cluster: str | None = None


class _ArticleBuilder:
    """Collects the stages in execution order, then names and numbers them."""

    def __init__(self, analysis: Analysis, expand: bool | set[str]):
        self.analysis = analysis
        self.graph = analysis.graph
        self.expanded = _expanded(analysis.design, expand)
        self.layout = Layout()
        self.stages: list[_Stage] = []
        self.entry: dict[str, str] = {}  # graph node -> id of the stage its inputs arrive at
        self.exit: dict[str, str] = {}  # graph node -> id of the stage its output leaves from
        self.folded: dict[str, str] = {}  # folded graph node -> its kind

    def build(self, words: dict[str, str]) -> Layout:
        graph, design = self.graph, self.analysis.design
        self.stages.append(_Stage("input", "input", fmt_shape(design.input_shape), IO_FILL, LINE))
        if graph.nodes:
            self.entry[graph.nodes[0].name] = self.exit[graph.nodes[0].name] = "input"
        self._traced_stages()
        self._untraced_stages()
        self._name(words)
        return self.layout

    def _traced_stages(self) -> None:
        graph, design = self.graph, self.analysis.design
        error_blocks = {i.block for i in self.analysis.errors if i.block is not None}
        output = graph.output.name if graph.complete and graph.spans else None
        shapes = {n.name: n.shape for n in graph.nodes}
        seen: set[tuple[str, str]] = set()
        for node in graph.nodes[1:]:
            block = design.blocks[node.block]
            fill, line = _colors(block, node.block + 1 in error_blocks, True)
            stage = "output" if node.name == output else article_stage(node.kind)
            if block.name not in self.expanded and _is_composite(block):
                self._collapsed(node, block, fill, line, shapes, seen)
                continue
            if stage is None:  # shape only: the arrow carries it
                self.exit[node.name] = self.exit[node.inputs[0]]
                self.folded[node.name] = node.kind
                continue
            cluster = f"cluster_{block.name}" if block.name in self.expanded else None
            if cluster:
                self.layout.clusters[cluster] = f"{block.name}: {block.kind}"
            own = f"n_{node.name}" if cluster else f"b_{block.name}"
            activation = _split_activation(node) if stage != "output" else None
            self.stages.append(_Stage(own, stage, _article_detail(node, activation is None), fill, line, cluster))
            self.entry[node.name] = self.exit[node.name] = own
            self._edges_into(node, shapes, seen)
            if activation:
                act = f"a{own}"
                self.stages.append(_Stage(act, "activation", activation, fill, line, cluster))
                self.layout.edges.append(Edge(own, act, fmt_shape(node.shape)))
                self.exit[node.name] = act
        if graph.complete and graph.spans and self.exit.get(output, "").startswith("b_"):
            # the output comes out of a collapsed composite block: give it its own stage
            last = design.blocks[graph.output.block]
            if _is_composite(last) and last.name not in self.expanded:
                self.stages.append(_Stage("output", "output", fmt_shape(graph.output.shape), IO_FILL, LINE))
                self.layout.edges.append(Edge(self.exit[output], "output", fmt_shape(graph.output.shape)))

    def _collapsed(self, node, block: Block, fill: str, line: str, shapes, seen) -> None:
        own = f"b_{block.name}"
        if not any(s.id == own for s in self.stages):
            self.stages.append(_Stage(own, "block", summary(block), fill, line))
        self.entry[node.name] = self.exit[node.name] = own
        self._edges_into(node, shapes, seen)

    def _edges_into(self, node, shapes, seen) -> None:
        dst = self.entry[node.name]
        for position, source in enumerate(node.inputs):
            src = self.exit[source]
            if src == dst:
                continue
            label = fmt_shape(shapes[source])
            if source in self.folded:
                label = f"{self.folded[source]} {label}"
            if (src, dst) not in seen:
                seen.add((src, dst))
                self.layout.edges.append(Edge(src, dst, label))
            elif node.kind in _MERGES and position == 0:
                self.layout.edges.append(Edge(src, dst, "skip" if node.kind == "Add" else node.kind.lower(), True))

    def _untraced_stages(self) -> None:
        design, graph = self.analysis.design, self.graph
        error_blocks = {i.block for i in self.analysis.errors if i.block is not None}
        traced = {span.index for span in graph.spans}
        previous = self.exit.get(graph.output.name, "input") if graph.spans else "input"
        for index, block in enumerate(design.blocks):
            if index in traced:
                continue
            fill, line = _colors(block, index + 1 in error_blocks, False)
            self.stages.append(
                _Stage(f"b_{block.name}", article_stage(block.kind) or "other", summary(block), fill, line)
            )
            self.layout.edges.append(Edge(previous, f"b_{block.name}", ""))
            previous = f"b_{block.name}"

    def _name(self, words: dict[str, str]) -> None:
        counts: dict[str, int] = {}
        for s in self.stages:
            counts[s.stage] = counts.get(s.stage, 0) + 1
        numbers: dict[str, int] = {}
        for s in self.stages:
            word = words.get(s.stage) or s.detail.split(" · ")[0]
            if counts[s.stage] > 1 and s.stage not in ("input", "output"):
                numbers[s.stage] = numbers.get(s.stage, 0) + 1
                word = words["numbered"].format(stage=word, n=numbers[s.stage])
            detail = s.detail if s.stage != "other" else " · ".join(s.detail.split(" · ")[1:])
            label = f"{word}\n{detail}" if detail else word
            self.layout.nodes.append(Node(s.id, label, s.fill, s.line, s.cluster))


def article_layout(analysis: Analysis, expand: bool | set[str] = False, words: dict[str, str] | None = None) -> Layout:
    """The design as the article draws it (see above); ``words`` translates the stage
    names (keys of ``ARTICLE_WORDS``: 'input', 'conv', …, and 'numbered', a pattern with
    ``{stage}`` and ``{n}``)."""
    return _ArticleBuilder(analysis, expand).build({**ARTICLE_WORDS, **(words or {})})
