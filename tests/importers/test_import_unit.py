"""Importers without TensorFlow: ONNX models written with the helper API, Keras JSON
configs written by hand, opaque blocks, and the hostile-file catalogue with its messages."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import h5py
import numpy as np
import pytest

from lightdesign import cli
from lightdesign.analysis.network import analyze
from lightdesign.core.design import DesignError, from_json
from lightdesign.importers import ModelFileError, import_bytes
from lightdesign.importers.fold import fold
from lightdesign.output.codegen import generate

from . import onnx_models


def _flat(result):
    return [(b.kind, b.name) for b in result.design.blocks]


# -- ONNX --------------------------------------------------------------------------------------


def test_onnx_plain_cnn_channels_last_with_explicit_pads_and_ceil_mode():
    result = import_bytes(onnx_models.plain_cnn(), "plain.onnx")
    figures = analyze(result.design)
    assert not figures.errors and not result.unmapped
    assert result.design.input_shape == (32, 32, 3)
    # stem 3*3*3*16, two BatchNorms 4*16 + 4*32, conv 3*3*16*32, fc 32*10 + 10
    assert figures.params == 432 + 64 + 4608 + 128 + 330
    kinds_ = [b.kind for b in result.design.blocks]
    assert kinds_[:2] == ["ZeroPadding2D", "Conv2D"]  # symmetric pads of a stride-2 conv
    pool_pad = result.design.blocks[4]
    assert (pool_pad.kind, pool_pad.params) == ("ZeroPadding2D", dict(top=0, bottom=1, left=0, right=1))
    shapes = {r.name: r.shape for r in figures.rows}
    assert shapes["stem"] == (16, 16, 16) and shapes["pool"] == (8, 8, 16)  # ceil((16 - 3) / 2) + 1
    assert result.design.block_named("conv2").params["padding"] == "same"
    assert result.design.block_named("conv2_relu6").params["activation"] == "relu6"  # Clip(0, 6)
    assert figures.output_shape == (10,) and result.design.num_classes == 10


def test_onnx_residual_swish_and_matmul_bias():
    result = import_bytes(onnx_models.residual(), "res.onnx")
    figures = analyze(result.design)
    assert not figures.errors and not result.unmapped
    assert figures.params == 3 * (8 * 9 * 8 + 8) + 8 * 5 + 5
    add = result.design.block_named("add")
    assert add.kind == "Add" and add.input == "r1" and add.params["source"] == "c3"
    assert result.design.block_named("swish").params["activation"] == "swish"
    assert result.design.block_named("head").params["use_bias"] is True
    assert figures.output_shape == (5,)


def test_onnx_grouped_conv_and_channel_shuffle():
    result = import_bytes(onnx_models.shuffle_unit(), "shuffle.onnx")
    figures = analyze(result.design)
    assert not figures.errors and not result.unmapped
    assert [b.kind for b in result.design.blocks] == [
        "Conv2D",
        "ChannelShuffle",
        "DepthwiseConv2D",
        "ChannelSplit",
        "ChannelSplit",
        "Conv2D",
        "Concatenate",
    ]
    assert result.design.blocks[0].params["groups"] == 3 and result.design.blocks[1].params["groups"] == 3
    assert figures.params == (12 // 3) * 24 + 24 + 9 * 24 + 24 + 12 * 12 + 12
    assert figures.output_shape == (8, 8, 24)


def test_onnx_unknown_operator_becomes_an_opaque_block_that_keeps_the_totals():
    g = onnx_models.Graph((1, 4, 8, 8))
    x = g.conv("x", 4, 4, name="c1")
    x = g.node("LeakyRelu", [x], "leaky", alpha=0.1)
    g.conv(x, 4, 2, k=1, pad=0, name="c2")
    result = import_bytes(g.model(), "odd.onnx")
    figures = analyze(result.design)
    assert [(u.block, u.op) for u in result.unmapped] == [("leaky", "LeakyRelu")]
    assert "LeakyRelu has no LightDesign kind" in result.unmapped[0].reason
    assert figures.params == 4 * 9 * 4 + 4 + 4 * 2 + 2 and figures.output_shape == (8, 8, 2)
    with pytest.raises(DesignError, match=r"1 imported layer that LightDesign cannot express: 2 'leaky' \(LeakyRelu"):
        generate(result.design)


# -- Keras JSON ---------------------------------------------------------------------------------


def _layer(cls, name, inputs, **config):
    nodes = [[[i, 0, 0, {}] for i in inputs]] if inputs else []
    return {"class_name": cls, "name": name, "config": {"name": name, **config}, "inbound_nodes": nodes}


def keras2_json(extra=None):
    layers = [
        _layer("InputLayer", "in", [], batch_input_shape=[None, 16, 16, 3]),
        _layer(
            "Conv2D",
            "c1",
            ["in"],
            filters=8,
            kernel_size=[3, 3],
            strides=[1, 1],
            padding="same",
            activation="relu",
            use_bias=True,
        ),
        _layer("DepthwiseConv2D", "dw", ["c1"], kernel_size=[3, 3], strides=[2, 2], padding="same", use_bias=False),
        _layer("BatchNormalization", "bn", ["dw"], axis=-1),
        _layer("ReLU", "relu6", ["bn"], max_value=6.0),
        *(extra or []),
        _layer("GlobalAveragePooling2D", "gap", [(extra or [{"name": "relu6"}])[-1]["name"]]),
        _layer("Dense", "fc", ["gap"], units=4, activation="softmax"),
    ]
    return {
        "class_name": "Model",
        "config": {"name": "tiny", "layers": layers, "input_layers": [["in", 0, 0]], "output_layers": [["fc", 0, 0]]},
    }


def test_keras2_json_config_imports_with_the_counts_of_its_settings():
    result = import_bytes(json.dumps(keras2_json()).encode(), "tiny.json")
    figures = analyze(result.design)
    assert not figures.errors and result.weights is None
    assert figures.params == (3 * 9 * 8 + 8) + 9 * 8 + 4 * 8 + (8 * 4 + 4)
    assert result.design.block_named("relu6").params == {"activation": "relu6"}
    assert any("no weights" in note for note in result.notes)


def test_a_merge_of_three_inputs_is_chained():
    extra = [
        _layer("Conv2D", "a", ["relu6"], filters=8, kernel_size=1),
        _layer("Conv2D", "b", ["relu6"], filters=8, kernel_size=1),
        _layer("Concatenate", "cat", ["relu6", "a", "b"], axis=-1),
    ]
    result = import_bytes(json.dumps(keras2_json(extra)).encode(), "tiny.json")
    blocks = {b.name: b for b in result.design.blocks}
    assert blocks["cat_part1"].kind == "Concatenate" and blocks["cat_part1"].input == "relu6"
    assert blocks["cat"].input is None and blocks["cat"].params["source"] == "b"
    assert analyze(result.design).rows[-3].shape == (8, 8, 24)


def test_a_lambda_layer_is_refused_by_name_and_kept_opaque():
    extra = [_layer("Lambda", "evil", ["relu6"], function=["print('pwned')", None, None])]
    result = import_bytes(json.dumps(keras2_json(extra)).encode(), "evil.json")
    assert [(u.block, u.op) for u in result.unmapped] == [("evil", "Lambda")]
    assert result.unmapped[0].reason.startswith("a Lambda layer holds Python code, which LightDesign never runs")
    assert not analyze(result.design).errors


def test_custom_objects_are_never_loaded():
    extra = [_layer("Mystery", "mine", ["relu6"])]
    extra[0]["module"] = "evil.module"
    extra[0]["registered_name"] = "Custom>Mystery"
    result = import_bytes(json.dumps(keras2_json(extra)).encode(), "custom.json")
    assert "custom object 'Custom>Mystery'" in result.unmapped[0].reason


def _sequential(name, layers):
    inner = [{"class_name": cls, "config": {"name": n, **cfg}} for cls, n, cfg in layers]
    return {"class_name": "Sequential", "name": name, "config": {"name": name, "layers": inner}}


def test_a_nested_sequential_block_is_expanded_in_place():
    """Keras 2 JSON: a Sequential block used once expands into its layers (the one named
    like an outer layer takes its block's name); one used twice stays opaque with why."""
    conv = dict(filters=4, kernel_size=[1, 1], strides=[1, 1], padding="valid", activation="linear", use_bias=True)
    block = _sequential("blk", [("Conv2D", "c1", conv), ("ReLU", "r", {})])
    block["inbound_nodes"] = [[["relu6", 0, 0, {}]]]
    shared = _sequential("twice", [("Conv2D", "tw", dict(conv, kernel_size=[3, 3], padding="same"))])
    shared["inbound_nodes"] = [[["blk", 0, 0, {}]], [["twice", 0, 0, {}]]]
    config = keras2_json([block, shared])
    config["config"]["layers"][-2]["inbound_nodes"] = [[["twice", 1, 0, {}]]]
    result = import_bytes(json.dumps(config).encode(), "nested.json")
    assert _flat(result) == [
        ("Conv2D", "c1"),
        ("DepthwiseConv2D", "dw"),
        ("BatchNormalization", "bn"),
        ("Activation", "relu6"),
        ("Conv2D", "blk_c1"),  # the outer model has a c1
        ("Activation", "r"),
        ("Opaque", "twice"),
        ("Opaque", "twice_2"),
        ("GlobalAveragePooling2D", "gap"),
        ("Dense", "fc"),
    ]
    assert [u.reason for u in result.unmapped] == [
        "a nested model applied 2 times (its layers share their weights)"
    ] * 2
    figures = analyze(result.design)
    rows = {r.name: r for r in figures.rows}
    assert rows["blk_c1"].shape == (8, 8, 4) and figures.output_shape == (4,)
    # the shared block's figures come from it imported on its own (counted at each use)
    assert [(rows[n].shape, rows[n].params, rows[n].macs) for n in ("twice", "twice_2")] == [
        ((8, 8, 4), 4 * 9 * 4 + 4, 8 * 8 * 4 * 9 * 4)
    ] * 2
    assert figures.params == (3 * 9 * 8 + 8) + 9 * 8 + 4 * 8 + (8 * 4 + 4) + 2 * (4 * 9 * 4 + 4) + (4 * 4 + 4)


def test_folding_keeps_every_figure():
    from lightdesign.core import presets

    design = presets.build("mobilenet_v2", alpha=0.35, resolution=96)
    # flatten the preset by hand: each composite's primitives as blocks
    from tests.importers.flatten import flatten

    flat = flatten(design)
    folded, counts = fold(flat)
    assert counts == {"conv_bn": 2, "inverted_residual": 17}
    assert [b.kind for b in folded.blocks] == [b.kind for b in design.blocks]
    before, after = analyze(flat), analyze(folded)
    assert (before.params, before.macs, before.flops) == (after.params, after.macs, after.flops)


# -- hostile files -------------------------------------------------------------------------------


def _keras_zip(config: bytes, compress=zipfile.ZIP_STORED, extra: dict | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as z:
        z.writestr("config.json", config)
        z.writestr("metadata.json", "{}")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def _h5(build) -> bytes:
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        build(f)
    return buf.getvalue()


HOSTILE = {
    "not a model": (
        b"hello, I am a text file",
        "notes.txt",
        "not a model file: LightDesign imports .keras, .h5, Keras JSON (.json), .tflite or .onnx",
    ),
    "empty": (b"", "x.keras", "the file is empty: not a model file"),
    "truncated zip": (
        lambda: _keras_zip(json.dumps(keras2_json()).encode())[:200],
        "m.keras",
        "the .keras file is not a complete zip archive (truncated or damaged)",
    ),
    "zip bomb": (
        lambda: _keras_zip(
            json.dumps(keras2_json()).encode(), zipfile.ZIP_DEFLATED, {"model.weights.h5": b"\0" * (8 * 1024 * 1024)}
        ),
        "bomb.keras",
        "refused as a zip bomb",
    ),
    "zip without config": (
        lambda: _keras_zip(b"{}")[:0] + _zip_without_config(),
        "w.keras",
        "the .keras archive has no config.json: not a Keras model",
    ),
    "truncated flatbuffer": (
        b"\x1c\x00\x00\x00TFL3" + b"\x00" * 8,
        "m.tflite",
        "the .tflite file is truncated or damaged (an offset points outside the file)",
    ),
    "truncated protobuf": (
        lambda: onnx_models.plain_cnn()[:300],
        "m.onnx",
        "the .onnx file is not a complete ONNX model (truncated or damaged protobuf)",
    ),
    "unsupported opset": (
        lambda: _onnx_opset(3),
        "old.onnx",
        "ONNX opset 3 is not supported; LightDesign reads opsets 7 to 23",
    ),
    "dynamic shape": (
        lambda: _onnx_dynamic(),
        "dyn.onnx",
        "the model input has no fixed shape (3, ?, ?); give the input shape (channels last), e.g. 224,224,3",
    ),
    "external link": (
        lambda: _h5_external(),
        "ext.h5",
        "the HDF5 file links to another file ('/etc/passwd'): external links are refused",
    ),
    "h5 weights only": (
        lambda: _h5(lambda f: f.create_dataset("w", data=np.zeros(3))),
        "w.h5",
        "the .h5 file holds no model_config: it has weights only, not a Keras model",
    ),
    "keras json not a model": (
        b'{"class_name": "Dense", "config": {}}',
        "d.json",
        "the config describes a 'Dense', not a Keras Functional or Sequential model",
    ),
    "deep json": (b"[" * 100000 + b"]" * 100000, "deep.json", "the Keras config is nested too deeply"),
    # 250 models each applied twice (opaque, each imported on its own for its figures): a
    # RecursionError before; and 20 models each applied once (expanded in place)
    "models nested in models applied twice": (
        lambda: _nested_models(250, calls=2),
        "deep.json",
        "the model nests models inside models more than 16 levels deep; LightDesign imports at most 16",
    ),
    "models nested in models": (
        lambda: _nested_models(20, calls=1),
        "deep.json",
        "the model nests models inside models more than 16 levels deep; LightDesign imports at most 16",
    ),
}


def _nested_models(levels: int, calls: int) -> bytes:
    """Keras JSON of a Dense inside ``levels`` functional models, each applying the one
    inside it ``calls`` times."""

    def tensor(name, node):
        return {"class_name": "__keras_tensor__", "config": {"shape": [None, 4], "keras_history": [name, node, 0]}}

    model = {"module": "keras.layers", "class_name": "Dense", "name": "d", "config": {"name": "d", "units": 4}}
    for level in range(levels):
        name = model["name"]
        nodes = [{"args": [tensor("in" if k == 0 else name, 0)], "kwargs": {}} for k in range(calls)]
        inputs = {"class_name": "InputLayer", "name": "in", "config": {"batch_shape": [None, 4], "name": "in"}}
        config = {
            "name": f"m{level}",
            "layers": [{**inputs, "inbound_nodes": []}, {**model, "inbound_nodes": nodes}],
            "input_layers": [["in", 0, 0]],
            "output_layers": [[name, calls - 1, 0]],
        }
        model = {"module": "keras", "class_name": "Functional", "name": f"m{level}", "config": config}
    return json.dumps({"module": "keras", "class_name": "Functional", "config": model["config"]}).encode()


def test_models_nested_up_to_the_limit_import():
    for calls in (1, 2):
        result = import_bytes(_nested_models(16, calls), "deep.json")
        assert analyze(result.design).output_shape == (4,)


def test_a_recursion_error_in_an_importer_is_one_line(monkeypatch):
    """The importers bound their recursion; a RecursionError past them is still one line."""
    from lightdesign.importers.keras import mapper

    def deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(mapper, "convert", deep)
    with pytest.raises(ModelFileError, match="^the model file is nested too deeply to be read") as caught:
        import_bytes(json.dumps(keras2_json()).encode(), "m.json")
    assert "\n" not in str(caught.value)


def _zip_without_config() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("model.weights.h5", b"x")
    return buf.getvalue()


def _onnx_opset(opset: int) -> bytes:
    g = onnx_models.Graph(opset=opset)
    g.node("Relu", ["x"], "relu")
    return g.model()


def _onnx_dynamic() -> bytes:
    g = onnx_models.Graph(shape=("batch", 3, "height", "width"))
    g.node("Relu", ["x"], "relu")
    return g.model()


def _h5_external() -> bytes:
    def build(f):
        f.attrs["model_config"] = json.dumps(keras2_json())
        f.create_group("model_weights")
        f["model_weights/c1"] = h5py.ExternalLink("/etc/passwd", "/secret")

    return _h5(build)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_get_one_line_messages(case):
    data, name, message = HOSTILE[case]
    data = data() if callable(data) else data
    with pytest.raises(ModelFileError) as caught:
        import_bytes(data, name)
    text = str(caught.value)
    assert message in text and "\n" not in text


def _onnx_with_bytes(marker: bytes) -> bytes:
    """A small ONNX model whose text field holding ``marker`` starts with two bytes that are
    not UTF-8 (the length is unchanged, so the protobuf stays well formed)."""
    g = onnx_models.Graph()
    x = g.conv("x", 3, 8, name="Q1conv")
    x = g.node("Z2op", [x], "W3relu", Y4alpha=0.1)
    return g.model().replace(marker, b"\xff\xfe" + marker[2:])


# the text field each marker sits in, as the message names it
MALFORMED_NAMES = {
    b"Z2op": "model.graph.node[1].op_type",
    b"W3relu": "model.graph.node[1].output[0]",
    b"Q1conv.w": "model.graph.node[0].input[1]",
    b"Y4alpha": "model.graph.node[1].attribute[0].name",
}


@pytest.mark.parametrize("marker", sorted(MALFORMED_NAMES), ids=lambda m: MALFORMED_NAMES[m])
def test_a_name_that_is_not_utf8_is_one_line(marker):
    data = _onnx_with_bytes(marker)
    with pytest.raises(ModelFileError) as caught:
        import_bytes(data, "m.onnx")
    shown = ("\ufffd\ufffd" + marker[2:].decode())[:60]
    assert str(caught.value) == (
        f"the .onnx file is damaged: {MALFORMED_NAMES[marker]} ({shown!r}) is not UTF-8 text, as ONNX requires"
    )


def test_the_cli_says_a_malformed_operator_name_in_one_line(tmp_path):
    model = tmp_path / "bad.onnx"
    model.write_bytes(_onnx_with_bytes(b"Z2op"))
    done = subprocess.run(
        [sys.executable, "-m", "lightdesign", "import", str(model)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        "error: bad.onnx: the .onnx file is damaged: model.graph.node[1].op_type ('\ufffd\ufffdop') is not UTF-8 text,"
        " as ONNX requires"
    )


def test_size_cap_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("LIGHTDESIGN_MAX_MODEL_MB", "0.01")
    with pytest.raises(
        ModelFileError, match=r"the model file is 0.0 MB; the limit is 0 MB \(LIGHTDESIGN_MAX_MODEL_MB\)|limit is"
    ):
        import_bytes(b"x" * 20000, "big.onnx")


def test_layer_count_cap():
    layers = [_layer("InputLayer", "in", [], batch_input_shape=[None, 4])]
    for i in range(1001):
        layers.append(_layer("Dropout", f"d{i}", [layers[-1]["name"]], rate=0.1))
    config = {
        "class_name": "Model",
        "config": {
            "name": "long",
            "layers": layers,
            "input_layers": [["in", 0, 0]],
            "output_layers": [[layers[-1]["name"], 0, 0]],
        },
    }
    with pytest.raises(ModelFileError, match="the model has 1,001 layers; at most 1,000 can be imported"):
        import_bytes(json.dumps(config).encode(), "long.json")


def test_reading_a_model_never_imports_tensorflow():
    code = (
        "import sys\n"
        "from lightdesign.importers import import_bytes\n"
        "from tests.importers import onnx_models\n"
        "import_bytes(onnx_models.plain_cnn(), 'm.onnx')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'torch')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- command line --------------------------------------------------------------------------------


def test_cli_import_writes_a_design_and_lists_opaque_layers(tmp_path, capsys):
    model = tmp_path / "odd.onnx"
    g = onnx_models.Graph((1, 4, 8, 8))
    g.node("LeakyRelu", [g.conv("x", 4, 4, name="c1")], "leaky", alpha=0.1)
    model.write_bytes(g.model())
    out = tmp_path / "design.json"
    assert cli.main(["import", str(model), "-o", str(out)]) == 0
    design = from_json(out.read_text())
    assert [b.kind for b in design.blocks] == ["Conv2D", "Opaque"]
    printed = capsys.readouterr().out
    assert "imported odd.onnx (onnx): 2 layers -> 2 blocks, 148 params" in printed
    assert "opaque: leaky (LeakyRelu): the operator LeakyRelu has no LightDesign kind" in printed


def test_cli_analyze_and_check_accept_a_model_file(tmp_path, capsys):
    model = tmp_path / "plain.onnx"
    model.write_bytes(onnx_models.plain_cnn())
    assert cli.main(["analyze", str(model)]) == 0
    assert "params      5,562" in capsys.readouterr().out
    assert cli.main(["check", str(model), "--max-params", "5k"]) == 1
    dynamic = tmp_path / "dyn.onnx"
    dynamic.write_bytes(_onnx_dynamic())
    assert cli.main(["analyze", str(dynamic)]) == 1
    assert "give the input shape" in capsys.readouterr().err
    assert cli.main(["analyze", str(dynamic), "--input-shape", "8,8,3"]) == 0


def test_weight_plan_names_the_layers_that_keep_their_weights():
    from lightdesign.importers.weights import plan

    result = import_bytes(onnx_models.residual(), "res.onnx")
    weights = {
        "c1": [(8, 8, 3, 3), (8,)],
        "c2": [(8, 8, 3, 3), (8,)],
        "c3": [(8, 8, 3, 3), (8,)],
        "head": [(8, 5), (5,)],
    }
    assert plan(result.design, weights).unchanged
    edited = result.design.copy()
    edited.block_named("head").params["units"] = 7
    assert plan(edited, weights).fresh == ["head"]


def test_a_flat_float_input_keeps_its_counts_but_lends_no_weights():
    """Designs read a one-axis input as token ids; the file's float features would be
    truncated, so its weights are not lent (they would give other numbers)."""
    g = onnx_models.Graph(shape=(1, 8))
    w, b = g.init("fc.w", (4, 8)), g.init("fc.b", (4,))
    g.node("Gemm", ["x", w, b], "fc", transB=1)
    result = import_bytes(g.model([1, 4]), "mlp.onnx")
    assert analyze(result.design).params == 8 * 4 + 4  # counted exactly
    assert result.weights is None and any("floating-point features" in n for n in result.notes)
    # token ids into an embedding still lend theirs
    g = onnx_models.Graph()
    g.input = onnx_models.helper.make_tensor_value_info("x", onnx_models.TensorProto.INT64, [1, 6])
    table = g.init("emb.w", (50, 8))
    g.node("Gather", [table, "x"], "emb")
    result = import_bytes(g.model([1, 6, 8]), "tokens.onnx")
    assert result.weights and not any("floating-point" in n for n in result.notes)
