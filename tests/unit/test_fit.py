"""Will it fit: the parts of RAM and flash add up, measured figures replace estimates, the
verdict against a target and its margin, a target as a budget and in the scaling search."""

import dataclasses

import pytest

from lightdesign.analysis import fit, targets
from lightdesign.analysis.fit import Measured, Memory
from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.explore import scaling
from lightdesign.explore.budget import Budget


@pytest.fixture(scope="module")
def seed():
    return analyze(presets.build("seed_cnn"))


def test_ram_and_flash_are_the_sums_of_their_parts(seed):
    footprint = fit.footprint(seed)
    ram = [p for p in footprint.parts if p.memory is Memory.RAM]
    flash = [p for p in footprint.parts if p.memory is Memory.FLASH]
    assert {p.key for p in ram} == {"activations", "persistent", "interpreter", "io"}
    assert {p.key for p in flash} == {"model", "kernels", "runtime"}
    assert footprint.ram == sum(p.bytes for p in ram) and footprint.flash == sum(p.bytes for p in flash)
    assert footprint.part("activations").bytes == seed.deployment.arena == seed.peak_activation_bytes_int8
    assert footprint.part("io").bytes == 0  # TFLite Micro keeps input and output in the arena
    assert footprint.operators == tuple(sorted({op.kind for op in seed.deployment.ops}))
    assert not any(p.measured for p in footprint.parts)


def test_flash_counts_more_than_the_weights_and_ram_more_than_the_activations(seed):
    footprint = fit.footprint(seed)
    assert footprint.part("model").bytes > seed.weight_bytes["int8"]
    assert footprint.part("kernels").bytes > 0 and footprint.part("runtime").bytes > 0
    assert footprint.ram > seed.peak_activation_bytes_int8
    assert footprint.part("persistent").bytes < fit.persistent_bytes(seed, fit.HOST_64)  # 32-bit pointers


def test_measured_figures_replace_the_estimates(seed):
    footprint = fit.footprint(seed, Measured(flatbuffer=233_320, arena_head=27_040))
    assert (footprint.part("model").bytes, footprint.part("model").measured) == (233_320, True)
    assert (footprint.part("activations").bytes, footprint.part("activations").measured) == (27_040, True)
    assert footprint.part("model").basis == "fit.basis.model_measured"
    assert not footprint.part("persistent").measured


def _board(ram: int, flash: int | None) -> targets.Target:
    return dataclasses.replace(targets.get("nano33ble"), sram=ram, flash=flash)


def test_the_margin_is_what_is_left_and_the_blocking_memory_is_the_one_most_over(seed):
    footprint = fit.footprint(seed)
    exact = fit.check(footprint, _board(footprint.ram, footprint.flash))
    assert exact.fits and exact.margins == {Memory.RAM: 0, Memory.FLASH: 0} and exact.blocking is None
    short = fit.check(footprint, _board(footprint.ram - 1, footprint.flash + 10))
    assert not short.fits and short.margins[Memory.RAM] == -1 and short.blocking is Memory.RAM
    both = fit.check(footprint, _board(footprint.ram - 1, footprint.flash - 1000))
    assert both.blocking is Memory.FLASH
    computer = fit.check(footprint, targets.get("rpi4"))
    assert computer.fits and computer.margins[Memory.FLASH] is None and computer.share(Memory.FLASH) is None


def test_the_count_of_targets_it_fits(seed):
    fits = fit.check_all(fit.footprint(seed), targets.TARGETS)
    assert fit.count_fitting(fits) == (sum(f.fits for f in fits), len(targets.TARGETS))
    big = fit.check_all(fit.footprint(analyze(presets.build("mobilenet_v2"))), targets.TARGETS)
    assert fit.count_fitting(big)[0] < fit.count_fitting(fits)[0]


def test_a_target_sets_a_budget(seed):
    footprint = fit.footprint(seed)
    assert Budget(target=_board(footprint.ram, footprint.flash)).fits(seed)
    assert not Budget(target=_board(footprint.ram - 1, footprint.flash)).fits(seed)
    assert Budget(target=targets.get("nano33ble")).active
    lstm = analyze(presets.build("text_rnn"))
    assert not Budget(target=targets.get("phone")).fits(lstm)  # no int8 TFLite Micro lowering


def test_the_scaling_search_finds_the_largest_width_and_resolution_that_fit_a_target():
    design = presets.build("mobilenet_v2", classes=10)
    target = targets.get("f746g_disco")  # 320 KB SRAM, 1 MB flash: some variants fit, others not
    budget = Budget(target=target)
    grid = scaling.width_resolution_grid(design, budget, alphas=(0.35, 0.5, 0.75), sides=(96, 128, 160))
    best = scaling.largest_fit(grid)
    fitting = [p for row in grid for p in row if p.fits]
    assert best is not None and 0 < len(fitting) < 9
    for point in fitting:
        variant = scaling.variant(design, scaling.WIDTH_RESOLUTION, point.x, point.y)
        assert fit.check(fit.footprint(analyze(variant)), target).fits
    for point in (p for row in grid for p in row if not p.fits):
        variant = scaling.variant(design, scaling.WIDTH_RESOLUTION, point.x, point.y)
        assert not fit.check(fit.footprint(analyze(variant)), target).fits
    assert best.value(scaling.metrics.MACS) == max(p.value(scaling.metrics.MACS) for p in fitting)


def test_the_readme_table_is_what_the_fit_says():
    from pathlib import Path

    from bench.fit_table import rows

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "\n".join(rows()) in readme


@pytest.mark.parametrize(
    ("operators", "linked"),
    [  # firmware linking these kernels together (python -m bench.tflm_code_size --together, Cortex-M4)
        (("CONV_2D", "MAX_POOL_2D", "SHAPE", "STRIDED_SLICE", "PACK", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"), 39_520),
        (("ADD", "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "MEAN", "SOFTMAX"), 40_468),
    ],
)
def test_the_kernels_of_a_model_are_within_ten_percent_of_them_linked_together(operators, linked):
    assert fit.kernel_bytes(operators) == pytest.approx(linked, rel=0.10)
    assert fit.kernel_bytes(("CONV_2D",)) == fit.KERNEL_CODE["CONV_2D"]
