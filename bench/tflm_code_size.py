"""Flash taken by TensorFlow Lite Micro's runtime and by each int8 kernel on a Cortex-M4,
measured by building TFLM from source and linking one firmware per operator.

    python -m bench.tflm_code_size SOURCE [--build DIR] [--ops CONV_2D,ADD] [--together OPS] [--json FILE]

SOURCE is a tflite-micro checkout whose ``tensorflow/lite/micro/tools/make/downloads``
holds flatbuffers (patched as TFLM's download script does), gemmlowp and ruy. Needs
``arm-none-eabi-g++`` (Debian: gcc-arm-none-eabi, libnewlib-arm-none-eabi,
libstdc++-arm-none-eabi-newlib).

How it measures: the library is compiled as TFLM's own Makefile does for
``TARGET=cortex_m_generic TARGET_ARCH=cortex-m4+fp BUILD_TYPE=release`` (the core at -Os,
the reference kernels at -O2, error strings stripped; no CMSIS-NN). One firmware
(``-specs=nano.specs -specs=nosys.specs``, ``--gc-sections``) makes a
``MicroInterpreter`` with a ``MicroMutableOpResolver`` holding no operator: its text +
read-only data + initialised data is the runtime. Each operator's figure is one more
firmware whose resolver holds that operator alone, less the runtime. The model is an
external symbol of 16 bytes, so no model is counted. The figures feed
``lightdesign.analysis.fit`` (its ``KERNEL_CODE`` table states this basis).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import subprocess
from pathlib import Path

from lightdesign.output.mcu_bundle import resolver_method

MICRO = "tensorflow/lite/micro"
FLAGS = [
    "-mcpu=cortex-m4",
    "-mthumb",
    "-mfloat-abi=hard",
    "-mfpu=fpv4-sp-d16",
    "-fno-unwind-tables",
    "-fno-asynchronous-unwind-tables",
    "-ffunction-sections",
    "-fdata-sections",
    "-DTF_LITE_STATIC_MEMORY",
    "-DTF_LITE_DISABLE_X86_NEON",
    "-DNDEBUG",
    "-DTF_LITE_STRIP_ERROR_STRINGS",
    "-DKERNELS_OPTIMIZED_FOR_SPEED",
]
CXX_FLAGS = ["-std=c++17", "-fno-rtti", "-fno-exceptions", "-fno-threadsafe-statics"]
CORE_LEVEL, KERNEL_LEVEL = "-Os", "-O2"
LINK = ["-specs=nano.specs", "-specs=nosys.specs", "-Wl,--gc-sections"]
# The builtin operators the int8 deployment's lowering emits (``analysis.lowering``),
# and QUANTIZE / DEQUANTIZE for a model the converter leaves partly float.
DEFAULT_OPS = (
    "ADD AVERAGE_POOL_2D BATCH_TO_SPACE_ND CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEQUANTIZE EXPAND_DIMS "
    "FULLY_CONNECTED GATHER HARD_SWISH LESS LOGISTIC MAX_POOL_2D MEAN MUL PACK PAD QUANTIZE REDUCE_MAX RELU "
    "RELU6 RESHAPE SELECT_V2 SHAPE SOFTMAX SPACE_TO_BATCH_ND SPLIT STRIDED_SLICE TANH TRANSPOSE"
).split()
# The kernel source of an operator, where it is not the operator's name in lower case.
KERNEL_FILE = {
    "CONV_2D": "conv",
    "DEPTHWISE_CONV_2D": "depthwise_conv",
    "AVERAGE_POOL_2D": "pooling",
    "MAX_POOL_2D": "pooling",
    "MEAN": "reduce",
    "REDUCE_MAX": "reduce",
    "RELU": "activations",
    "RELU6": "activations",
    "LESS": "comparisons",
    "SELECT_V2": "select",
}
KERNEL_HELPERS = {"kernel_util", "micro_tensor_utils"}
FIRMWARE = """
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
extern "C" const unsigned char g_model[];
alignas(16) static uint8_t arena[1024];
int main() {
  static tflite::MicroMutableOpResolver<%(count)d> resolver;
  %(add)s
  static tflite::MicroInterpreter interpreter(tflite::GetModel(g_model), resolver, arena, sizeof(arena));
  if (interpreter.AllocateTensors() != kTfLiteOk) return 1;
  return interpreter.Invoke() == kTfLiteOk ? 0 : 2;
}
"""


def library_sources(source: Path, ops: list[str]) -> list[str]:
    """The TFLM library's C++ sources that ``ops`` need (TFLM's Makefile list: the
    runtime, and of the kernels only those of ``ops``, their common parts and helpers)."""
    listed = subprocess.run(
        ["make", "-s", "-f", f"{MICRO}/tools/make/Makefile", "list_library_sources"],
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    stems = {KERNEL_FILE.get(op, op.lower()) for op in ops}
    wanted = KERNEL_HELPERS | stems | {f"{stem}_common" for stem in stems}

    def needed(unit: str) -> bool:
        if not unit.endswith(".cc") or unit.startswith("signal/") or "/signal/" in unit:
            return False
        if unit.startswith(f"{MICRO}/kernels/"):
            return unit.count("/") == MICRO.count("/") + 2 and Path(unit).stem in wanted
        return "test_helper" not in unit

    return [unit for unit in listed if needed(unit)]


def _includes(source: Path) -> list[str]:
    downloads = source / MICRO / "tools/make/downloads"
    folders = (downloads, downloads / "gemmlowp", downloads / "flatbuffers/include", downloads / "ruy")
    return [f"-I{source}", *(f"-I{folder}" for folder in folders)]


def _compile(source: Path, build: Path, unit: str) -> Path:
    target = build / (unit.replace("/", "__") + ".o")
    if target.exists():
        return target
    level = KERNEL_LEVEL if "/kernels/" in unit else CORE_LEVEL
    subprocess.run(
        [
            "arm-none-eabi-g++",
            *FLAGS,
            *CXX_FLAGS,
            level,
            *_includes(source),
            "-c",
            str(source / unit),
            "-o",
            str(target),
        ],
        check=True,
    )
    return target


def build_library(source: Path, build: Path, ops: list[str]) -> Path:
    build.mkdir(parents=True, exist_ok=True)
    units = library_sources(source, ops)
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        objects = list(pool.map(lambda unit: _compile(source, build, unit), units))
    archive = build / "libtflm.a"
    if archive.exists():
        members = subprocess.run(["arm-none-eabi-ar", "t", str(archive)], capture_output=True, text=True).stdout
        if set(members.split()) == {o.name for o in objects}:
            return archive  # built from these objects already
    partial = build / "libtflm.a.part"
    partial.unlink(missing_ok=True)
    subprocess.run(["arm-none-eabi-ar", "rcs", str(partial), *map(str, objects)], check=True)
    partial.replace(archive)
    return archive


def firmware_bytes(source: Path, build: Path, archive: Path, ops: tuple[str, ...]) -> int:
    """text + rodata + data of a firmware whose resolver holds ``ops`` (none: the runtime)."""
    name = "_".join(ops) or "runtime"
    main = build / f"fw_{name}.cc"
    adds = " ".join(f"resolver.{resolver_method(op)}();" for op in ops)
    main.write_text(FIRMWARE % {"count": max(1, len(ops)), "add": adds})
    model = build / "model_stub.cc"
    model.write_text('extern "C" const unsigned char g_model[16] __attribute__((aligned(16))) = {0};\n')
    elf = build / f"fw_{name}.elf"
    subprocess.run(
        [
            "arm-none-eabi-g++",
            *FLAGS,
            *CXX_FLAGS,
            CORE_LEVEL,
            *_includes(source),
            str(main),
            str(model),
            str(archive),
            *LINK,
            "-o",
            str(elf),
        ],
        check=True,
    )
    out = subprocess.run(["arm-none-eabi-size", "-A", str(elf)], capture_output=True, text=True, check=True).stdout
    sizes = dict(re.findall(r"^(\.\w+)\s+(\d+)", out, re.M))
    return sum(int(sizes.get(section, 0)) for section in (".text", ".rodata", ".data"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source", type=Path)
    parser.add_argument("--build", type=Path, default=Path("/tmp/tflm-cortex-m4"))
    parser.add_argument("--ops", help="comma-separated builtin operators (default: those the deployment uses)")
    parser.add_argument("--json", type=Path, help="write the figures as JSON")
    parser.add_argument("--together", help="also link these operators in one firmware, against the sum of each alone")
    args = parser.parse_args()
    source = args.source.resolve()
    ops = args.ops.split(",") if args.ops else DEFAULT_OPS
    archive = build_library(source, args.build, sorted({*DEFAULT_OPS, *ops}))
    runtime = firmware_bytes(source, args.build, archive, ())
    print(f"runtime (interpreter, allocator, planner, no operator): {runtime:,} bytes")
    figures = {"runtime": runtime, "kernels": {}}
    for op in ops:
        size = firmware_bytes(source, args.build, archive, (op,)) - runtime
        figures["kernels"][op] = size
        print(f"{op:<24} {size:>8,} bytes")
    if args.together:
        together = tuple(args.together.split(","))
        both = firmware_bytes(source, args.build, archive, together) - runtime
        alone = sum(
            figures["kernels"].get(op) or firmware_bytes(source, args.build, archive, (op,)) - runtime
            for op in together
        )
        print(f"together {both:,} bytes; the sum of each alone {alone:,} bytes ({alone / both - 1:+.1%})")
        figures["together"] = {"ops": list(together), "bytes": both, "sum_alone": alone}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
