"""``lightdesign targets`` (the target devices), ``check --target`` (will the int8 model fit
one) and ``export`` (model files and the microcontroller bundle, written in a child
process so that TensorFlow stays out of the command's own)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from lightdesign.analysis import fit, metrics, support, targets
from lightdesign.analysis.network import Analysis
from lightdesign.catalog import CATALOG
from lightdesign.cli.common import CommandError, design_options, load_design, valid_analysis, write
from lightdesign.core import format as fmt

EXPORT_FORMATS = ("keras", "tflite", "tflite-int8", "py", "mcu-bundle")
EXPORT_TIMEOUT_S = 1800


def _say(key: str, lang: str, **values) -> str:
    return CATALOG[key][lang].format(**values)


def _memory(value: int | None, lang: str) -> str:
    return fmt.size(value) if value is not None else _say("target.storage", lang)


def cmd_targets(args: argparse.Namespace) -> None:
    lang = args.lang
    heads = [_say(k, lang) for k in ("target.id", "target.name", "target.core", "target.clock")]
    heads += [_say(k, lang) for k in ("target.sram", "target.psram", "target.flash")]
    print(f"{heads[0]:<16} {heads[1]:<44} {heads[2]:<30} {heads[3]:>9} {heads[4]:>9} {heads[5]:>8} {heads[6]:>9}")
    for t in targets.TARGETS:
        psram = fmt.size(t.psram) if t.psram else "-"
        print(
            f"{t.id:<16} {t.name[:44]:<44} {t.core[:30]:<30} {t.clock_mhz:>5} MHz {fmt.size(t.sram):>9} "
            f"{psram:>8} {_memory(t.flash, lang):>9}"
        )
        if args.sources:
            for source in t.sources:
                print(f"{'':<16} {source.url}\n{'':<18}{source.says}")


def _part_lines(part: fit.Part, lang: str, basis: bool) -> list[str]:
    how = _say("fit.measured" if part.measured else "fit.estimated", lang)
    lines = [f"      {_say(fit.PART_LABELS[part.key], lang):<56} {fmt.size(part.bytes):>10}  {how}"]
    return [*lines, f"        {_say(part.basis, lang)}"] if basis else lines


def report(
    result: Analysis,
    target: targets.Target,
    lang: str = "en",
    measured: fit.Measured | None = None,
    basis: bool = False,
) -> str:
    """Each figure of the int8 deployment against ``target``'s limits, in ``lang`` (with how
    each part was found when ``basis``)."""
    footprint = fit.footprint(result, measured)
    verdict = fit.check(footprint, target)
    lines = [f"{result.design.name} -> {target.name}: {_say('fit.fits' if verdict.fits else 'fit.does_not_fit', lang)}"]
    for memory in fit.Memory:
        used = footprint.total(memory)
        limit = verdict.limit(memory)
        margin = verdict.margins[memory]
        flag = "ok  " if margin is None or margin >= 0 else "OVER"
        if limit is None:
            against = _say("fit.no_limit", lang)
        else:
            against = (
                f"{_say('fit.of', lang)} {fmt.size(limit)} ({metrics.share(used, limit):5.1f}%), "
                f"{_say('fit.margin', lang)} {'-' if margin < 0 else ''}{fmt.size(abs(margin))}  [{used:,} / {limit:,}]"
            )
        lines.append(f"  {flag} {_say(fit.MEMORY_LABELS[memory], lang):<6} {fmt.size(used):>10} {against}")
        for part in footprint.parts:
            lines += _part_lines(part, lang, basis) if part.memory is memory else []
    lines.append(f"  {_say('ops.operators', lang)}: {', '.join(footprint.operators)}")
    problems = support.unsupported_operators(result)
    for layer in problems:
        if layer.not_builtin:
            lines.append(f"  {layer.layer}: {_say('ops.not_builtin', lang, ops=', '.join(layer.not_builtin))}")
        if layer.no_micro_kernel:
            lines.append(f"  {layer.layer}: {_say('ops.no_micro_kernel', lang, ops=', '.join(layer.no_micro_kernel))}")
        if layer.alternative:
            alternative = CATALOG[layer.alternative][lang]
            lines.append(f"  {layer.layer}: {_say('ops.alternative', lang, alternative=alternative)}")
    if not problems:
        lines.append(f"  {_say('ops.all_supported', lang)}")
    if not footprint.supported:
        lines.append(f"  {_say('fit.unsupported', lang)}")
    blocking = verdict.blocking
    if blocking is not None:
        lines.append(f"  {_say('fit.blocked_by', lang, memory=_say(fit.MEMORY_LABELS[blocking], lang))}")
    return "\n".join(lines) + "\n"


def summary(result: Analysis, lang: str = "en") -> tuple[str, int]:
    """One line per target (verdict, RAM and flash against its figures) and the count it
    fits; returns the text and that count."""
    footprint = fit.footprint(result)
    verdicts = fit.check_all(footprint, targets.TARGETS)
    lines = []
    for verdict in verdicts:
        ok = verdict.fits
        flash = _memory(verdict.target.flash, lang)
        lines.append(
            f"  {'ok  ' if ok else 'OVER'} {verdict.target.id:<16} {fmt.size(footprint.ram):>9} / {fmt.size(verdict.target.ram):<9}"
            f" {fmt.size(footprint.flash):>9} / {flash:<9} {_say('fit.fits' if ok else 'fit.does_not_fit', lang)}"
        )
    fits, total = fit.count_fitting(verdicts)
    lines.append(_say("fit.count", lang, fits=fits, total=total))
    return f"{result.design.name}\n" + "\n".join(lines) + "\n", fits


def check_target(args: argparse.Namespace, result: Analysis) -> bool:
    """Print the fit of ``result`` on ``--target`` (``all``: every target, true when it
    fits any); True when it fits."""
    if args.target == "all":
        text, fits = summary(result, args.lang)
        sys.stdout.write(text)
        return fits > 0
    try:
        target = targets.get(args.target)
    except targets.TargetError as exc:
        raise CommandError(str(exc)) from None
    sys.stdout.write(report(result, target, args.lang, basis=args.basis))
    return fit.check(fit.footprint(result), target).fits


def cmd_export(args: argparse.Namespace) -> None:
    design = load_design(args)
    result = valid_analysis(design)
    if args.format == "mcu-bundle":
        for layer in support.unsupported_operators(result):
            missing = ", ".join(layer.no_micro_kernel or layer.not_builtin)
            instead = f"; instead: {CATALOG[layer.alternative]['en']}" if layer.alternative else ""
            raise CommandError(
                f"TFLite Micro cannot run {layer.layer} ({layer.kind}): no kernel for {missing}{instead}"
            )
    if args.format == "py":
        from lightdesign.output.codegen import generate

        write(generate(design), args.output)
        return
    if not args.output:
        raise CommandError(f"--format {args.format} writes a binary file: give it with -o FILE")
    output = Path(args.output)
    if output.is_dir():
        raise CommandError(f"cannot write {output}: it is a folder; give a file name")
    names = [n.strip() for n in args.class_names.split(",")] if args.class_names else None
    if names is not None and len(names) != design.num_classes:
        raise CommandError(f"--class-names gives {len(names)} names; the design has {design.num_classes} classes")
    request = {
        "design": design.to_json(),
        "format": args.format,
        "output": str(output.resolve()),
        "model": str(Path(args.model).resolve()) if args.model else None,
        "class_names": names,
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "request.json"
        path.write_text(json.dumps(request), encoding="utf-8")
        try:
            done = subprocess.run(
                [sys.executable, "-m", "lightdesign.jobs.files", str(path)],
                capture_output=True,
                timeout=EXPORT_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            raise CommandError(f"the export took longer than {EXPORT_TIMEOUT_S} s and was stopped") from None
    try:
        answer = json.loads(done.stdout.decode("utf-8", "replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        how = f"signal {-done.returncode}" if done.returncode < 0 else f"exit status {done.returncode}"
        raise CommandError(f"the export process ended without a result ({how})") from None
    if "error" in answer:
        raise CommandError(f"cannot export {design.name} as {args.format}: {answer['error']}")
    extra = ""
    if args.format == "mcu-bundle":
        extra = f"; operators {', '.join(answer['operators'])}; arena {answer['arena']:,} bytes"
    note = f" ({answer['note']})" if answer.get("note") else ""
    print(f"wrote {output}: {answer['bytes']:,} bytes{note}{extra}")


def register(sub) -> None:
    """Add ``targets`` and ``export`` to the CLI's subparsers."""
    p = sub.add_parser("targets", help="the target devices: id, name, core, clock, SRAM, flash")
    p.add_argument("--sources", action="store_true", help="also print where each figure comes from")
    p.add_argument("--lang", choices=("en", "zh"), default="en")
    p.set_defaults(run=cmd_targets)

    p = sub.add_parser(
        "export",
        help="write the model as .keras, .tflite (float32 or int8), Keras code or a microcontroller bundle (.zip)",
    )
    design_options(p)
    p.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    p.add_argument("-o", "--output", help="file to write (py: default standard output)")
    p.add_argument("--model", help="a trained .keras file of the design to export instead of initial weights")
    p.add_argument("--class-names", help="mcu-bundle: the class names, separated by commas")
    p.set_defaults(run=cmd_export)


def add_check_options(parser: argparse.ArgumentParser) -> None:
    """``check``'s target options."""
    ids = ", ".join(targets.BY_ID)
    parser.add_argument(
        "--target", help=f"a target device the int8 model must fit ({ids}; all: each of them); see `targets`"
    )
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the --target report")
    parser.add_argument("--basis", action="store_true", help="with --target: say how each figure was found")
