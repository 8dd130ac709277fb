"""The microcontroller bundle's text: the C array holds exactly the model's bytes, the
resolver exactly its operators, the arena constant the measured arena plus the margin."""

import io
import json
import re
import zipfile

import pytest

from lightdesign.output import mcu_bundle
from lightdesign.output.mcu_bundle import BundleSpec, TensorInfo


def spec(**changes) -> BundleSpec:
    model = bytes(range(256)) * 3 + b"\x00\x01\x02"
    values = dict(
        name="seed cnn/v2",
        model=model,
        operators=("CONV_2D", "MAX_POOL_2D", "FULLY_CONNECTED", "RELU6", "STRIDED_SLICE"),
        arena_measured=31_696,
        input=TensorInfo((1, 28, 28, 1), "int8", 0.003921, -128),
        output=TensorInfo((1, 3), "int8", 0.00390625, -128),
        class_names=("cat", 'say "hi"', "dog"),
        test_input=tuple(range(-128, 128)) * 3 + (0,) * 16,
        expected_output=(-128, 100, -3),
        test_input_source="the first of 100 generated images",
    )
    return BundleSpec(**{**values, **changes})


def c_array_bytes(source: str) -> bytes:
    """The bytes of the C array in ``source``, read independently of the writer."""
    body = source[source.index("{") + 1 : source.index("};")]
    return bytes(int(token, 16) for token in re.findall(r"0x([0-9a-f]{2})", body))


def test_the_c_array_decodes_to_exactly_the_model_bytes():
    s = spec()
    source = mcu_bundle.model_data_cc(s.model)
    assert c_array_bytes(source) == s.model
    assert "alignas(16) const unsigned char g_model_data[]" in source
    assert f"const unsigned int g_model_data_len = {len(s.model)};" in source


def test_the_resolver_registers_exactly_the_models_operators():
    s = spec()
    header = mcu_bundle.model_ops_h(s.operators)
    assert re.findall(r"resolver\.(Add\w+)\(\)", header) == [
        "AddConv2D",
        "AddMaxPool2D",
        "AddFullyConnected",
        "AddRelu6",
        "AddStridedSlice",
    ]
    assert f"constexpr int kOperatorCount = {len(s.operators)};" in header


@pytest.mark.parametrize(
    ("operator", "method"),
    [
        ("DEPTHWISE_CONV_2D", "AddDepthwiseConv2D"),
        ("AVERAGE_POOL_2D", "AddAveragePool2D"),
        ("HARD_SWISH", "AddHardSwish"),
        ("BATCH_TO_SPACE_ND", "AddBatchToSpaceNd"),
        ("SELECT_V2", "AddSelectV2"),
        ("REDUCE_MAX", "AddReduceMax"),
        ("UNIDIRECTIONAL_SEQUENCE_LSTM", "AddUnidirectionalSequenceLSTM"),
    ],
)
def test_resolver_methods_are_tflite_micros_names(operator, method):
    assert mcu_bundle.resolver_method(operator) == method


def test_the_arena_constant_is_the_measured_arena_plus_the_margin_aligned():
    s = spec()
    assert s.arena >= s.arena_measured * (1 + mcu_bundle.ARENA_MARGIN)
    assert s.arena % 16 == 0 and s.arena - s.arena_measured * 1.1 < 16
    assert f"constexpr int kTensorArenaSize = {s.arena};" in mcu_bundle.model_settings_h(s)
    assert mcu_bundle.arena_size(1000, 0.0) == 1008


def test_settings_carry_shapes_quantization_classes_and_the_test_case():
    s = spec()
    header, source = mcu_bundle.model_settings_h(s), mcu_bundle.model_settings_cc(s)
    assert "constexpr int kInputDims[] = {1, 28, 28, 1};" in header and "kInputSize = 784;" in header
    assert "kOutputZeroPoint = -128;" in header and "kExpectedClass = 1;" in header
    assert '"say \\"hi\\""' in source
    expected = source[source.index("g_expected_output[] = {") :]
    assert re.findall(r"-?\d+", expected[: expected.index("};")]) == ["-128", "100", "-3"]


def test_the_zip_holds_the_sources_the_host_program_the_sketch_and_a_readme():
    s = spec()
    archive = zipfile.ZipFile(io.BytesIO(mcu_bundle.write_zip(s)))
    names = set(archive.namelist())
    folder = "seed_cnn_v2_mcu/"
    for name in ("model_data.cc", "model_data.h", "model_ops.h", "model_settings.h", "main.cc", "README.md"):
        assert folder + name in names
    assert folder + "arduino/seed_cnn_v2/seed_cnn_v2.ino" in names
    assert folder + "arduino/seed_cnn_v2/model_data.cpp" in names
    assert c_array_bytes(archive.read(folder + "arduino/seed_cnn_v2/model_data.cpp").decode()) == s.model
    facts = json.loads(archive.read(folder + "bundle.json"))
    assert facts["operators"] == list(s.operators) and facts["arena"] == s.arena and facts["expected_class"] == 1
    assert "model" not in facts and facts["model_bytes"] == len(s.model)
    readme = archive.read(folder + "README.md").decode()
    assert f"{s.arena:,} bytes" in readme and "CONV_2D" in readme
    main = archive.read(folder + "main.cc").decode()
    assert "RegisterModelOps(resolver)" in main and "kTensorArenaSize" in main
