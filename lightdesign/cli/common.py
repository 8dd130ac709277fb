"""What every command shares: the one-line errors, reading a design (a file, a model file
or a preset), reading and writing files safely, amounts such as 300M or 512KB."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

from lightdesign.analysis.network import Analysis, analyze
from lightdesign.core import edits, presets
from lightdesign.core import format as fmt
from lightdesign.core.design import MAX_JSON_BYTES, Design, DesignError, from_json


class CommandError(Exception):
    """A problem to report in one line with exit status 1."""


class BudgetExceeded(CommandError):
    """The design is valid but over one of the limits (exit status 1)."""


class IncompleteFigure(CommandError):
    """A budgeted figure leaves out costs nobody knows, so the budget cannot be checked (exit status 2)."""


def design_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("design", nargs="?", help="design JSON file (or use --preset)")
    parser.add_argument("--preset", help="preset name (see `presets`)")
    fixed = "; ".join(
        f"{p.name}: {', '.join(f'{a:g}' for a in p.alphas)}" for p in presets.PRESETS.values() if p.fixed_alphas
    )
    parser.add_argument(
        "--alpha", type=float, help=f"width multiplier, {edits.MIN_WIDTH:g} to {edits.MAX_WIDTH:g} ({fixed})"
    )
    parser.add_argument("--resolution", type=int, help="input height and width (text_rnn: sequence length)")
    parser.add_argument("--classes", type=int, help="number of classes")
    parser.add_argument("--groups", type=int, help="ShuffleNetV1 groups (3 or 8)")
    parser.add_argument(
        "--input-shape",
        help="for a model file whose input size is open: the input shape, channels last, e.g. 224,224,3",
    )


def load_design(args: argparse.Namespace) -> Design:
    """The design named by a file argument or by the --preset options."""
    preset_options = {k: getattr(args, k) for k in ("alpha", "resolution", "classes", "groups")}
    if args.design and args.preset:
        raise CommandError("give either a design file or --preset, not both")
    if args.preset:
        return presets.build(args.preset, **preset_options)
    if not args.design:
        raise CommandError("give a design JSON file or --preset NAME")
    if any(v is not None for v in preset_options.values()):
        raise CommandError("--alpha, --resolution, --classes and --groups apply to --preset only")
    path = Path(args.design)
    check_readable(path)
    if is_model(path):
        return import_model(path, getattr(args, "input_shape", None)).design
    text = read_limited(path, MAX_JSON_BYTES)
    try:
        return from_json(text)
    except DesignError as exc:
        raise CommandError(f"{path}: {exc}") from None


def check_readable(path: Path) -> os.stat_result:
    """A regular file that can be opened without waiting: a FIFO, a device (``/dev/zero``,
    ``/dev/urandom``) or a folder is refused in one line instead of hanging or reading forever."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    try:
        info = os.fstat(descriptor)
    finally:
        os.close(descriptor)
    if not stat.S_ISREG(info.st_mode):
        raise CommandError(f"cannot read {path}: not a regular file (a folder, pipe or device); give a file")
    return info


def read_limited(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file (CommandError when it holds more)."""
    info = check_readable(path)
    if info.st_size > limit:
        raise CommandError(f"{path}: the file is {info.st_size:,} bytes; the limit is {limit:,}")
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > limit:
        raise CommandError(f"{path}: the file is larger than the limit of {limit:,} bytes")
    return data


def is_model(path: Path) -> bool:
    """A model file (.keras, .h5, .tflite, .onnx, or a Keras JSON config) rather than a design."""
    from lightdesign import importers

    if importers.is_model_file(path):
        return True
    if path.suffix.lower() != ".json":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return b'"class_name"' in head and b'"format_version"' not in head


def import_model(path: Path, input_shape: str | None = None, fold: bool = False):
    """Import a model file; CommandError with the one-line reason otherwise."""
    from lightdesign import importers

    try:
        shape = importers.parse_shape(input_shape) if input_shape else None
        return importers.import_file(path, shape, fold=fold)
    except importers.ModelFileError as exc:
        raise CommandError(f"{path.name}: {exc}") from None


def valid_analysis(design: Design, batch_size: int = 32, optimizer: str = "adam") -> Analysis:
    result = analyze(design, batch_size, optimizer)
    if result.errors:
        raise CommandError(f"invalid design: {result.errors[0].text}")
    return result


def write(text: str, output: str | None) -> None:
    """Write the output file (or standard output); every failure is one line. A regular
    file is written beside its place and renamed into it when complete, so a full disk
    leaves no partial file."""
    if not output:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as exc:
            raise CommandError(f"cannot write to standard output: {exc.strerror or exc}") from None
        return
    path = Path(output)
    data = text.encode("utf-8")
    try:
        if path.exists() and not path.is_file():
            if path.is_dir():
                raise CommandError(f"cannot write {path}: it is a folder; give a file name")
            with open(path, "wb") as handle:  # a device or a pipe: written in place
                handle.write(data)
            return
        temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
        try:
            with open(temporary, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None


def amount(text: str) -> int:
    try:
        value = fmt.parse_amount(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is less than 1; a limit must be at least 1 (e.g. 300M)")
    return value


def duration(text: str) -> float:
    """Milliseconds from a time such as ``5ms``, ``0.5 s`` or ``800us`` (a bare number is ms)."""
    try:
        return fmt.parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def limit_type(limit):
    """The option parser of a budget limit: a time for a latency, else an amount."""
    return duration if limit.latency else amount


def text(key: str, **values) -> str:
    """A catalogue text in English (the command line's language), with ``values`` filled in."""
    from lightdesign.catalog import CATALOG

    return CATALOG[key]["en"].format(**values)
