"""Every figure is defined once, in ``lightdesign/analysis/metrics.py``: the JSON output, budgets,
comparisons, scaling points and run records use its keys, the UI and the CLI its
formatting, and nothing else in the code reads the analysis figures on its own."""

import re
from pathlib import Path

import pytest

from lightdesign.analysis import metrics
from lightdesign.analysis.network import analyze
from lightdesign.catalog import CATALOG
from lightdesign.cli.commands import table
from lightdesign.core import format as fmt
from lightdesign.core import presets
from lightdesign.explore import compare, scaling
from lightdesign.explore.budget import LIMITS, Budget
from lightdesign.jobs.specs import epoch_seconds

ROOT = Path(__file__).resolve().parents[2]
DEFINED_IN = {"lightdesign/analysis/network.py", "lightdesign/analysis/metrics.py"}

# Code that spells a figure or a rule on its own instead of going through lightdesign.analysis.metrics.
RULES = {
    "weight_bytes (use metrics.WEIGHTS_*)": re.compile(r"\bweight_bytes\b"),
    ".peak_activation_bytes (use metrics.PEAK / PEAK_INT8)": re.compile(r"\.peak_activation_bytes"),
    ".training.total (use metrics.TRAINING)": re.compile(r"\.training\.total\b"),
    "3 x FLOPs (use metrics.training_flops)": re.compile(r"\b3\s*\*[^#\n]*flops|flops[^#\n]*\*\s*3\b"),
    "100 * part / total (use metrics.share)": re.compile(r"\b100\s*\*\s*[\w.\[\]'\"]+\s*/"),
    "a figure formatted by hand (use Metric.show)": re.compile(r"fmt\.(count|size)\(\s*result\."),
    "an old key of a figure (use the metric's key)": re.compile(
        r"[\"'](int8_bytes|weights_int8|weights_fp32|latency_keras|latency_tflite|training_memory)[\"']"
    ),
}


def _code_files():
    for folder in ("lightdesign", "pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative not in DEFINED_IN and "/catalog/" not in relative:
                yield relative, path.read_text(encoding="utf-8")
    yield "app.py", (ROOT / "app.py").read_text(encoding="utf-8")


def test_no_figure_is_read_or_formatted_outside_the_one_definition():
    found: dict[tuple[str, str], list[str]] = {}
    for relative, text in _code_files():
        for number, line in enumerate(text.splitlines(), start=1):
            code = line.split("#", 1)[0] if not line.lstrip().startswith(("'", '"')) else line
            for rule, pattern in RULES.items():
                if pattern.search(code):
                    found.setdefault((relative, rule), []).append(f"{number}: {line.strip()}")
    assert not found, "read these through lightdesign.analysis.metrics:\n" + "\n".join(
        f"{path} [{rule}] line {line}" for (path, rule), lines in found.items() for line in lines
    )


@pytest.fixture(scope="module")
def result():
    return analyze(presets.build("mobilenet_v2"))


def test_json_output_figures_are_the_metric_summary(result):
    data = result.to_dict()
    summary = metrics.summary(result)
    structure = {"design", "input_shape", "output_shape", "training", "blocks", "layers", "errors", "warnings"}
    structure |= {"dead_blocks", "timeline", "incomplete", "unknown", "latency_note"}
    assert set(data) - structure == set(summary) == {m.key for m in metrics.ANALYSIS}
    assert {key: data[key] for key in summary} == summary


def test_compare_budget_scaling_and_run_records_use_the_metric_keys(result):
    summary = metrics.summary(result)
    measured = {m.key for m in metrics.MEASURED}
    assert set(compare.summarize(result)) == set(summary) | measured
    assert all(metrics.BY_KEY[m.key] is m for m in compare.METRICS)
    assert all(metrics.BY_KEY[limit.key] is limit.metric and limit.key in summary for limit in LIMITS)
    point = scaling.width_resolution_grid(presets.build("seed_cnn"), Budget(), alphas=(1.0,), sides=(28,))
    assert point[0][0].figures == metrics.summary(analyze(presets.build("seed_cnn")))
    record = {**summary, "test_accuracy": 0.5, "dataset": "digits"}  # what the Train page records
    assert metrics.from_record(record) == {**summary, metrics.ACCURACY.key: 0.5}


def test_older_run_records_read_through_their_old_keys():
    old = {"params": 1, "macs": 2, "flops": 3, "peak_activation_bytes": 4, "int8_bytes": 5, "test_accuracy": 0.25}
    figures = metrics.from_record(old)
    assert figures[metrics.WEIGHTS_INT8.key] == 5 and figures[metrics.PEAK.key] == 4
    assert figures[metrics.ACCURACY.key] == 0.25 and figures[metrics.TRAINING.key] is None


def test_metric_keys_and_labels_are_defined_once_with_both_languages():
    keys = [m.key for m in (*metrics.ANALYSIS, *metrics.MEASURED)]
    assert len(keys) == len(set(keys)) == len(metrics.BY_KEY)
    for metric in metrics.BY_KEY.values():
        assert set(CATALOG.get(metric.label_key, {})) == {"en", "zh"}, metric.label_key
    with pytest.raises(KeyError, match="unknown metric 'int8'; valid: params"):
        metrics.get("int8")


def test_formatting_is_format_count_and_size(result):
    for metric in metrics.ANALYSIS:
        value = metric.read(result)
        if metric.unit is metrics.Unit.MS:  # predicted latency: not calibrated in the tests
            assert value is None and metric.show(value) == "–", metric.key
            continue
        expected = fmt.count(value) if metric.unit is metrics.Unit.COUNT else fmt.size(value)
        assert metric.show(value) == expected, metric.key
    assert metrics.MACS.show(300_774_272) == "300.8 M" and metrics.WEIGHTS_FP32.show(14_155_936) == "13.5 MB"
    assert metrics.ACCURACY.show(0.912) == "91.2%" and metrics.LATENCY_KERAS.show(1.25) == "1.25 ms"
    assert metrics.PEAK.show(None) == "–"
    assert all(limit.show(123_456) == limit.metric.show(123_456) for limit in LIMITS)
    text = table(result)
    assert f"MACs        {result.macs:,} ({metrics.MACS.show(result.macs)})" in text
    assert f"int8 {metrics.WEIGHTS_INT8.show(metrics.WEIGHTS_INT8.read(result))}" in text


def test_share_and_the_training_flops_rule(result):
    assert metrics.share(1, 4) == 25.0 and metrics.share(5, 0) == 0.0
    shares = [f"{metrics.share(b.macs, result.macs):>5.1f}%" for b in result.blocks]
    lines = table(result).splitlines()[3 : 3 + len(result.blocks)]
    assert [line[-6:] for line in lines] == shares
    assert metrics.training_flops(1_000, 10) == metrics.TRAINING_FLOPS_FACTOR * 10_000
    assert epoch_seconds(result, 100, 1e9) == pytest.approx(metrics.training_flops(result.flops, 100) / 1e9)
