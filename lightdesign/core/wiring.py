"""The canvas's gestures as edits: insert where a kind was dropped, connect an output to an
input (replacing it, or merging with it through a new Add or Concatenate), wrap a block in a
residual add.

Each is a pure function of a design, composed of the functions of ``lightdesign.core.edits``, so
the workspace records it as one undoable step. Block references are ids; ``"input"`` is the
model input and ``"output"`` the model output.
"""

from __future__ import annotations

from lightdesign.core import edits, kinds
from lightdesign.core.design import Design, DesignError

INPUT = "input"
OUTPUT = "output"
MAIN, SOURCE = "in", "source"  # a block's main input, and a merge block's second input


def _index(design: Design, block_id: str) -> int:
    for i, block in enumerate(design.blocks):
        if block.id == block_id:
            return i
    raise DesignError(f"there is no block with id {block_id!r} in {design.name!r}")


def _name(design: Design, block_id: str) -> str:
    return INPUT if block_id == INPUT else design.blocks[_index(design, block_id)].name


def _reads_from(design: Design, index: int) -> str:
    """The name of what block ``index`` reads from: its input, else the block before it."""
    block = design.blocks[index]
    if block.input is not None:
        return block.input
    return design.blocks[index - 1].name if index > 0 else INPUT


def insert_after(design: Design, kind: str, after: str | None) -> tuple[Design, str]:
    """Insert a new ``kind`` right after block ``after`` (None or "input": at the top)."""
    index = 0 if after in (None, INPUT) else _index(design, after) + 1
    return edits.insert_block(design, kind, index)


def insert_on_edge(design: Design, kind: str, source: str, target: str, handle: str = MAIN) -> tuple[Design, str]:
    """Insert a new ``kind`` on the edge ``source`` -> ``target``: it reads from ``source``
    and ``target`` reads from it (through its main input, or its merge ``source`` field)."""
    if target == OUTPUT:
        return insert_after(design, kind, source if source != INPUT else None)
    index = _index(design, target)
    main_before = _reads_from(design, index)
    out, new_id = edits.insert_block(design, kind, index)
    new_name = _name(out, new_id)
    source_name = _name(design, source)
    # the new block sits right before the target: it reads from the block above it unless told
    above = out.blocks[index - 1].name if index > 0 else INPUT
    if source_name != above:
        out = edits.set_block_input(out, new_id, source_name)
    if handle != SOURCE:
        if out.blocks[index + 1].input is not None:
            out = edits.set_block_input(out, target, None)  # the new block is right above it
        return out, new_id
    if handle == SOURCE:
        ref = _ref_field(out, target)
        out = edits.set_param(out, target, ref, new_name)
        # the target's main input stays what it was, not the new block above it
        if out.blocks[index + 1].input is None:
            out = edits.set_block_input(out, target, main_before)
    return out, new_id


def _ref_field(design: Design, block_id: str) -> str:
    block = design.blocks[_index(design, block_id)]
    refs = kinds.get(block.kind).ref_fields
    if not refs:
        raise DesignError(f"{block.name} ({block.kind}) has one input only; connect to its main input")
    return refs[0]


def reads(design: Design, block_id: str) -> list[str]:
    """The names of what a block reads: its main input, then its merge fields' blocks."""
    index = _index(design, block_id)
    block = design.blocks[index]
    refs = kinds.get(block.kind).ref_fields
    return [_reads_from(design, index), *(str(block.params.get(ref)) for ref in refs)]


def feeds(design: Design, source: str, target: str) -> bool:
    """True when block ``target``'s output reaches block ``source`` (``source`` reads it,
    directly or through other blocks): ``target`` reading ``source`` would close a cycle."""
    if source == INPUT:
        return False
    by_name = {block.name: block.id for block in design.blocks}
    wanted = _name(design, target)
    seen: set[str] = set()
    todo = [source]
    while todo:
        block_id = todo.pop()
        for name in reads(design, block_id):
            if name == wanted:
                return True
            if name in by_name and name not in seen:
                seen.add(name)
                todo.append(by_name[name])
    return False


SELF, CYCLE, LATER = "self", "cycle", "later"  # why a block cannot read another (order_problem)


def order_problem(design: Design, source: str, target: str) -> str | None:
    """Why ``target`` cannot read ``source``, or None when it can: ``SELF``; ``CYCLE`` when
    ``source`` is computed from ``target``'s output; ``LATER`` when ``source`` merely comes
    after ``target`` (a block reads only from the blocks above it, and the model input)."""
    if source == target:
        return SELF
    if source == INPUT or _index(design, source) < _index(design, target):
        return None
    return CYCLE if feeds(design, source, target) else LATER


def check_order(design: Design, source: str, target: str) -> None:
    """Raise DesignError, saying why and what to do, when ``target`` cannot read ``source``."""
    problem = order_problem(design, source, target)
    if problem is None:
        return
    if problem == SELF:
        raise DesignError("a block cannot read from itself")
    source_name, target_name = _name(design, source), _name(design, target)
    if problem == CYCLE:
        raise DesignError(
            f"{target_name} cannot read from {source_name}: {source_name} is computed from {target_name}'s output, "
            f"so the connection would make a cycle; connect a block above {target_name} instead"
        )
    raise DesignError(
        f"{target_name} cannot read from {source_name}, which comes after it: a block reads only from the "
        f"blocks above it; move {source_name} above {target_name} first"
    )


def connect(design: Design, source: str, target: str, handle: str = MAIN) -> Design:
    """Make ``target`` read from ``source``: its main input, or its merge ``source`` field."""
    check_order(design, source, target)
    index = _index(design, target)
    source_name = _name(design, source)
    if handle == SOURCE:
        return edits.set_param(design, target, _ref_field(design, target), source_name)
    above = design.blocks[index - 1].name if index > 0 else INPUT
    return edits.set_block_input(design, target, None if source_name == above else source_name)


def merge_into(design: Design, kind: str, source: str, target: str) -> tuple[Design, str]:
    """Merge ``source``'s output into ``target``'s input: a new merge block of ``kind`` (Add,
    Concatenate, ...) right above ``target`` reads what ``target`` read and ``source``, and
    ``target`` reads the merge. Returns (design, the merge's id)."""
    check_order(design, source, target)
    cls = kinds.get(kind)
    if not cls.ref_fields:
        raise DesignError(f"{kind} takes one input; merge with Add or Concatenate")
    index = _index(design, target)
    main = _reads_from(design, index)
    source_name = _name(design, source)
    if source_name == main:
        raise DesignError(f"{_name(design, target)} already reads from {source_name}")
    out, merge_id = edits.insert_block(design, kind, index)
    above = out.blocks[index - 1].name if index > 0 else INPUT
    out = edits.set_block_input(out, merge_id, None if main == above else main)
    out = edits.set_param(out, merge_id, cls.ref_fields[0], source_name)
    out = edits.set_block_input(out, target, None)  # the merge is right above it
    return out, merge_id


def wrap_in_residual(design: Design, block_id: str) -> tuple[Design, str]:
    """Add the block's input to its output: an ``Add`` right after it, whose second input
    is what the block reads from."""
    index = _index(design, block_id)
    shortcut = _reads_from(design, index)
    out, add_id = edits.insert_block(design, "Add", index + 1)
    out = edits.set_param(out, add_id, "source", shortcut)
    return out, add_id
