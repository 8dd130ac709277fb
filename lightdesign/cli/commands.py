"""Command line: ``lightdesign presets|analyze|codegen|render|check|save|import|workspace|sweep|dataset|targets|export|calibrate|app``
(from a clone also ``python -m lightdesign …``).

Every command that takes a design accepts a design JSON file, a model file (.keras, .h5,
Keras JSON, .tflite, .onnx: imported on the fly, ``--input-shape`` where its input is open)
or ``--preset NAME`` with ``--alpha``, ``--resolution``, ``--classes`` and (ShuffleNetV1) ``--groups``. Invalid
designs exit with status 1 and a one-line message; usage errors exit with status 2, and so
does ``check`` when a budgeted figure is incomplete (it leaves out an opaque layer's cost).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lightdesign.analysis import metrics
from lightdesign.analysis.network import OPTIMIZER_SLOTS, Analysis, analyze
from lightdesign.cli import app, calibrate, sweep, targets
from lightdesign.cli.common import (
    BudgetExceeded,
    CommandError,
    IncompleteFigure,
    amount,
    check_readable,
    design_options,
    duration,
    import_model,
    load_design,
    text,
    valid_analysis,
    write,
)
from lightdesign.core import format as fmt
from lightdesign.core import presets
from lightdesign.core.design import DesignError


def table(result: Analysis) -> str:
    """Per-block table with totals and memory figures."""
    header = (
        f"{'#':>3}  {'block':<22} {'kind':<22} {'output':<14} {'params':>11} {'fp32 ms':>8} {'MACs':>13} {'share':>6}"
    )
    lines = [f"{result.design.name}  input {fmt.shape(result.design.input_shape)}", header, "-" * len(header)]
    figures = metrics.summary(result)
    for b in result.blocks:
        ms = result.block_latency(b.index)[metrics.PREDICTED_FP32.key]
        lines.append(
            f"{b.index + 1:>3}  {b.name[:22]:<22} {b.kind[:22]:<22} {fmt.shape(b.shape):<14} "
            f"{b.params:>11,} {'–' if ms is None else f'{ms:.3f}':>8} {b.macs:>13,} "
            f"{metrics.share(b.macs, figures[metrics.MACS.key]):>5.1f}%"
        )

    def shown(metric: metrics.Metric) -> str:
        return metric.show(figures[metric.key])

    def exact(metric: metrics.Metric) -> str:
        return fmt.exact(figures[metric.key])

    m = metrics
    t = result.training
    lines += [
        "-" * len(header),
        f"params      {exact(m.PARAMS)} (trainable {exact(m.TRAINABLE)}, non-trainable {exact(m.NON_TRAINABLE)})",
        f"MACs        {exact(m.MACS)} ({shown(m.MACS)})",
        f"FLOPs       {exact(m.FLOPS)} ({shown(m.FLOPS)})",
        f"weights     fp32 {shown(m.WEIGHTS_FP32)}, fp16 {shown(m.WEIGHTS_FP16)}, int8 {shown(m.WEIGHTS_INT8)}",
        f"peak memory {shown(m.PEAK)} activations at batch 1 (at {result.peak_at})",
        f"int8 MCU    {shown(m.PEAK_INT8)} TFLite Micro arena for activations (at {result.peak_at_int8}); "
        f"{shown(m.PEAK_INT8_IN_PLACE)} with in-place depthwise (engine-dependent)",
        f"training    {shown(m.TRAINING)} at batch {t.batch_size} with {t.optimizer}",
        _latency_line(result),
        f"output      {fmt.shape(result.output_shape)}",
    ]
    lines += incomplete_lines(result)
    lines += [f"warning: {w.text}" for w in result.warnings]
    return "\n".join(lines) + "\n"


def incomplete_lines(result: Analysis) -> list[str]:
    """One line per figure that leaves out costs nobody knows (``Analysis.unknown``)."""
    lines = []
    for metric in metrics.ANALYSIS:
        names = result.unknown.get(metric.key)
        if not names:
            continue
        shown = ", ".join(names[:5]) + (f" … +{len(names) - 5}" if len(names) > 5 else "")
        lines.append(f"incomplete: {metric.label} leaves out {len(names)} layer(s): {shown}")
    return lines


def _latency_line(result: Analysis) -> str:
    """The predicted latency, or why there is none."""
    return f"latency     {result.latency.figure() if result.latency else '–'}"


def cmd_presets(args: argparse.Namespace) -> None:
    for preset in presets.PRESETS.values():
        alphas = ", ".join(f"{a:g}" for a in preset.alphas) or "-"
        print(f"{preset.name:<20} {preset.title:<30} alpha: {alphas:<24} {preset.resolution_label} {preset.resolution}")


def cmd_analyze(args: argparse.Namespace) -> None:
    design = load_design(args)
    result = analyze(design, args.batch_size, args.optimizer)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        if result.errors:
            raise SystemExit(1)
        return
    if result.errors:
        raise CommandError(f"invalid design: {result.errors[0].text}")
    sys.stdout.write(table(result))


def cmd_codegen(args: argparse.Namespace) -> None:
    from lightdesign.output.codegen import generate

    design = load_design(args)
    valid_analysis(design)
    write(generate(design), args.output)


def cmd_render(args: argparse.Namespace) -> None:
    from lightdesign.output.render import to_dot, to_mermaid

    result = analyze(load_design(args))
    words = _article_words(args.lang) if args.article else None
    if args.format == "mermaid":
        text = to_mermaid(result, args.expand, words, article=args.article)
    else:
        text = to_dot(result, args.expand, words=words, article=args.article)
    write(text, args.output)
    if result.errors:
        raise CommandError(f"invalid design (drawn anyway): {result.errors[0].text}")


def _article_words(lang: str) -> dict[str, str]:
    """The article's stage names in ``lang``, from the interface's catalogue (plain data)."""
    from lightdesign.catalog import CATALOG
    from lightdesign.output.article import ARTICLE_WORDS

    return {key: CATALOG[f"article.word.{key}"][lang] for key in ARTICLE_WORDS}


def cmd_check(args: argparse.Namespace) -> None:
    from lightdesign.explore.budget import LIMITS, Budget

    # --max-{limit.name} sets the limit on that metric
    budget = Budget({limit.key: getattr(args, f"max_{limit.name}") for limit in LIMITS}, args.min_resolution)
    if not budget.active and not args.target:
        flags = ", ".join(f"--max-{limit.name.replace('_', '-')}" for limit in LIMITS)
        raise CommandError(f"give at least one limit: {flags} or --min-resolution (or a device: --target)")
    result = valid_analysis(load_design(args))
    fits_target = targets.check_target(args, result) if args.target else True
    if not budget.active:
        if not fits_target:
            raise BudgetExceeded(f"does not fit {args.target}")
        return
    for limit, value, _, _ in budget.checks(result):
        if value is None:  # a latency that is not predicted (not calibrated, an unknown kind)
            option = f"--max-{limit.name.replace('_', '-')}"
            raise CommandError(text("check.latency_unknown", option=option, note=result.latency.note()))
    over, unknown = ([] if fits_target else [args.target]), []
    print(f"{result.design.name}")
    for limit, value, maximum, fits in budget.checks(result):
        verdict = "ok  " if fits else "OVER"
        if limit.key in result.unknown:
            verdict = "??  "
            unknown.append(limit)
        exact = f"{value:.3f} / {maximum:g} ms" if limit.latency else f"{value:,} / {maximum:,}"
        print(
            f"  {verdict} {limit.label:<24} {limit.show(value):>10} of {limit.show(maximum):>10} "
            f"({metrics.share(value, maximum):5.1f}%)  [{exact}]"
        )
        if not fits and limit.key not in result.unknown:
            over.append(limit.label)
    shape = result.design.input_shape
    if budget.min_resolution:
        resolution = min(shape[0], shape[1]) if len(shape) == 3 else 0
        fits = budget.resolution_ok(resolution)
        print(f"  {'ok  ' if fits else 'OVER'} {'input resolution':<24} {resolution:>10} >= {budget.min_resolution:>7}")
        if not fits:
            over.append("input resolution")
    if over:
        raise BudgetExceeded(f"over budget: {', '.join(over)}")
    if unknown:
        names = sorted({name for limit in unknown for name in result.unknown[limit.key]})
        shown = ", ".join(names[:5]) + (f" … +{len(names) - 5}" if len(names) > 5 else "")
        raise IncompleteFigure(
            f"cannot check {', '.join(limit.label for limit in unknown)}: the figure leaves out the cost of "
            f"{len(names)} imported layer(s) that no kind expresses ({shown}); see `analyze` for why"
        )
    print("within budget")


def cmd_save(args: argparse.Namespace) -> None:
    design = load_design(args)
    write(design.to_json() + "\n", args.output)


def cmd_import(args: argparse.Namespace) -> None:
    """Import a model file as a design; report what was mapped, folded and kept opaque."""
    check_readable(Path(args.model))
    result = import_model(Path(args.model), args.input_shape, fold=args.fold)
    design = result.design
    figures = analyze(design)
    write(design.to_json() + "\n", args.output)
    out = sys.stderr if not args.output else sys.stdout
    print(
        f"imported {Path(args.model).name} ({result.format}): {result.layers} layers -> {len(design.blocks)} blocks, "
        f"{figures.params:,} params, {figures.macs:,} MACs, output {fmt.shape(figures.output_shape)}",
        file=out,
    )
    for line in incomplete_lines(figures):
        print(line, file=out)
    if result.weights:
        print(f"weights: the file carries weights for {len(result.weights)} blocks", file=out)
    for note in result.notes:
        print(f"note: {note}", file=out)
    for item in result.unmapped:
        print(f"opaque: {item.block} ({item.op}): {item.reason}", file=out)
    if figures.errors:
        raise CommandError(f"the imported design has an error: {figures.errors[0].text}")


def cmd_workspace(args: argparse.Namespace) -> None:
    """Move a whole workspace between servers (the store of LIGHTDESIGN_DATABASE_URL / _WORK_DIR)."""
    from lightdesign import config
    from lightdesign.store import StoreError, open_store, valid_workspace_id
    from lightdesign.store.archive import export_workspace, import_workspace

    try:
        store = open_store()
        if args.action == "export":
            if not valid_workspace_id(args.target):
                raise CommandError(f"{args.target!r} is not a workspace id (the 22 characters after ?w= in its link)")
            output = Path(args.output or f"workspace-{args.target[:6]}.zip")
            counts = export_workspace(store, args.target, output)
            print(f"wrote {output}: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
        else:
            check_readable(Path(args.target))
            workspace_id = import_workspace(store, Path(args.target), config.work_dir())
            print(f"imported as workspace {workspace_id}; open it with ?w={workspace_id}")
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"{exc.filename or args.target}: {exc.strerror}") from None


def parser(prog: str = "lightdesign") -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog=prog, description="Design and analyse lightweight networks.")
    sub = root.add_subparsers(dest="command", required=True)
    sub.add_parser("presets", help="list the preset architectures").set_defaults(run=cmd_presets)

    p = sub.add_parser("analyze", help="params, MACs, FLOPs and memory of a design")
    design_options(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--batch-size", type=int, default=32, help="batch size for the training-memory figure")
    p.add_argument("--optimizer", choices=sorted(OPTIMIZER_SLOTS), default="adam")
    p.set_defaults(run=cmd_analyze)

    p = sub.add_parser("codegen", help="write the Keras source of a design")
    design_options(p)
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(run=cmd_codegen)

    p = sub.add_parser("render", help="Graphviz DOT or Mermaid text of a design")
    design_options(p)
    p.add_argument("--format", choices=("dot", "mermaid"), default="dot")
    p.add_argument("--expand", action="store_true", help="draw composite blocks as clusters of their layers")
    p.add_argument(
        "--article",
        action="store_true",
        help="draw the source article's stages: input layer, convolutional layer, activation, pooling layer, ...",
    )
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the stage names (with --article)")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(run=cmd_render)

    p = sub.add_parser(
        "check",
        help="check a design against a budget; exit status 1 when over, 2 when a budgeted figure is incomplete",
    )
    design_options(p)
    p.add_argument("--max-macs", type=amount, help="e.g. 300M")
    p.add_argument("--max-params", type=amount, help="e.g. 2M")
    p.add_argument("--max-int8", type=amount, help="int8 weight size (flash), e.g. 1MB")
    p.add_argument("--max-peak", type=amount, help="peak activation memory at batch 1 (RAM), e.g. 512KB")
    p.add_argument("--max-sram", type=amount, help="the int8 model's TFLite Micro activation arena (SRAM), e.g. 256KB")
    p.add_argument("--max-latency", type=duration, help="predicted TFLite float32 latency, one thread, e.g. 5ms")
    p.add_argument("--max-latency-int8", type=duration, help="predicted TFLite int8 latency, one thread, e.g. 2ms")
    p.add_argument("--min-resolution", type=int, help="smallest acceptable input height/width")
    targets.add_check_options(p)
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("save", help="write a design (e.g. a preset) as a JSON file")
    design_options(p)
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(run=cmd_save)

    p = sub.add_parser("import", help="import a .keras, .h5, Keras JSON, .tflite or .onnx model as a design")
    p.add_argument("model", help="the model file")
    p.add_argument("-o", "--output", help="design JSON to write (default: standard output)")
    p.add_argument("--input-shape", help="the input shape (channels last) when the file leaves it open, e.g. 224,224,3")
    p.add_argument("--fold", action="store_true", help="fold recognised layer patterns into composite blocks")
    p.set_defaults(run=cmd_import)

    p = sub.add_parser("workspace", help="export a workspace to a zip, or import one (moves it between servers)")
    p.add_argument("action", choices=("export", "import"))
    p.add_argument(
        "target",
        help="export: the workspace id (from its ?w= link; put -- before an id that starts with -); import: the zip file",
    )
    p.add_argument("-o", "--output", help="export: the zip to write (default workspace-<id>.zip)")
    p.set_defaults(run=cmd_workspace)

    sweep.register(sub)  # sweep and dataset (for the generated train.py)
    targets.register(sub)  # targets and export
    calibrate.register(sub)
    app.register(sub)
    return root


def main(argv: list[str] | None = None, prog: str = "lightdesign") -> int:
    """Run one command; ``prog`` is how usage messages name the command."""
    args = parser(prog).parse_args(argv)
    if getattr(args, "batch_size", 1) < 1:
        print("error: --batch-size must be at least 1", file=sys.stderr)
        return 2
    try:
        args.run(args)
        sys.stdout.flush()
    except IncompleteFigure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (CommandError, DesignError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SystemExit as exc:
        return int(exc.code or 0)
    except MemoryError:
        print("error: out of memory", file=sys.stderr)
        return 1
    except OSError as exc:  # standard output closed or full, a file that vanished …
        print(f"error: {exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
