"""Operator support: the operator lists come from the installed tflite-micro package, each
layer is checked against them, and a kind with no kernel names its alternative."""

import pytest

from lightdesign.analysis import support, tflite_operators
from lightdesign.analysis.network import analyze
from lightdesign.catalog import CATALOG
from lightdesign.core import presets


def test_the_operator_lists_are_those_of_the_installed_tflite_micro_package():
    pytest.importorskip("tflite_micro", reason="needs the tflite-micro package (requirements.txt)")
    from lightdesign.jobs import operators

    assert tflite_operators.BUILTIN == operators.builtin_operators()
    assert tflite_operators.MICRO == operators.micro_kernels()
    assert tflite_operators.MICRO <= tflite_operators.BUILTIN
    assert {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "HARD_SWISH"} <= tflite_operators.MICRO
    assert "LSTM" in tflite_operators.BUILTIN and "LSTM" not in tflite_operators.MICRO


def test_every_layer_lists_the_operators_it_becomes():
    result = analyze(presets.build("seed_cnn"))
    layers = {layer.layer: layer for layer in support.operator_support(result)}
    assert set(layers) == {row.name for row in result.rows[1:]}
    assert layers["conv1"].operators == ("CONV_2D",)
    assert layers["flatten"].operators == ("SHAPE", "STRIDED_SLICE", "PACK", "RESHAPE")
    assert all(layer.ok for layer in layers.values())
    assert support.unsupported_operators(result) == []


EMBEDDING = ("embedding", ("SELECT_V2 (int32)",), "deploy.alt.embedding")


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_each_preset_without_tokens_runs_on_tflite_micro_kernels(name):
    problems = support.unsupported_operators(analyze(presets.build(name)))
    found = [(p.layer, p.no_micro_kernel, p.alternative) for p in problems]
    if name == "text_rnn":
        assert found == [EMBEDDING, ("lstm", ("LSTM",), "deploy.alt.recurrent")]
        assert "Conv1D" in CATALOG["deploy.alt.recurrent"]["en"]
    elif name == "text_cnn":  # the embedding wraps negative ids with an int32 SELECT_V2
        assert found == [EMBEDDING]
    else:
        assert problems == []


def test_a_converted_files_operators_are_checked_against_the_prediction():
    result = analyze(presets.build("seed_cnn"))
    found = ("SOFTMAX", "CONV_2D", "MAX_POOL_2D", "SHAPE", "STRIDED_SLICE", "PACK", "RESHAPE", "FULLY_CONNECTED")
    same = support.check_converted(result, found)
    assert same.agrees and same.predicted == tuple(sorted(found))
    other = support.check_converted(result, (*found, "DEQUANTIZE"))
    assert not other.agrees and "DEQUANTIZE" in other.found and "DEQUANTIZE" not in other.predicted
