"""Budgets, the scaling search, suggestions and the `check` command."""

import time

import pytest

from lightdesign.analysis import metrics
from lightdesign.analysis.network import analyze
from lightdesign.cli.commands import main
from lightdesign.core import edits, kinds, presets
from lightdesign.core.design import Design, new_block
from lightdesign.explore import scaling, suggestions
from lightdesign.explore.budget import LIMITS, Budget

BUDGET = Budget({metrics.MACS.key: 150_000_000, metrics.PEAK.key: 3 * 2**20}, min_resolution=112)


def test_budget_checks():
    result = analyze(presets.build("mobilenet_v2", alpha=0.5, resolution=160))
    checks = {limit.key: (value, fits) for limit, value, _, fits in BUDGET.checks(result)}
    assert checks["macs"] == (result.macs, result.macs <= 150_000_000)
    assert set(checks) == {"macs", "peak_activation_bytes"}
    small = presets.build("mobilenet_v2", alpha=0.35, resolution=96)
    assert not BUDGET.fits(analyze(small))  # under every limit but below the minimum resolution


def test_width_resolution_grid_equals_brute_force_analysis():
    design = presets.build("mobilenet_v2")
    grid = scaling.width_resolution_grid(design, BUDGET)
    assert len(grid) == 10 and all(len(row) == 10 for row in grid)
    for row in grid[::3]:
        for point in row[::3]:
            # Independent truth: build the variant by hand and analyse it.
            variant = edits.scale_width(design, point.x)
            variant = edits.set_input_shape(variant, [int(point.y), int(point.y), 3])
            result = analyze(variant)
            assert point.figures == metrics.summary(result)
            assert point.value(metrics.MACS) == result.macs
            assert point.fits == BUDGET.fits(result)


def test_the_resolutions_scanned_follow_the_designs_input():
    # the MobileNet paper's resolutions for a 224 input ...
    assert scaling.resolutions(presets.build("mobilenet_v2")) == (96, 112, 128, 144, 160, 176, 192, 208, 224, 256)
    # ... and the same fractions of a 28x28 digit network's, its own size included
    seed = presets.build("seed_cnn")
    assert scaling.resolutions(seed) == (12, 14, 16, 18, 20, 22, 24, 26, 28, 32)
    assert scaling.resolutions(presets.build("mobilenet_v2", resolution=96)) == (40, 48, 56, 64, 72, 80, 88, 96, 112)
    # a budget the seed CNN (2.63 M MACs at 28x28) can meet now has points that fit
    grid = scaling.width_resolution_grid(seed, Budget({metrics.MACS.key: 2_000_000}))
    best = scaling.largest_fit(grid)
    assert best is not None and best.y <= 28 and best.value(metrics.MACS) <= 2_000_000


def test_largest_fit_is_the_feasible_point_with_most_macs():
    grid = scaling.width_resolution_grid(presets.build("mobilenet_v2"), BUDGET)
    best = scaling.largest_fit(grid)
    feasible = [p for row in grid for p in row if p.fits]
    macs = [p.value(metrics.MACS) for p in feasible]
    assert best in feasible and best.value(metrics.MACS) == max(macs)
    assert (
        scaling.largest_fit(scaling.width_resolution_grid(presets.build("mobilenet_v2"), Budget({"macs": 1}))) is None
    )


def test_grid_is_fast_enough_to_feel_live():
    design = presets.build("mobilenet_v2")
    start = time.process_time()  # this process's own time: other work on the machine does not count
    scaling.width_resolution_grid(design, BUDGET)
    assert time.process_time() - start < 5  # the benchmark tracks the real figure (< 1 s)


def test_expansion_and_depth_knobs():
    design = presets.build("mobilenet_v2")
    assert [len(s) for s in scaling.stages(design)][:6] == [1, 1, 2, 3, 4, 3]
    deeper = scaling.scale_depth(design, 1.5)
    assert len(deeper.blocks) > len(design.blocks) and not analyze(deeper).errors
    shallower = scaling.scale_depth(design, 0.5)
    assert len(shallower.blocks) < len(design.blocks) and not analyze(shallower).errors
    thin = scaling.scale_expansion(design, 0.5)
    assert thin.blocks[2].params["expansion"] == 3.0 and thin.blocks[1].params["expansion"] == 1.0
    grid = scaling.expansion_depth_grid(design, Budget({"macs": 10**12}))
    middle = grid[scaling.DEPTHS.index(1.0)][scaling.EXPANSIONS.index(1.0)]
    assert middle.value(metrics.MACS) == analyze(design).macs


def test_each_suggestion_saves_exactly_the_difference_of_two_analyses():
    designs = [
        presets.build("seed_cnn"),
        Design(
            "pair",
            (32, 32, 3),
            10,
            [
                new_block("Conv2D", "a", "b1", filters=64, kernel_size=3, activation="relu"),
                new_block("Conv2D", "b", "b2", filters=64, kernel_size=3, activation="relu"),
                new_block("GlobalAveragePooling2D", "pool", "b3"),
                new_block("Dense", "out", "b4", units=10, activation="softmax"),
            ],
        ),
    ]
    rules = set()
    for design in designs:
        before = analyze(design)
        for suggestion in suggestions.suggest(design):
            after = analyze(suggestions.substitute(design, *suggestion.key))
            assert suggestion.params_saved == before.params - after.params
            assert suggestion.macs_saved == before.macs - after.macs
            assert not after.errors
            rules.add(suggestion.rule)
    assert rules == {"separable", "global_pool", "fire"}


def test_separable_suggestion_quotes_the_articles_ratio():
    design = presets.build("seed_cnn")
    conv2 = next(s for s in suggestions.suggest(design) if s.rule == "separable" and s.block_ids == ("b3",))
    assert "1/N + 1/k² = 1/64 + 1/9 = 0.127" in conv2.theory
    assert conv2.macs_saved > 0


def test_a_suggestion_that_no_longer_applies_returns_none():
    design = presets.build("seed_cnn")
    assert suggestions.substitute(design, "separable", ("nope",)) is None
    assert suggestions.substitute(design, "fire", ("b1", "b2")) is None


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["check", "--preset", "mobilenet_v2", "--max-macs", "301M", "--max-params", "4M"], 0),
        (["check", "--preset", "mobilenet_v2", "--max-macs", "300M"], 1),
        (["check", "--preset", "mobilenet_v2", "--alpha", "0.35", "--resolution", "96", "--min-resolution", "112"], 1),
    ],
)
def test_check_command_exit_codes(capsys, argv, code):
    assert main(argv) == code
    out, err = capsys.readouterr()
    if code:
        assert "OVER" in out and err.startswith("error: over budget:")
    else:
        assert out.strip().endswith("within budget")


def test_check_prints_each_figure_against_its_limit(capsys):
    main(["check", "--preset", "mobilenet_v2", "--max-macs", "300M", "--max-peak", "512KB", "--max-int8", "4MB"])
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "  OVER MACs                        300.8 M of    300.0 M (100.3%)  [300,774,272 / 300,000,000]"
    assert out[2].startswith("  ok   Weights int8 (flash)")
    assert out[3].startswith("  OVER Peak activations (RAM)")


def test_check_needs_a_limit_and_valid_amounts(capsys):
    assert main(["check", "--preset", "seed_cnn"]) == 1
    assert "give at least one limit" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["check", "--preset", "seed_cnn", "--max-macs", "lots"])
    assert info.value.code == 2


def test_budgets_are_keyed_by_metric_and_refuse_other_keys():
    assert [limit.key for limit in LIMITS] == [
        m.key
        for m in (
            metrics.MACS,
            metrics.PARAMS,
            metrics.WEIGHTS_INT8,
            metrics.PEAK,
            metrics.PEAK_INT8,
            metrics.PREDICTED_FP32,
            metrics.PREDICTED_INT8,
        )
    ]
    with pytest.raises(KeyError, match="no limit on int8"):
        Budget({"int8": 1})


def test_check_flags_set_the_limit_of_their_metric(capsys):
    # --max-int8 and --max-peak are the short names of the int8-weight and peak-activation metrics
    result = analyze(presets.build("seed_cnn"))
    int8, peak = metrics.WEIGHTS_INT8.read(result), metrics.PEAK.read(result)
    assert main(["check", "--preset", "seed_cnn", "--max-int8", str(int8), "--max-peak", str(peak)]) == 0
    assert main(["check", "--preset", "seed_cnn", "--max-int8", str(int8 - 1)]) == 1
    assert main(["check", "--preset", "seed_cnn", "--max-peak", str(peak - 1)]) == 1
    capsys.readouterr()


def test_a_budget_saved_under_the_short_names_reads_as_metric_keys():
    budget = Budget.saved({"int8": 1_000, "peak": 2_000, "macs": 3_000}, 96)
    assert budget.limits == {"weights_int8_bytes": 1_000, "peak_activation_bytes": 2_000, "macs": 3_000}
    assert budget.min_resolution == 96


def _stage_of(kind: str, **params) -> Design:
    blocks = [new_block(kind, f"b{i}", f"id{i}", **params) for i in range(3)]
    blocks += [new_block("GlobalAveragePooling2D", "pool", "p"), new_block("Dense", "out", "o", units=10)]
    return Design("stage", (32, 32, 3), 10, blocks)


def test_a_block_kind_that_declares_repeatable_scales_by_depth(monkeypatch):
    conv_bn = kinds.get("conv_bn")
    design = _stage_of("conv_bn", filters=16)
    assert not conv_bn.repeatable and not scaling.has_blocks(design)
    assert len(scaling.scale_depth(design, 2.0).blocks) == len(design.blocks)  # not a repeatable kind: kept
    monkeypatch.setattr(conv_bn, "repeatable", True)
    assert scaling.has_blocks(design)
    deeper = scaling.scale_depth(design, 2.0)
    assert [b.kind for b in deeper.blocks].count("conv_bn") == 6 and not analyze(deeper).errors


def test_every_stage_the_presets_stack_is_of_a_repeatable_kind():
    for name in presets.PRESETS:
        design = presets.build(name)
        for run in scaling.stages(design):
            if len(run) > 1:
                assert kinds.get(design.blocks[run[0]].kind).repeatable, (name, design.blocks[run[0]].kind)
