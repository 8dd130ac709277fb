"""What every importer shares: the error type, the limits, the result, and the builder that
turns a file's layers (in execution order) into a design, traced on symbolic tensors as it
goes so every block's shape is known when the next one is mapped.

Files are parsed as data only: nothing from a file is ever executed or unpickled, and
TensorFlow is never imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lightdesign import config
from lightdesign.core import kinds
from lightdesign.core.design import MAX_BLOCKS, Block, Design, check_input_shape
from lightdesign.core.fields import FieldError
from lightdesign.core.layers.opaque import MAX_SIZE
from lightdesign.core.symbolic import LayerError, Tensor, Trace, fmt_shape

MAX_LAYERS = MAX_BLOCKS  # layers of a file that are mapped one to one
MAX_CONFIG_BYTES = 32 * 1024 * 1024  # a Keras config.json / model_config attribute
MAX_ZIP_RATIO = 200  # a member that unpacks to more than this many times its packed size is a bomb
# the memory reading a model file may take beyond the file and its parsed config (README, Limits)
MEMORY_BUDGET = 64 * 1024 * 1024
FORMATS = ("keras", "h5", "json", "tflite", "onnx")


class ModelFileError(ValueError):
    """A model file that cannot be imported; the message is one line meant for the person."""


def max_model_bytes() -> int:
    """The size cap, ``LIGHTDESIGN_MAX_MODEL_MB`` megabytes (default 200)."""
    return int(config.value("LIGHTDESIGN_MAX_MODEL_MB") * 1024 * 1024)


def check_size(size: int, what: str = "the model file") -> None:
    limit = max_model_bytes()
    if size > limit:
        raise ModelFileError(
            f"{what} is {size / 1e6:,.1f} MB; the limit is {limit / 1e6:,.0f} MB (LIGHTDESIGN_MAX_MODEL_MB)"
        )


def too_many_layers(count: int, nodes: bool = False) -> ModelFileError:
    """The refusal of a model with ``count`` layers (``nodes``: an ONNX graph's nodes, of
    which at most four per layer are read)."""
    if nodes:
        return ModelFileError(
            f"the model has {count:,} nodes; at most {4 * MAX_LAYERS:,} nodes ({MAX_LAYERS:,} layers) can be imported"
        )
    return ModelFileError(f"the model has {count:,} layers; at most {MAX_LAYERS:,} can be imported")


def more_layers_than_allowed() -> ModelFileError:
    """The refusal of a model found to map to more layers than allowed while it is read (its
    total is not known then: the walk stops at the limit)."""
    return ModelFileError(f"the model has more than {MAX_LAYERS:,} layers; at most {MAX_LAYERS:,} can be imported")


@dataclass
class Unmapped:
    """One layer that became an opaque block, and why."""

    block: str
    op: str
    reason: str


@dataclass
class ImportResult:
    design: Design
    format: str
    unmapped: list[Unmapped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # weight shapes the file carries, by block name (the layer names of the generated code)
    weights: dict[str, list[tuple[int, ...]]] | None = None
    layers: int = 0  # layers read from the file
    folded: dict[str, int] = field(default_factory=dict)  # composite kind -> blocks folded


def safe_name(raw: Any, used: set[str]) -> str:
    """A valid, unused block name made from a layer's name in the file."""
    text = str(raw) if raw is not None else "layer"
    name = re.sub(r"[^A-Za-z0-9_]", "_", text)[:56] or "layer"
    if name[0].isdigit():
        name = f"l_{name}"
    if name in ("input", "input_layer"):
        name = f"{name}_"
    return unique(name, used)


def unique(name: str, used: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3`` … the first not in ``used`` (then added to it)."""
    base, n = name, 1
    while name in used:
        n += 1
        name = f"{base}_{n}"
    used.add(name)
    return name


def lent_arrays(result: ImportResult, sources: dict, array) -> dict[str, list]:
    """The weights of every kept block with recorded sources (``{block: [entry, ...]}``),
    each entry read by ``array(*entry)``; a block whose values do not fit (or a damaged
    buffer) is left out and starts from new weights."""
    kept = {b.name for b in result.design.blocks}
    out = {}
    for block, recipe in sources.items():
        if block not in kept:
            continue
        try:
            values = [array(*entry) for entry in recipe]
        except (ValueError, TypeError):
            continue
        if all(v is not None for v in values):
            out[block] = values
    return out


class Builder:
    """Collects blocks in execution order. Each ``add`` traces the new block at once; a
    layer whose mapping fails to trace, or whose weights the kind would not hold, becomes an
    opaque block that keeps the file's figures."""

    def __init__(self, input_id: str, input_shape: tuple, dtype: str = "float32"):
        try:
            self.input_shape = check_input_shape(tuple(input_shape))
        except Exception as exc:  # noqa: BLE001 - whatever the check raised becomes the file's message
            raise ModelFileError(f"the model input {fmt_shape(tuple(input_shape))} cannot be used: {exc}") from None
        self.trace = Trace()
        tensor = self.trace.input(self.input_shape, dtype=dtype)
        self.tensors: dict[str, Tensor] = {input_id: tensor}
        self.block_of: dict[str, str] = {input_id: "input"}
        self.blocks: list[Block] = []
        self.unmapped: list[Unmapped] = []
        self.used: set[str] = set()
        self.weights: dict[str, list[tuple[int, ...]]] = {}
        self.layers = 0

    # -- lookups ---------------------------------------------------------------------------
    def shape(self, tensor_id: str) -> tuple | None:
        tensor = self.tensors.get(tensor_id)
        return tensor.dims if tensor is not None else None

    def known(self, tensor_id: str) -> bool:
        return tensor_id in self.tensors

    def alias(self, tensor_id: str, target: str) -> None:
        """A layer that passes its input through (Identity, Dequantize, InputLayer)."""
        self.tensors[tensor_id] = self.tensors[target]
        self.block_of[tensor_id] = self.block_of[target]

    # -- adding blocks ------------------------------------------------------------------------
    def add(
        self,
        tensor_id: str,
        name: str,
        op: str,
        kind: str,
        params: dict[str, Any],
        inputs: list[str],
        params_in_file: tuple[int, int] | None = None,
        weights: list[tuple[int, ...]] | None = None,
        shape_hint: tuple | None = None,
    ) -> str:
        """Map one layer to ``kind``; returns its block name. ``params_in_file`` is the
        (trainable, non-trainable) count of the file's weights, when it has them."""
        self.layers += 1
        if self.layers > MAX_LAYERS:
            raise more_layers_than_allowed()
        missing = [i for i in inputs if i not in self.tensors]
        if missing:
            raise ModelFileError(f"layer {name!r} reads {missing[0]!r}, which no earlier layer produces")
        cls = kinds.get(kind)
        if cls.multi_input and len(inputs) > 2:
            return self._chain(tensor_id, name, op, kind, params, inputs, params_in_file, weights)
        if cls.multi_input and len(inputs) < 2:
            return self.opaque(tensor_id, name, op, inputs, shape_hint, params_in_file, f"{op} with one input")
        checkpoint = len(self.trace.nodes)
        block_name = safe_name(name, self.used)
        block = self._block(kind, block_name, params, inputs)
        try:
            values = {}
            for spec in cls.fields:
                values[spec.name] = spec.check(block.params[spec.name])
            self.trace.block = len(self.blocks)
            tensor = cls.apply([self.tensors[i] for i in inputs], values, block_name)
        except (LayerError, FieldError, ValueError, TypeError, ZeroDivisionError, KeyError) as exc:
            self.trace.truncate(checkpoint)
            self.used.discard(block_name)
            self.layers -= 1
            return self.opaque(tensor_id, name, op, inputs, shape_hint, params_in_file, f"not a valid {kind}: {exc}")
        if params_in_file is not None:
            got = sum(n.cost.params for n in self.trace.nodes[checkpoint:])
            if got != sum(params_in_file):
                self.trace.truncate(checkpoint)
                self.used.discard(block_name)
                self.layers -= 1
                return self.opaque(
                    tensor_id,
                    name,
                    op,
                    inputs,
                    shape_hint or tensor.dims,
                    params_in_file,
                    f"its weights hold {sum(params_in_file):,} values where a {kind} with these settings holds {got:,}",
                )
        return self._keep(tensor_id, block, tensor, weights)

    def opaque(
        self,
        tensor_id: str,
        name: str,
        op: str,
        inputs: list[str],
        shape: tuple | None,
        params_in_file: tuple[int, int] | None,
        reason: str,
        macs: int | None = None,
        weights: list[tuple[int, ...]] | None = None,
    ) -> str:
        """Keep a layer that no kind expresses as an opaque block with the file's figures;
        ``macs`` where the importer counted them (None: not known, and the totals say so)."""
        self.layers += 1
        if self.layers > MAX_LAYERS:
            raise more_layers_than_allowed()
        inputs = [i for i in inputs if i in self.tensors] or [next(iter(self.tensors))]
        shape_known = not (shape is None or not shape or any(not isinstance(d, int) or d < 1 for d in shape))
        if not shape_known:
            shape = self.tensors[inputs[0]].dims
            reason += "; output shape not known (taken as its input's)"
        shape = tuple(min(int(d), MAX_SIZE) for d in shape)[-4:]
        trainable, non_trainable = params_in_file or (0, 0)
        reason = reason.replace("\n", " ")[:300]
        op = (op or "unknown").replace("\n", " ")[:120]
        params = dict(
            op=op if op.isprintable() else "unknown",
            output_shape=list(shape),
            trainable=int(trainable),
            non_trainable=int(non_trainable),
            macs=int(macs or 0),
            macs_known=macs is not None,
            shape_known=shape_known,
            reason=reason if reason.isprintable() else "not mapped",
        )
        kind = "Opaque"
        tail = inputs[:1]
        if len(inputs) > 1:
            kind = "OpaqueMerge"
            tail = inputs[:2]
        block_name = safe_name(name, self.used)
        block = self._block(kind, block_name, params, tail)
        cls = kinds.get(kind)
        self.trace.block = len(self.blocks)
        tensor = cls.apply([self.tensors[i] for i in tail], dict(block.params), block_name)
        self.unmapped.append(Unmapped(block_name, params["op"], params["reason"]))
        return self._keep(tensor_id, block, tensor, weights)

    def _chain(self, tensor_id, name, op, kind, params, inputs, params_in_file, weights) -> str:
        """A merge of three or more inputs as a chain of two-input merges."""
        current = inputs[0]
        for i, other in enumerate(inputs[1:], start=1):
            last = i == len(inputs) - 1
            part_id = tensor_id if last else f"{tensor_id}\x00part{i}"
            part_name = name if last else f"{name}_part{i}"
            self.layers -= 1  # the chain counts as the one layer of the file
            self.add(part_id, part_name, op, kind, params, [current, other], params_in_file if last else None)
            current = part_id
        self.layers += 1
        return self.block_of[tensor_id]

    def _block(self, kind: str, block_name: str, params: dict[str, Any], inputs: list[str]) -> Block:
        cls = kinds.get(kind)
        values = {spec.name: params.get(spec.name, spec.default) for spec in cls.fields}
        source = self.block_of[inputs[0]]
        for ref, tensor_id in zip(cls.ref_fields, inputs[1:], strict=False):
            values[ref] = self.block_of[tensor_id]
        previous = self.blocks[-1].name if self.blocks else "input"
        return Block(kind, block_name, values, f"b{len(self.blocks) + 1}", None if source == previous else source)

    def _keep(self, tensor_id: str, block: Block, tensor: Tensor, weights) -> str:
        if len(self.blocks) >= MAX_BLOCKS:
            raise ModelFileError(f"the model needs more than {MAX_BLOCKS:,} blocks; at most {MAX_BLOCKS:,} are allowed")
        self.blocks.append(block)
        self.tensors[tensor_id] = tensor
        self.block_of[tensor_id] = block.name
        if weights:
            self.weights[block.name] = [tuple(int(d) for d in s) for s in weights]
        return block.name

    # -- the result ---------------------------------------------------------------------------
    def result(self, name: str, output: str, fmt: str, notes: list[str] | None = None) -> ImportResult:
        if not self.blocks:
            raise ModelFileError("the model has no layers to import")
        if output not in self.tensors:
            raise ModelFileError(f"the model output {output!r} is produced by no layer")
        out_block = self.block_of[output]
        blocks = self.blocks
        notes = list(notes or [])
        if out_block != blocks[-1].name:
            # the output must be the last block: drop what follows it (it reaches nothing)
            keep = [b.name for b in blocks].index(out_block) + 1
            dropped = len(blocks) - keep
            blocks = blocks[:keep]
            notes.append(f"{dropped} layer(s) after the model output reach nothing and were left out")
        shape = self.tensors[output].dims
        classes = shape[-1] if shape and 1 <= shape[-1] <= 65536 else 1
        design_name = re.sub(r"[^\w .()+-]", "_", str(name))[:100].strip() or "imported"
        design = Design(design_name, self.input_shape, classes, blocks, f"Imported from a {fmt} file.")
        kept = {b.name for b in blocks}
        return ImportResult(
            design=design,
            format=fmt,
            unmapped=[u for u in self.unmapped if u.block in kept],
            notes=notes,
            weights={k: v for k, v in self.weights.items() if k in kept} or None,
            layers=self.layers,
        )
