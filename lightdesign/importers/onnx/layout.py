"""How the file's axes and feature orders relate to the design's.

ONNX (as PyTorch exports it) is channels-first: (N, C, H, W) is the design's channels-last
(H, W, C). Sequences are the exception: an embedding's or a recurrent layer's output,
(N, steps, features), keeps the file's axis order in the design (features last in both), and
so does what maps from it (``Layout.file_order``). A Flatten of a (C, H, W) tensor gives its
features in (C, H, W) order in the file but (H, W, C) order in the design: the layers reading
them reorder their weights or stay opaque (``Layout.reordered``)."""

from __future__ import annotations

import math
from typing import Any

from lightdesign.core.symbolic import Unmappable
from lightdesign.importers.base import Builder
from lightdesign.importers.onnx.reader import Graph


def to_last(dims: list | tuple) -> tuple:
    """(N, C, ...spatial) -> per-sample channels-last (...spatial, C); (N, F) -> (F,)."""
    dims = list(dims)[1:]
    if len(dims) >= 2:
        return (*dims[1:], dims[0])
    return tuple(dims)


def rows_channels_last(a, order: tuple | None):
    """Rows (the first axis) in the file's order put in the design's. ``order`` lists the
    parts of a flat tensor, each the design's (*spatial, C) shape of a channels-first
    (C, *spatial) tensor flattened there (its rows reordered), or ``(n,)``: n rows in the
    same order in both (see ``Layout.reordered``)."""
    if not order:
        return a
    import numpy as np

    if sum(math.prod(part) for part in order) != a.shape[0]:
        raise ValueError(f"{a.shape[0]} rows where the order {order} has {sum(math.prod(p) for p in order)}")
    pieces, start, rest = [], 0, a.shape[1:]
    for part in order:
        piece = a[start : start + math.prod(part)]
        start += math.prod(part)
        if len(part) >= 2:
            spatial, channels = tuple(part[:-1]), part[-1]
            piece = np.moveaxis(piece.reshape(channels, *spatial, *rest), 0, len(spatial)).reshape(-1, *rest)
        pieces.append(piece)
    return np.ascontiguousarray(np.concatenate(pieces))


def same_flat_order(shape: tuple) -> bool:
    """Whether a channels-first tensor of the design's ``shape`` (*spatial, C) flattens in the
    same order in the file and in the design (one channel, or one position)."""
    return len(shape) < 2 or shape[-1] == 1 or math.prod(shape[:-1]) == 1


def _sub_order(order: tuple, lo: int, hi: int) -> tuple | None:
    """The order of rows ``lo:hi`` of a flat tensor in ``order``, or None when the range cuts
    a reordered part (those rows are different features in the file and in the design)."""
    out, start = [], 0
    for part in order:
        size = math.prod(part)
        a, b = max(lo, start), min(hi, start + size)
        if a < b:
            if len(part) >= 2 and (a, b) != (start, start + size):
                return None
            out.append(part if len(part) >= 2 else (b - a,))
        start += size
    return tuple(out)


def normal(order: tuple | None) -> tuple | None:
    """None for an order whose parts all keep the file's row order."""
    return order if order and any(len(part) >= 2 for part in order) else None


class Layout:
    """Which blocks keep the file's axis order, and which flat tensors hold their features in
    another order than the file's."""

    def __init__(self, builder: Builder, graph: Graph, sources: dict[str, list[tuple[str, str, Any]]]):
        self.b = builder
        self.graph = graph
        self.sources = sources  # the mapper's weight recipes (``reorder_columns`` rewrites one)
        # block -> the order of a flat tensor whose features are in channels-first (C, H, W)
        # order in the file but (H, W, C) order in the design: its parts in turn (a Concat of
        # several), each the (H, W, C) shape a Flatten read, or (n,) for n features in the same
        # order in both; the layers reading it reorder their weights or stay opaque
        self.reordered: dict[str, tuple] = {}
        # blocks whose output keeps the file's own axis order (batch, steps, features): an
        # embedding, a recurrent layer and what follows them; every other tensor of rank 3 or
        # more is channels-first in the file, its channels moved last in the design
        self.file_order: set[str] = set()

    def in_file_order(self, x: str) -> bool:
        """Whether ``x`` has two or more axes per sample and keeps the file's axis order."""
        return len(self.b.shape(x) or ()) >= 2 and self.b.block_of.get(x) in self.file_order

    def channel_axis(self, x: str) -> int:
        """The file's axis (batch included) that is the design's last axis of ``x``."""
        rank = len(self.b.shape(x)) + 1
        return rank - 1 if rank == 2 or self.in_file_order(x) else 1

    def keeps_file_order(self, x: str, block: str) -> None:
        """``block`` maps a layer that keeps the axis order of its input ``x``."""
        if self.in_file_order(x):
            self.file_order.add(block)

    def keep_order(self, block: str, x: str) -> None:
        """A layer that keeps its flat input's feature order passes the reordering on."""
        self.keeps_file_order(x, block)
        flat = self.flat_order(x)
        if flat and self.b.blocks and self.b.blocks[-1].name == block:
            self.reordered[block] = flat

    def flat_order(self, x: str) -> tuple | None:
        """The order of a flat input's features (see ``reordered``), when it differs from the file's."""
        return self.reordered.get(self.b.block_of.get(x, ""))

    def parts(self, x: str) -> tuple:
        """The order of a flat input as parts, ``(n,)`` for one in the file's order."""
        return self.flat_order(x) or ((self.b.shape(x)[-1],),)

    def sub_order(self, x: str, lo: int, hi: int) -> tuple | None:
        """The order of features ``lo:hi`` of ``x``; opaque where they are not the same
        features in the file and in the design."""
        order = self.flat_order(x)
        if not order:
            return None
        part = _sub_order(order, lo, hi)
        if part is None:
            raise Unmappable(
                f"features {lo}:{hi} of flattened channels-first (C, H, W) features, which the design "
                "holds in (H, W, C) order: not the same features"
            )
        return normal(part)

    def only_reader(self, block: str, reader: int) -> bool:
        """Whether node ``reader`` is the only one reading ``block``'s output (the file's nodes
        that alias it, such as a bias Add, aside) and it is not the graph's output."""
        tensors = {t for t, b in self.b.block_of.items() if b == block}
        if self.graph.outputs[0].name in tensors:
            return False
        inside = {self.graph.producer[t] for t in tensors if t in self.graph.producer}
        return all(k == reader or k in inside for t in tensors for k in self.graph.consumers.get(t, []))

    def reorder_columns(self, x: str, reader: int, shape: tuple) -> bool:
        """Make the flat ``x`` come out in the design's (H, W, C) order of ``shape`` by
        reordering the columns (and bias) of the Dense computing it, through the elementwise
        layers between: when each is read by the next only. Returns whether it did."""
        while True:
            block = self.b.block_of.get(x, "")
            kind = next((b.kind for b in self.b.blocks if b.name == block), None)
            if kind is None or not self.only_reader(block, reader) or x not in self.graph.producer:
                return False
            if kind == "Dense":
                break
            if kind not in ("Activation", "Dropout"):
                return False
            reader = self.graph.producer[x]
            inputs = {i for i in self.graph.nodes[reader].input if i in self.b.tensors and self.b.block_of[i] != block}
            if len(inputs) != 1:
                return False
            x = inputs.pop()
        order = ((*shape,),)
        recipe = self.sources.get(block)
        if recipe is not None:
            dense = [entry for entry in recipe if entry[0] == "dense"]
            if len(dense) != 1 or len(dense[0][2]) != 3:
                return False
            self.sources[block] = [
                (layout, name, (*extra, order) if layout == "dense" else (extra[0], order))
                for layout, name, extra in recipe
            ]
        return True
