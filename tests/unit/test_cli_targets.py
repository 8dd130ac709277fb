"""``targets``, ``check --target`` and ``export`` on the command line (the conversions
themselves are tested in tests/keras/test_mcu_bundle.py)."""

import dataclasses

from lightdesign.analysis import fit, targets
from lightdesign.analysis.network import analyze
from lightdesign.cli import main
from lightdesign.core import presets


def test_targets_lists_every_target_with_its_memory(capsys):
    assert main(["targets"]) == 0
    out = capsys.readouterr().out
    for target in targets.TARGETS:
        assert target.id in out
    assert "256.0 KB" in out and "storage" in out
    assert main(["targets", "--sources", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "content/hardware/03.nano/boards/nano-33-ble-sense/tech-specs.yml" in out and "存储" in out


def test_check_target_exits_0_when_it_fits_and_prints_each_figure_against_the_limit(capsys):
    assert main(["check", "--preset", "seed_cnn", "--target", "nano33ble"]) == 0
    out = capsys.readouterr().out
    footprint = fit.footprint(analyze(presets.build("seed_cnn")))
    assert "seed_cnn -> Arduino Nano 33 BLE Sense (nRF52840): fits" in out
    assert f"[{footprint.ram:,} / {256 * 1024:,}]" in out and f"[{footprint.flash:,} / {1024 * 1024:,}]" in out
    assert "arena: activations (planned buffers)" in out and "kernel code of the operators used" in out


def test_check_target_exits_1_when_it_does_not_fit_naming_what_blocks(capsys):
    args = ["check", "--preset", "mobilenet_v2", "--alpha", "0.35", "--resolution", "96", "--target", "nucleo_f401re"]
    assert main(args) == 1
    captured = capsys.readouterr()
    assert ": does not fit" in captured.out and "OVER RAM" in captured.out and "blocked by flash" in captured.out
    assert "error: does not fit nucleo_f401re" in captured.err
    assert main([*args, "--lang", "zh"]) == 1
    assert "放不下" in capsys.readouterr().out


def test_check_target_with_a_budget_checks_both(capsys):
    assert main(["check", "--preset", "seed_cnn", "--target", "nano33ble", "--max-macs", "1K"]) == 1
    assert "over budget: MACs" in capsys.readouterr().err
    big = ["--preset", "mobilenet_v2", "--alpha", "0.35", "--resolution", "96"]
    assert main(["check", *big, "--target", "nucleo_f401re", "--max-macs", "1G"]) == 1
    captured = capsys.readouterr()
    assert "ok   MACs" in captured.out and "over budget: nucleo_f401re" in captured.err


def test_check_target_refuses_an_unknown_target(capsys):
    assert main(["check", "--preset", "seed_cnn", "--target", "uno"]) == 1
    assert "error: unknown target 'uno'; valid: nano33ble" in capsys.readouterr().err


def test_a_recurrent_design_does_not_fit_and_says_what_to_use_instead(capsys):
    assert main(["check", "--preset", "text_rnn", "--target", "phone"]) == 1
    out = capsys.readouterr().out
    assert "lstm: no TFLite Micro kernel: LSTM" in out and "Conv1D stack" in out


def test_export_py_writes_the_keras_code_without_tensorflow(tmp_path, capsys):
    out = tmp_path / "model.py"
    assert main(["export", "--preset", "seed_cnn", "--format", "py", "-o", str(out)]) == 0
    assert "def build_model" in out.read_text()


def test_export_of_a_binary_format_needs_an_output_file(capsys):
    assert main(["export", "--preset", "seed_cnn", "--format", "tflite-int8"]) == 1
    assert "give it with -o FILE" in capsys.readouterr().err
    assert (
        main(["export", "--preset", "seed_cnn", "--format", "mcu-bundle", "-o", "x.zip", "--class-names", "a,b"]) == 1
    )
    assert "--class-names gives 2 names; the design has 10 classes" in capsys.readouterr().err


def test_a_design_too_big_for_the_target_is_reported_by_the_memory_most_over():
    result = analyze(presets.build("seed_cnn"))
    footprint = fit.footprint(result)
    tight = dataclasses.replace(targets.get("nano33ble"), sram=footprint.ram + 1, flash=footprint.flash - 1)
    assert fit.check(footprint, tight).blocking is fit.Memory.FLASH


def test_check_target_all_counts_the_targets_it_fits(capsys):
    assert main(["check", "--preset", "seed_cnn", "--target", "all"]) == 0
    out = capsys.readouterr().out
    fits = fit.count_fitting(fit.check_all(fit.footprint(analyze(presets.build("seed_cnn"))), targets.TARGETS))
    assert f"fits {fits[0]} of {len(targets.TARGETS)} targets" in out
    assert out.count("\n  ok   ") + out.count("\n  OVER ") == len(targets.TARGETS)
    assert main(["check", "--preset", "text_rnn", "--target", "all", "--lang", "zh"]) == 1
    assert f"可部署到 {len(targets.TARGETS)} 个目标中的 0 个" in capsys.readouterr().out


def test_check_target_basis_says_how_each_figure_was_found(capsys):
    assert main(["check", "--preset", "seed_cnn", "--target", "pico", "--basis"]) == 0
    out = capsys.readouterr().out
    assert "TFLite Micro's greedy memory planner" in out and "Cortex-M4 build" in out
