"""Will it fit: the RAM and flash the int8 TensorFlow Lite Micro deployment of a design
needs, part by part as the vendors count them, and the verdict against a target.

RAM
    activations  the arena's planned buffers ("head"): ``analysis.deployment``'s plan, or
                 the ``tflite-micro`` interpreter's measured head once an export made one.
    persistent   the arena's persistent structures ("tail"): one TfLiteEvalTensor per
                 tensor, one NodeAndRegistration per operation, each kernel's OpData and
                 the per-channel output multipliers and shifts of convolutions, at their
                 32-bit (Cortex-M) sizes.
    interpreter  the MicroInterpreter and MicroMutableOpResolver objects and the
                 runtime's own static data, outside the arena.
    input/output TFLite Micro keeps the input and output tensors inside the arena: 0.
Flash
    model        the ``.tflite`` flatbuffer: the int8 weights (with their quantization
                 parameters) plus the tensors', operators' and names' records, or the
                 exported file's size.
    kernels      the code of each operator the model uses.
    runtime      the interpreter, allocator, memory planner and flatbuffer reader.

Code and static-data figures were measured by building TFLite Micro for a Cortex-M4
(``bench/tflm_code_size.py``: reference kernels, the core at -Os, kernels at -O2, as
TFLM's release build): other cores and optimized kernel libraries (CMSIS-NN, ESP-NN)
differ, so they are labelled as estimates for the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from lightdesign.analysis import metrics, support
from lightdesign.analysis.network import Analysis
from lightdesign.analysis.targets import Target


class Memory(StrEnum):
    RAM = "ram"
    FLASH = "flash"


MEMORY_LABELS = {Memory.RAM: "fit.ram", Memory.FLASH: "fit.flash"}  # catalogue keys
PART_LABELS = {  # each part's catalogue key
    "activations": "fit.part.activations",
    "persistent": "fit.part.persistent",
    "interpreter": "fit.part.interpreter",
    "io": "fit.part.io",
    "model": "fit.part.model",
    "kernels": "fit.part.kernels",
    "runtime": "fit.part.runtime",
}


@dataclass(frozen=True)
class Part:
    """One figure of the footprint. ``key`` names it (its label: ``PART_LABELS``),
    ``basis`` is the catalogue key of how it was found."""

    key: str
    memory: Memory
    bytes: int
    measured: bool
    basis: str


@dataclass(frozen=True)
class Measured:
    """Figures an export measured: the int8 ``.tflite`` file's size and the activation
    part of the arena the ``tflite-micro`` interpreter planned (None where not measured)."""

    flatbuffer: int | None = None
    arena_head: int | None = None


# -- the bases of the estimates (TFLite Micro source of 2026-08) --------------------------------------
@dataclass(frozen=True)
class Layout:
    """The sizes of TFLite Micro's persistent structures on one kind of core (sizeof, read
    from TFLite Micro's headers with that core's compiler)."""

    eval_tensor: int  # TfLiteEvalTensor: data and dims pointers, type
    node: int  # NodeAndRegistration: TfLiteNode and the registration pointer
    op_data: dict[str, int]  # each kernel's OpData; others take ``default_op_data``
    default_op_data: int  # kernels whose OpData was not read: the x86-64 fit, halved on 32 bits
    fixed: int  # the input and output TfLiteTensors with their quantization, the subgraph's records
    per_op: int  # the allocator's records per operation beyond the node


CORTEX_M = Layout(  # arm-none-eabi-g++ 12.2, -mcpu=cortex-m4
    eval_tensor=12,
    node=32,
    op_data={
        "CONV_2D": 56,
        "DEPTHWISE_CONV_2D": 56,
        "FULLY_CONNECTED": 48,
        "AVERAGE_POOL_2D": 32,
        "MAX_POOL_2D": 32,
        "ADD": 60,
        "MUL": 36,
        "MEAN": 44,
        "REDUCE_MAX": 44,
        "LOGISTIC": 16,
        "SOFTMAX": 56,
        "HARD_SWISH": 20,
        "STRIDED_SLICE": 84,
    },
    default_op_data=16,
    fixed=(2 * 32 + 4 * 12) + 300,
    per_op=8,
)
# The same structures on the x86-64 computer that runs the tflite-micro interpreter (g++ 12.2): the
# estimate made with it is checked against the tail that interpreter measures, whose breakdown gave
# ``fixed``, ``per_op`` and ``default_op_data`` (the allocator's records beyond the structures
# above); Cortex-M takes half of those, as they are mostly pointers.
HOST_64 = Layout(
    eval_tensor=24,
    node=64,
    op_data=CORTEX_M.op_data | {"CONV_2D": 72, "DEPTHWISE_CONV_2D": 72, "FULLY_CONNECTED": 64, "SOFTMAX": 80},
    default_op_data=32,
    fixed=(2 * 64 + 4 * 16) + 600,
    per_op=16,
)
PER_CHANNEL = 8  # an int32 output multiplier and shift per output channel (per-channel kernels)
PER_CHANNEL_OPS = frozenset({"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"})
INTERPRETER = 208  # sizeof(MicroInterpreter) on a Cortex-M4
RESOLVER = 12  # sizeof(MicroMutableOpResolver<N>) = 12 + 36 N on a Cortex-M4
RESOLVER_PER_OP = 36  # a TFLMRegistration, its parser and its operator code
# Flash of the runtime and of each kernel: ``python -m bench.tflm_code_size`` (arm-none-eabi-g++ 12.2,
# Cortex-M4 with FPU, TFLite Micro's reference kernels at -O2 and its core at -Os, release build, no
# CMSIS-NN): a firmware whose MicroMutableOpResolver holds no operator is the runtime (text, rodata
# and data); each kernel's figure is a firmware holding that operator alone, less the runtime.
# Linked together, kernels share helpers (quantization, shapes, reference loops): the seed CNN's 8
# operators took 39,520 bytes against 56,308 for the sum of each alone, MobileNetV2's 6 took 40,468
# against 67,856 (``--together``). A model's kernels are the sum times KERNEL_SHARING, the mean of
# those two ratios (-8% and +9% on them).
RUNTIME_CODE = 11_700
RUNTIME_DATA = 568  # the runtime firmware's .data and .bss beyond the arena, interpreter and resolver
KERNEL_CODE: dict[str, int] = {
    "ADD": 13928,
    "AVERAGE_POOL_2D": 5864,
    "BATCH_TO_SPACE_ND": 1984,
    "CONCATENATION": 4000,
    "CONV_2D": 12300,
    "DEPTHWISE_CONV_2D": 11228,
    "DEQUANTIZE": 3104,
    "EXPAND_DIMS": 1376,
    "FULLY_CONNECTED": 9740,
    "GATHER": 2560,
    "HARD_SWISH": 5828,
    "LESS": 11068,
    "LOGISTIC": 8232,
    "MAX_POOL_2D": 5992,
    "MEAN": 9404,
    "MUL": 12200,
    "PACK": 1696,
    "PAD": 5852,
    "QUANTIZE": 6652,
    "REDUCE_MAX": 5852,
    "RELU": 5700,
    "RELU6": 2696,
    "RESHAPE": 1440,
    "SELECT_V2": 8188,
    "SHAPE": 736,
    "SOFTMAX": 11256,
    "SPACE_TO_BATCH_ND": 2144,
    "SPLIT": 1952,
    "STRIDED_SLICE": 13148,
    "TANH": 8584,
    "TRANSPOSE": 2400,
}
DEFAULT_KERNEL_CODE = max(KERNEL_CODE.values())  # an operator not measured: the largest measured, to be safe
KERNEL_SHARING = 0.65


def kernel_bytes(operators: tuple[str, ...] | list[str]) -> int:
    """The flash of the kernels of ``operators`` linked into one firmware (estimated)."""
    alone = sum(KERNEL_CODE.get(op, DEFAULT_KERNEL_CODE) for op in operators)
    return alone if len(operators) < 2 else round(alone * KERNEL_SHARING)


# The flatbuffer beyond the weights: least squares (relative) on the int8 files TensorFlow 2.21's
# converter wrote for the 15 presets and 8 random designs: a header, each operation's and each
# tensor's record, and the tensors' names, which join the model's and the fused layers' names (per
# character of model + layer name, over the layers). Within 2% of every preset's file but the
# smallest (wave_cnn, 9 kB: 5%); up to 12% off for the random designs of a few kB.
FLATBUFFER_FIXED = 217
FLATBUFFER_PER_OP = 219
FLATBUFFER_PER_TENSOR = 72
FLATBUFFER_PER_NAME_BYTE = 5.04


@dataclass(frozen=True)
class Footprint:
    """The int8 deployment's RAM and flash, part by part."""

    parts: tuple[Part, ...]
    operators: tuple[str, ...]  # the TFLite builtin operators the model uses, sorted
    supported: bool  # False when a layer has no int8 lowering or TFLite Micro lacks a kernel it needs

    def total(self, memory: Memory) -> int:
        return sum(p.bytes for p in self.parts if p.memory is memory)

    @property
    def ram(self) -> int:
        return self.total(Memory.RAM)

    @property
    def flash(self) -> int:
        return self.total(Memory.FLASH)

    def part(self, key: str) -> Part:
        return next(p for p in self.parts if p.key == key)


def persistent_bytes(result: Analysis, layout: Layout = CORTEX_M) -> int:
    """The arena's persistent part ("tail"), estimated from the plan for ``layout``'s core."""
    plan = result.deployment
    nodes = {n.name: n for n in result.graph.nodes}
    total = layout.fixed + layout.eval_tensor * tensor_count(result) + (layout.node + layout.per_op) * len(plan.ops)
    for op in plan.ops:
        total += layout.op_data.get(op.kind, layout.default_op_data)
        if op.kind in PER_CHANNEL_OPS and op.layer in nodes:
            total += PER_CHANNEL * nodes[op.layer].shape[-1]
    return total


def tensor_count(result: Analysis) -> int:
    """The tensors of the converted file: one per operation output, plus the constants."""
    return len({b.tensor for b in result.deployment.buffers if not b.scratch}) + constant_tensors(result)


def constant_tensors(result: Analysis) -> int:
    """Constant tensors the converter writes: a weight and a bias per convolution or dense
    operation, one constant (axes, shape, padding) for each other operation that takes one."""
    takes_constant = {"MEAN", "REDUCE_MAX", "PAD", "RESHAPE", "STRIDED_SLICE", "EXPAND_DIMS", "SPLIT", "TRANSPOSE"}
    count = 0
    for op in result.deployment.ops:
        count += 2 if op.kind in PER_CHANNEL_OPS else 1 if op.kind in takes_constant else 0
    return count


def flatbuffer_bytes(result: Analysis) -> int:
    """The ``.tflite`` file's size, estimated: the int8 weights and their quantization
    parameters, plus the records of the operations and tensors and the tensors' names."""
    names = sum(len(result.design.name) + len(node.name) for node in result.graph.nodes[1:])
    records = FLATBUFFER_PER_OP * len(result.deployment.ops) + FLATBUFFER_PER_TENSOR * tensor_count(result)
    return metrics.WEIGHTS_INT8.read(result) + round(FLATBUFFER_FIXED + records + FLATBUFFER_PER_NAME_BYTE * names)


def operators(result: Analysis) -> tuple[str, ...]:
    """The TFLite builtin operators of the int8 deployment, sorted."""
    return support.check_converted(result, ()).predicted


def footprint(result: Analysis, measured: Measured | None = None) -> Footprint:
    """The RAM and flash of the int8 deployment of an analysed design; measured figures
    replace the estimates where ``measured`` has them."""
    measured = measured or Measured()
    used = operators(result)
    head = measured.arena_head
    file = measured.flatbuffer
    parts = (
        Part(
            "activations",
            Memory.RAM,
            head if head is not None else result.deployment.arena,
            head is not None,
            "fit.basis.arena_measured" if head is not None else "fit.basis.arena_planned",
        ),
        Part("persistent", Memory.RAM, persistent_bytes(result), False, "fit.basis.persistent"),
        Part(
            "interpreter",
            Memory.RAM,
            INTERPRETER + RESOLVER + RESOLVER_PER_OP * len(used) + RUNTIME_DATA,
            False,
            "fit.basis.interpreter",
        ),
        Part("io", Memory.RAM, 0, False, "fit.basis.io"),
        Part(
            "model",
            Memory.FLASH,
            file if file is not None else flatbuffer_bytes(result),
            file is not None,
            "fit.basis.model_measured" if file is not None else "fit.basis.model_estimated",
        ),
        Part(
            "kernels",
            Memory.FLASH,
            kernel_bytes(used),
            False,
            "fit.basis.kernels",
        ),
        Part("runtime", Memory.FLASH, RUNTIME_CODE, False, "fit.basis.runtime"),
    )
    return Footprint(parts, used, result.deployment.supported and not support.unsupported_operators(result))


@dataclass(frozen=True)
class Fit:
    """A footprint against one target. ``margin`` per memory: the target's figure less
    the footprint's (negative when over; None where the target sets no limit)."""

    target: Target
    ram: int
    flash: int
    margins: dict[Memory, int | None] = field(default_factory=dict)
    supported: bool = True  # TFLite Micro has int8 kernels for every operation

    @property
    def fits(self) -> bool:
        """Within the target's memory, and runnable by TFLite Micro."""
        return self.supported and all(m is None or m >= 0 for m in self.margins.values())

    @property
    def blocking(self) -> Memory | None:
        """The memory that is most over (None when it fits)."""
        over = {m: v for m, v in self.margins.items() if v is not None and v < 0}
        return min(over, key=over.__getitem__) if over else None

    def limit(self, memory: Memory) -> int | None:
        return self.target.ram if memory is Memory.RAM else self.target.flash

    def share(self, memory: Memory) -> float | None:
        """The footprint as a fraction of the target's figure."""
        limit = self.limit(memory)
        used = self.ram if memory is Memory.RAM else self.flash
        return used / limit if limit else None


def check(print_: Footprint, target: Target) -> Fit:
    """The footprint against one target."""
    margins = {
        Memory.RAM: target.ram - print_.ram,
        Memory.FLASH: None if target.flash is None else target.flash - print_.flash,
    }
    return Fit(target, print_.ram, print_.flash, margins, print_.supported)


def check_all(print_: Footprint, targets) -> list[Fit]:
    """The footprint against every target, in the order given."""
    return [check(print_, t) for t in targets]


def count_fitting(fits: list[Fit]) -> tuple[int, int]:
    """(targets it fits, targets checked): the "fits 9 of 16 targets" figure (none when
    TFLite Micro cannot run the model)."""
    return sum(f.fits for f in fits), len(fits)
