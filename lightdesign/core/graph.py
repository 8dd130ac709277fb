"""Expansion of a Design into a DAG of primitive nodes.

Each block is traced on symbolic tensors: primitives record one node, composite blocks
record the nodes their helper function creates. Problems become ``Issue``s naming the
block and field; tracing stops at the first block whose output cannot be computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lightdesign.core import kinds
from lightdesign.core.design import NAME_PATTERN, RESERVED_NAMES, Block, Design
from lightdesign.core.fields import FieldError
from lightdesign.core.issues import Issue
from lightdesign.core.symbolic import LayerError, Node, Tensor, Trace


@dataclass
class BlockSpan:
    """The nodes one design block expanded into: ``nodes[first:end]``."""

    index: int  # 0-based position in the design
    block: Block
    first: int
    end: int
    output: str  # name of the node holding the block's output


@dataclass
class Graph:
    design: Design
    nodes: list[Node] = field(default_factory=list)
    spans: list[BlockSpan] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every block traced: shapes and costs are known for the whole design."""
        return len(self.spans) == len(self.design.blocks) and not any(i.level == "error" for i in self.issues)

    @property
    def output(self) -> Node:
        return self.nodes[-1] if not self.spans else self._node(self.spans[-1].output)

    def _node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def live(self) -> list[Node]:
        """The nodes the built model contains, in execution order: those the output depends
        on. Keras leaves the rest out of the model (a block whose output nothing reads)."""
        if not self.nodes:
            return []
        by_name = {n.name: n for n in self.nodes}
        wanted = {self.output.name}
        stack = [self.output.name]
        while stack:
            for name in by_name[stack.pop()].inputs:
                if name not in wanted:
                    wanted.add(name)
                    stack.append(name)
        wanted.add(self.nodes[0].name)  # the model input, even when nothing reads it
        return [n for n in self.nodes if n.name in wanted]

    def dead_spans(self, live: list[Node] | None = None) -> list[BlockSpan]:
        """Blocks whose output reaches nothing the model returns."""
        names = {n.name for n in (self.live() if live is None else live)}
        return [span for span in self.spans if span.output not in names]


def _issue(position: int, block: Block, message: str, field: str | None = None, valid: str | None = None) -> Issue:
    value = block.params.get(field) if field else None
    return Issue("error", message, position, block.name, block.kind, field, value, valid)


def _field_issues(position: int, block: Block, seen: set[str]) -> list[Issue]:
    """Problems visible without shapes: names, unknown kinds, field values."""
    try:
        cls = kinds.get(block.kind)
    except KeyError as exc:
        return [Issue("error", exc.args[0], position, block.name, block.kind)]
    found = []
    if not isinstance(block.name, str) or not NAME_PATTERN.fullmatch(block.name) or block.name in RESERVED_NAMES:
        found.append(
            _issue(
                position,
                block,
                f"the name {block.name!r} is not valid",
                "name",
                "letters, digits and underscores, not starting with a digit, not 'input'",
            )
        )
    elif block.name in seen:
        found.append(
            _issue(position, block, f"the name {block.name!r} is used by an earlier block", "name", "a unique name")
        )
    for spec in cls.fields:
        if spec.name not in block.params:
            found.append(_issue(position, block, f"the field {spec.name!r} is missing", spec.name, spec.valid_text()))
            continue
        try:
            spec.check(block.params[spec.name])
        except FieldError as exc:
            found.append(_issue(position, block, str(exc), spec.name, spec.valid_text()))
    return found


def trace(design: Design) -> Graph:
    """Expand a design into primitive nodes; never raises on user input."""
    graph = Graph(design)
    tr = Trace()
    dtype = "int32" if design.input_kind == "tokens" else "float32"
    outputs: dict[str, Tensor] = {"input": tr.input(design.input_shape, dtype=dtype)}
    previous = outputs["input"]
    seen: set[str] = set()
    tracing = True
    for index, block in enumerate(design.blocks):
        position = index + 1
        problems = _field_issues(position, block, seen)
        seen.add(block.name)
        graph.issues.extend(problems)
        if problems or not tracing:
            tracing = False
            continue
        cls = kinds.get(block.kind)
        inputs, problem = _resolve_inputs(position, block, cls, outputs, previous)
        if problem:
            graph.issues.append(problem)
            tracing = False
            continue
        first = len(tr.nodes)
        tr.block = index
        try:
            out = cls.apply(inputs, dict(block.params), block.name)
        except LayerError as exc:
            graph.issues.append(_issue(position, block, str(exc), exc.field, exc.valid))
            tracing = False
            tr.truncate(first)
            continue
        except (ValueError, TypeError, ZeroDivisionError, OverflowError) as exc:
            graph.issues.append(_issue(position, block, f"cannot be built with these settings ({exc})"))
            tracing = False
            tr.truncate(first)
            continue
        graph.spans.append(BlockSpan(index, block, first, len(tr.nodes), out.node))
        outputs[block.name] = out
        previous = out
    graph.nodes = tr.nodes
    return graph


def _resolve_inputs(position, block, cls, outputs, previous):
    source = previous
    if block.input is not None:
        if block.input not in outputs:
            return None, _issue(
                position,
                block,
                f"input {block.input!r} is not an earlier block",
                "input",
                "the name of an earlier block, or 'input'",
            )
        source = outputs[block.input]
    inputs = [source]
    for ref in cls.ref_fields:
        name = block.params.get(ref)
        if name not in outputs:
            earlier = ", ".join(list(outputs)[-6:])
            return None, _issue(
                position,
                block,
                f"{ref}={name!r} is not an earlier block",
                ref,
                f"'input' or an earlier block such as {earlier}",
            )
        inputs.append(outputs[name])
    return inputs, None
