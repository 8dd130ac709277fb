"""Edits of a design: pure functions that return a changed copy (or raise DesignError).

The workspace wraps each in undo history; the pages call them from widgets.
"""

from __future__ import annotations

from typing import Any

from lightdesign.core import kinds
from lightdesign.core.blocks.common import make_divisible
from lightdesign.core.design import Block, Design, DesignError, check_input_shape, check_limits, check_name, new_block
from lightdesign.core.fields import MAX_UNITS, FieldError

# The width multiplier (alpha), for scale_width, the presets, the CLI and the UI. Every preset
# builds a valid design at both ends, with margin: MobileNet V1's stem rounds to 0 filters
# below alpha 1/32, and the 1280-channel heads pass fields.MAX_CHANNELS above 12.8.
MIN_WIDTH = 0.05
MAX_WIDTH = 8.0


def _index_of(design: Design, block_id: str) -> int:
    for i, block in enumerate(design.blocks):
        if block.id == block_id:
            return i
    raise DesignError(f"there is no block with id {block_id!r} in {design.name!r}")


def insert_block(design: Design, kind: str, index: int | None = None) -> tuple[Design, str]:
    """Insert a block of ``kind`` with default settings at ``index`` (default: the end).
    Merge kinds default to merging with the block two places back. Returns (design, id)."""
    out = design.copy()
    try:
        kinds.get(kind)
    except KeyError as exc:
        raise DesignError(exc.args[0]) from None
    index = len(out.blocks) if index is None else max(0, min(index, len(out.blocks)))
    block = new_block(kind, out.new_name(kind), out.new_id())
    for ref in kinds.get(kind).ref_fields:
        block.params[ref] = out.blocks[index - 2].name if index >= 2 else "input"
    out.blocks.insert(index, block)
    return check_limits(out), block.id


def remove_block(design: Design, block_id: str) -> Design:
    out = design.copy()
    del out.blocks[_index_of(out, block_id)]
    return out


def duplicate_block(design: Design, block_id: str) -> tuple[Design, str]:
    """Insert a copy of a block right after it, with a fresh name and id."""
    out = design.copy()
    index = _index_of(out, block_id)
    original = out.blocks[index]
    copy = Block(original.kind, out.new_name(original.kind), dict(original.params), out.new_id(), original.input)
    out.blocks.insert(index + 1, copy)
    return check_limits(out), copy.id


def move_block(design: Design, block_id: str, delta: int) -> Design:
    out = design.copy()
    index = _index_of(out, block_id)
    target = max(0, min(len(out.blocks) - 1, index + delta))
    out.blocks.insert(target, out.blocks.pop(index))
    return out


def reorder(design: Design, order: list[str | tuple[str, str]]) -> tuple[Design, list[str]]:
    """Rebuild the stack from a list of block ids and ("new", kind) entries (what a drag and
    drop produced). Blocks left out are deleted. Returns (design, ids of new blocks)."""
    out = design.copy()
    by_id = {b.id: b for b in out.blocks}
    blocks: list[Block] = []
    added: list[str] = []
    out.blocks = []
    for entry in order:
        if isinstance(entry, tuple):
            kind = entry[1]
            block = new_block(kind, _unique_name(out, blocks, kind), _unique_id(out, blocks, by_id))
            for ref in kinds.get(kind).ref_fields:
                block.params[ref] = blocks[-2].name if len(blocks) >= 2 else "input"
            added.append(block.id)
            blocks.append(block)
        elif entry in by_id:
            blocks.append(by_id[entry])
    out.blocks = blocks
    return check_limits(out), added


def _unique_name(design: Design, blocks: list[Block], kind: str) -> str:
    probe = Design(design.name, design.input_shape, design.num_classes, [*blocks, *design.blocks])
    return probe.new_name(kind)


def _unique_id(design: Design, blocks: list[Block], existing: dict[str, Block]) -> str:
    probe = Design(design.name, design.input_shape, design.num_classes, [*blocks, *existing.values()])
    return probe.new_id()


def set_param(design: Design, block_id: str, field: str, value: Any) -> Design:
    """Set one field. Values are stored even when the analysis will reject them in context
    (kernel larger than the input, say); values of the wrong type or range are refused."""
    out = design.copy()
    block = out.blocks[_index_of(out, block_id)]
    spec = next((f for f in kinds.get(block.kind).fields if f.name == field), None)
    if spec is None:
        raise DesignError(f"{block.kind} has no field {field!r}")
    try:
        block.params[field] = spec.check(value)
    except FieldError as exc:
        raise DesignError(f"{block.name}: {exc}") from None
    return out


def set_block_input(design: Design, block_id: str, source: str | None) -> Design:
    out = design.copy()
    out.blocks[_index_of(out, block_id)].input = source or None
    return out


def rename_block(design: Design, block_id: str, name: str) -> Design:
    """Rename a block and every reference to it."""
    out = design.copy()
    block = out.blocks[_index_of(out, block_id)]
    name = check_name(name.strip() if isinstance(name, str) else name)
    if any(b.name == name and b is not block for b in out.blocks):
        raise DesignError(f"the name {name!r} is already used by another block")
    old = block.name
    block.name = name
    for other in out.blocks:
        if other.input == old:
            other.input = name
        for ref in kinds.get(other.kind).ref_fields:
            if other.params.get(ref) == old:
                other.params[ref] = name
    return out


def set_input_shape(design: Design, shape: list[int] | tuple[int, ...]) -> Design:
    out = design.copy()
    out.input_shape = check_input_shape(list(shape))
    return out


def _classifier(design: Design) -> Block | None:
    """The last block with a channel field: it produces the class scores."""
    for block in reversed(design.blocks):
        specs = [f for f in kinds.get(block.kind).fields if f.channels]
        if specs:
            return block
    return None


def set_num_classes(design: Design, classes: int) -> Design:
    """Change the number of classes, and the classifier layer with it."""
    if not isinstance(classes, int) or not 1 <= classes <= MAX_UNITS:
        raise DesignError(f"classes={classes!r} is not valid; use an integer from 1 to {MAX_UNITS}")
    out = design.copy()
    old = out.num_classes
    out.num_classes = classes
    classifier = _classifier(out)
    if classifier is not None:
        for spec in kinds.get(classifier.kind).fields:
            if spec.channels and classifier.params.get(spec.name) == old:
                classifier.params[spec.name] = classes
    for block in out.blocks:
        if block.kind == "Reshape" and block.params.get("target_shape") == [old]:
            block.params["target_shape"] = [classes]
    return out


def check_width(alpha: float) -> None:
    """Raise DesignError unless ``alpha`` is a width multiplier from MIN_WIDTH to MAX_WIDTH."""
    if not MIN_WIDTH <= alpha <= MAX_WIDTH:
        raise DesignError(f"width multiplier alpha={alpha:g} is out of range; use {MIN_WIDTH:g} to {MAX_WIDTH:g}")


def scale_width(design: Design, alpha: float, divisor: int = 8) -> Design:
    """Multiply every channel count by ``alpha``, rounded to a multiple of ``divisor`` as
    MobileNet does. The classifier keeps its ``num_classes`` outputs."""
    check_width(alpha)
    out = design.copy()
    classifier = _classifier(out)
    for block in out.blocks:
        for spec in kinds.get(block.kind).fields:
            if not spec.channels:
                continue
            value = block.params.get(spec.name)
            if not isinstance(value, int) or (block is classifier and value == out.num_classes):
                continue
            block.params[spec.name] = int(min(spec.max, make_divisible(value * alpha, divisor)))
    return out
