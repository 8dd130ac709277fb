"""The axes exporters move around ONNX recurrent layers, followed as pass-throughs.

A recurrent op reads a time-major (steps, batch, features) input and gives Y (steps,
directions, batch, units) or Y_h (directions, batch, units); exporters wrap it in the
Transposes, Squeezes, Reshapes and Gathers that move the batch, time and direction axes
(PyTorch's ``batch_first``: Transpose (1, 0, 2) before, Squeeze + Transpose after; a
bidirectional layer Transpose (0, 2, 1, 3) + Reshape). The design's tensor is per sample,
(steps, features) or (units,): the same values, so each such node passes its input through.
What each tensor on the way is, is kept in ``Mapper.sequence_tags``:

- ``("TNF",)``: a time-major input;
- ``("Y", directions, layout)``, ``("Yh", directions, layout)``: a recurrent op's outputs;
- ``("TNH",)``: a time-major sequence;
- ``("TNDH",)``, ``("NTDH",)``, ``("NDH",)``: on the way from Y or Y_h to a batch-major tensor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lightdesign.core.symbolic import Unmappable
from lightdesign.importers.onnx.recurrent import KINDS

if TYPE_CHECKING:
    from lightdesign.importers.onnx.mapper import Mapper

# what a tensor is after a node, or False: not followed; None: a plain (batch-major) tensor
Tag = tuple | None | bool


def transpose(m: Mapper, node, name, attrs, data_in):
    if not follow(m, node, attrs, data_in):
        raise Unmappable("the operator Transpose has no LightDesign kind")


def squeeze(m: Mapper, node, name, attrs, data_in):
    if not follow(m, node, attrs, data_in):
        raise Unmappable("the operator Squeeze has no LightDesign kind")


def follow(m: Mapper, node, attrs: dict, data_in: list[str]) -> bool:
    """Follow a Transpose, Squeeze, Reshape or Gather that only moves the batch, time or
    direction axes of a recurrent layer's input or output: the node passes its input
    through (True). False: not such a node; the usual mapping applies."""
    if not data_in or not node.output:
        return False
    x, out = node.input[0], node.output[0]
    tag = m.sequence_tags.get(x)
    rule = RULES.get(node.op_type)
    new = rule(m, node, attrs, tag, x, out) if rule is not None else False
    if new is False:
        return False
    m.b.alias(out, x)
    if new is None:
        m.sequence_tags.pop(out, None)
    else:
        m.sequence_tags[out] = new
    return True


def _transpose(m: Mapper, node, attrs: dict, tag, x: str, out: str) -> Tag:
    perm = [int(p) for p in attrs.get("perm") or []]
    # a batch-major sequence (an embedding's, not a channels-first tensor) made time-major
    if tag is None and perm == [1, 0, 2] and m.layout.in_file_order(x) and _feeds_recurrent(m, out):
        return ("TNF",)
    if tag == ("TNH",) and perm == [1, 0, 2]:
        return None
    if tag is not None and tag[0] == "Y" and tag[2] == 0 and perm == [0, 2, 1, 3]:
        return ("TNDH",)
    if tag is not None and tag[0] == "Y" and tag[2] == 0 and perm == [2, 0, 1, 3]:
        return ("NTDH",)
    if tag is not None and tag[0] == "Yh" and tag[2] == 0 and perm == [1, 0, 2]:
        return ("NDH",)
    return False


def _squeeze(m: Mapper, node, attrs: dict, tag, x: str, out: str) -> Tag:
    if tag is None or tag[0] not in ("Y", "Yh") or tag[1] != 1:
        return False
    axes = _axes(m, node, attrs)
    want = {("Y", 0): [1], ("Y", 1): [2], ("Yh", 0): [0], ("Yh", 1): [1]}[(tag[0], tag[2])]
    if axes is not None and [a % (4 if tag[0] == "Y" else 3) for a in axes] == want:
        return ("TNH",) if (tag[0], tag[2]) == ("Y", 0) else None
    return False


def _reshape(m: Mapper, node, attrs: dict, tag, x: str, out: str) -> Tag:
    if tag is None:
        return False
    rank = _target_rank(m, node)
    single = len(tag) == 3 and tag[1] == 1  # one direction: its axis has size 1
    if rank == 3 and (tag == ("TNDH",) or tag[0] == "Y" and tag[2] == 0 and single):
        return ("TNH",)
    if rank == 3 and (tag == ("NTDH",) or tag[0] == "Y" and tag[2] == 1):
        return None
    if rank == 2 and (tag == ("NDH",) or tag[0] == "Yh" and (tag[2] == 1 or single)):
        return None
    return False


def _gather(m: Mapper, node, attrs: dict, tag, x: str, out: str) -> Tag:
    if tag is None or tag[0] != "Yh" or tag[1] != 1:
        return False
    index = m.graph.values(node.input[1], 1) if len(node.input) > 1 else None
    axis = int(attrs.get("axis", 0))
    if index is not None and len(index) == 1 and int(index[0]) in (0, -1) and axis == tag[2]:
        return None
    return False


RULES = {"Transpose": _transpose, "Squeeze": _squeeze, "Reshape": _reshape, "Gather": _gather}


def _axes(m: Mapper, node, attrs) -> list[int] | None:
    axes = attrs.get("axes")
    if axes is None and len(node.input) > 1 and node.input[1]:
        axes = m.graph.values(node.input[1], 8)
    return None if axes is None else [int(a) for a in axes]


def _target_rank(m: Mapper, node) -> int | None:
    target = m.graph.shapes.get(node.output[0])
    if target is None and len(node.input) > 1:
        target = m.graph.values(node.input[1], 8)
    return len(target) if target else None


def _feeds_recurrent(m: Mapper, tensor: str) -> bool:
    """Whether every reader of ``tensor`` is a time-major recurrent op reading it as X."""
    found = m.graph.consumers.get(tensor, [])
    return bool(found) and all(
        m.graph.nodes[k].op_type in KINDS
        and m.graph.nodes[k].input[0] == tensor
        and not any(a.name == "layout" and a.i == 1 for a in m.graph.nodes[k].attribute)
        for k in found
    )
