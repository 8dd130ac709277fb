"""Comparison table, Pareto front and architecture diff."""

from lightdesign.analysis.network import analyze
from lightdesign.core import edits, presets
from lightdesign.explore.compare import METRIC_BY_KEY, comparison, diff, pareto_front, summarize


def test_ratio_table_against_the_first_design_and_best_per_row():
    v2 = summarize(analyze(presets.build("mobilenet_v2")), [{"test_accuracy": 0.70}])
    v3 = summarize(analyze(presets.build("mobilenet_v3_small")), [{"test_accuracy": 0.65}])
    rows = {row.metric.key: row for row in comparison([v2, v3])}
    params = rows["params"]
    assert params.values == [3_538_984, 2_554_968]
    assert params.ratios[0] == 1.0 and round(params.ratios[1], 4) == round(2_554_968 / 3_538_984, 4)
    assert params.best == 1  # fewer is better
    assert rows["test_accuracy"].best == 0  # higher is better
    assert rows["latency_keras_ms"].values == [None, None] and rows["latency_keras_ms"].best is None
    assert METRIC_BY_KEY["test_accuracy"].show(0.7) == "70.0%"


def test_measured_figures_come_from_the_last_run_and_the_export():
    result = analyze(presets.build("seed_cnn"))
    runs = [{"test_accuracy": 0.5}, {"test_accuracy": 0.9}]
    summary = summarize(result, runs, {"keras_ms": 1.25, "tflite_int8_ms": 0.5})
    assert summary["test_accuracy"] == 0.9
    assert summary["latency_keras_ms"] == 1.25 and summary["latency_tflite_int8_ms"] == 0.5
    assert METRIC_BY_KEY["latency_keras_ms"].show(1.25) == "1.25 ms"


def test_equal_values_have_no_best():
    same = summarize(analyze(presets.build("seed_cnn")))
    rows = comparison([same, same])
    assert all(row.best is None for row in rows)


def test_pareto_front_keeps_only_undominated_points():
    # (cost, accuracy): b is cheaper and better than a; d is dominated by c.
    points = [(10, 0.5), (5, 0.6), (20, 0.9), (25, 0.8), (1, 0.2)]
    assert pareto_front(points) == [4, 1, 2]
    assert pareto_front([]) == []
    assert pareto_front([(3, 0.1)]) == [0]


def test_diff_reports_added_removed_and_changed_blocks():
    a = presets.build("seed_cnn")
    b = edits.set_param(a, a.blocks[0].id, "filters", 16)
    b, _ = edits.insert_block(b, "Dropout", 5)
    b = edits.remove_block(b, b.blocks[3].id)  # pool2
    b = edits.set_num_classes(b, 5)
    texts = [c.text for c in diff(a, b)]
    assert texts == [
        "~ classes: 10 → 5",
        "~ conv1: filters 32 → 16",
        "− pool2: MaxPooling2D(pool_size=2, strides=2, padding='valid')",
        "+ dropout_1: Dropout(rate=0.2)",
        "~ predictions: units 10 → 5",
    ]
    assert diff(a, a) == []


def test_diff_of_different_architectures():
    changes = diff(presets.build("mobilenet_v2"), presets.build("mobilenet_v3_small"))
    kinds = {c.kind for c in changes}
    assert {"added", "removed", "changed"} & kinds
    assert any(c.block == "input" or c.kind in ("added", "removed") for c in changes)
