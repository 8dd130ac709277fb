"""The design as the source tutorial draws it: a chain of stages named by what they do,
输入层 → 卷积层1 → 激活函数1 → 池化层1 → … → 全连接层 → 输出层.

In that style every primitive layer is a stage named by its role (its kind's
``article_stage``), a convolution's or recurrent layer's activation is a stage of its own
(the article writes ``Activation('relu')`` after each convolution, and an activation step
after the recurrent layer), a dense layer keeps its activation (the article's 全连接层 is one
step), shape-only layers (Flatten, Reshape, padding, channel split) fold into the arrow that
carries their output, and the layer that produces the model's output is the output layer. A
stage that occurs more than once is numbered. Collapsed composite blocks stay one stage;
expanded ones show their layers.
"""

from __future__ import annotations

from dataclasses import dataclass

from lightdesign.analysis.network import Analysis
from lightdesign.core import kinds
from lightdesign.core.design import Block
from lightdesign.core.format import shape as fmt_shape
from lightdesign.output.graph_layout import (
    IO_FILL,
    LABEL_WORDS,
    LINE,
    Edge,
    Layout,
    Node,
    colors,
    expanded_blocks,
    is_composite,
    is_merge,
    skip_label,
    summary,
)

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

_RECURRENT_ACTIVATION = "tanh"  # Keras's default output activation of SimpleRNN, LSTM and GRU


def article_stage(kind: str) -> str | None:
    """The article's stage of a layer kind ('conv', 'pool', …): its ``article_stage``;
    None for a shape-only layer, which is folded into an arrow; 'other' for a kind that is
    not registered, named by its kind."""
    try:
        return kinds.get(kind).article_stage
    except KeyError:
        return "other"


def _split_activation(node) -> str | None:
    """The activation drawn as its own stage after a convolution or recurrent layer."""
    stage = node.layer.article_stage
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

    def __init__(self, analysis: Analysis, expand: bool | set[str], words: dict[str, str]):
        self.analysis = analysis
        self.words = words
        self.graph = analysis.graph
        self.expanded = expanded_blocks(analysis.design, expand)
        self.layout = Layout()
        self.stages: list[_Stage] = []
        self.entry: dict[str, str] = {}  # graph node -> id of the stage its inputs arrive at
        self.exit: dict[str, str] = {}  # graph node -> id of the stage its output leaves from
        self.folded: dict[str, str] = {}  # folded graph node -> its kind

    def build(self) -> Layout:
        graph, design = self.graph, self.analysis.design
        self.stages.append(_Stage("input", "input", fmt_shape(design.input_shape), IO_FILL, LINE))
        if graph.nodes:
            self.entry[graph.nodes[0].name] = self.exit[graph.nodes[0].name] = "input"
        self._traced_stages()
        self._untraced_stages()
        self._name(self.words)
        return self.layout

    def _traced_stages(self) -> None:
        graph, design = self.graph, self.analysis.design
        error_blocks = {i.block for i in self.analysis.errors if i.block is not None}
        output = graph.output.name if graph.complete and graph.spans else None
        shapes = {n.name: n.shape for n in graph.nodes}
        seen: set[tuple[str, str]] = set()
        for node in graph.nodes[1:]:
            block = design.blocks[node.block]
            fill, line = colors(block, node.block + 1 in error_blocks, True)
            stage = "output" if node.name == output else article_stage(node.kind)
            if block.name not in self.expanded and is_composite(block):
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
            if is_composite(last) and last.name not in self.expanded:
                self.stages.append(_Stage("output", "output", fmt_shape(graph.output.shape), IO_FILL, LINE))
                self.layout.edges.append(Edge(self.exit[output], "output", fmt_shape(graph.output.shape)))

    def _collapsed(self, node, block: Block, fill: str, line: str, shapes, seen) -> None:
        own = f"b_{block.name}"
        if not any(s.id == own for s in self.stages):
            self.stages.append(_Stage(own, "block", summary(block, self.words), fill, line))
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
            elif is_merge(node) and position == 0:
                self.layout.edges.append(Edge(src, dst, skip_label(node, self.words), True))

    def _untraced_stages(self) -> None:
        design, graph = self.analysis.design, self.graph
        error_blocks = {i.block for i in self.analysis.errors if i.block is not None}
        traced = {span.index for span in graph.spans}
        previous = self.exit.get(graph.output.name, "input") if graph.spans else "input"
        for index, block in enumerate(design.blocks):
            if index in traced:
                continue
            fill, line = colors(block, index + 1 in error_blocks, False)
            self.stages.append(
                _Stage(f"b_{block.name}", article_stage(block.kind) or "other", summary(block, self.words), fill, line)
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
    ``{stage}`` and ``{n}``) and the labels' words (``LABEL_WORDS``)."""
    return _ArticleBuilder(analysis, expand, {**ARTICLE_WORDS, **LABEL_WORDS, **(words or {})}).build()
