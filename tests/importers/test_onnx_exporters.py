"""What PyTorch's exporters write besides the plain operators, built by hand so they run
without PyTorch: biases behind Identity nodes, shape arithmetic on static shapes, zero
biases made at run time, weights in external data files, settings that are no weights.
Each figure is checked against arithmetic done here."""

import numpy as np
import onnx
import pytest
from onnx import TensorProto, numpy_helper

from lightdesign.analysis.network import analyze
from lightdesign.importers import ModelFileError, import_bytes, import_file

from .onnx_models import Graph


def _bias_behind_identity() -> bytes:
    """One conv (3 -> 4 channels, 3x3, pad 1, on 8x8) whose bias reaches it through an
    Identity, as the TorchScript exporter feeds a de-duplicated zero bias."""
    g = Graph((1, 3, 8, 8))
    w = g.init("w", (4, 3, 3, 3))
    g.inits.append(numpy_helper.from_array(np.zeros(4, np.float32), "shared_zeros"))
    bias = g.node("Identity", ["shared_zeros"], "bias_identity")
    g.node("Conv", ["x", w, bias], "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    return g.model()


def test_a_bias_behind_an_identity_is_the_convs_bias():
    result = import_bytes(_bias_behind_identity(), "one_conv.onnx")
    figures = analyze(result.design)
    assert not result.unmapped
    assert figures.params == 4 * 3 * 3 * 3 + 4  # 112
    assert figures.macs == 8 * 8 * 4 * 3 * 3 * 3  # 6,912
    assert not figures.incomplete


def _shuffle_from_shapes() -> bytes:
    """ShuffleNetV2's channel shuffle as TorchScript writes it: the view's target computed
    from ``x.size()`` at run time (Shape, Gather, Div, Unsqueeze, Concat), then a conv."""
    g = Graph((1, 8, 6, 6))
    x = g.conv("x", 8, 8, k=1, pad=0, name="c1")
    shape = g.node("Shape", [x], "shape")
    dims = [g.node("Gather", [shape, g.const(f"i{k}", k)], f"dim{k}", axis=0) for k in range(4)]
    per_group = g.node("Div", [dims[1], g.const("groups", 2)], "per_group")
    parts = [g.node("Unsqueeze", [d, g.const(f"ax{k}", [0])], f"u{k}") for k, d in enumerate([dims[0], per_group])]
    target = g.node("Concat", [parts[0], g.const("two", [2]), parts[1], g.const("hw", [6, 6])], "target", axis=0)
    y = g.node("Reshape", [x, target], "view")
    y = g.node("Transpose", [y], "swap", perm=[0, 2, 1, 3, 4])
    back = g.node("Concat", [parts[0], g.const("minus", [-1]), g.const("hw2", [6, 6])], "target2", axis=0)
    y = g.node("Reshape", [y, back], "flat")
    g.conv(y, 8, 16, k=3, stride=2, pad=1, name="c2")
    return g.model()


def test_shape_arithmetic_on_static_shapes_folds_into_a_channel_shuffle():
    result = import_bytes(_shuffle_from_shapes(), "shuffle.onnx")
    figures = analyze(result.design)
    assert not result.unmapped
    assert [b.kind for b in result.design.blocks] == ["Conv2D", "ChannelShuffle", "ZeroPadding2D", "Conv2D"]
    assert result.design.blocks[1].params["groups"] == 2
    assert figures.output_shape == (3, 3, 16)  # (6 + 2 - 3) // 2 + 1
    assert figures.macs == 6 * 6 * 8 * 8 + 3 * 3 * 16 * 8 * 9
    assert figures.params == (8 * 8 + 8) + (16 * 8 * 9 + 16)


def _computed_zero_bias() -> bytes:
    """The dynamo exporter without its optimizer: a conv without a bias gets zeros made at
    run time, Expand(CastLike(0, x), Shape(weight)[0:1])."""
    g = Graph((1, 3, 8, 8))
    w = g.init("w", (4, 3, 3, 3))
    count = g.node("Shape", [w], "count", start=0, end=1)
    zero = g.node("CastLike", [g.const("zero", 0.0, np.float64), "x"], "zero")
    bias = g.node("Expand", [zero, count], "zeros")
    g.node("Conv", ["x", w, bias], "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    return g.model()


def test_a_zero_bias_made_at_run_time_is_no_weight():
    result = import_bytes(_computed_zero_bias(), "zero_bias.onnx")
    figures = analyze(result.design)
    assert not result.unmapped
    assert result.design.blocks[-1].params["use_bias"] is False
    assert figures.params == 4 * 3 * 3 * 3
    assert figures.macs == 8 * 8 * 4 * 27


def test_an_upsample_scales_constant_is_no_parameter():
    g = Graph((1, 3, 8, 8), opset=9)
    x = g.conv("x", 3, 4, name="c1")
    g.node("Upsample", [x, g.const("scales", [1.0, 1.0, 2.0, 2.0], np.float32)], "up", mode="nearest")
    result = import_bytes(g.model(), "up.onnx")
    assert analyze(result.design).params == 4 * 27 + 4


def _saved_with_external_data(folder, location="weights.bin") -> bytes:
    model = onnx.ModelProto.FromString(_bias_behind_identity())
    onnx.save_model(
        model,
        str(folder / "model.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=location,
        size_threshold=0,
    )
    return (folder / "model.onnx").read_bytes()


def test_weights_in_an_external_data_file_beside_the_model_are_read(tmp_path):
    _saved_with_external_data(tmp_path)
    result = import_file(tmp_path / "model.onnx")
    assert analyze(result.design).params == 112
    assert result.weights == {"conv": [(3, 3, 3, 4), (4,)]}
    assert not any("external data" in note for note in result.notes)


def test_a_missing_external_data_file_is_said_and_the_counts_stay_exact(tmp_path):
    data = _saved_with_external_data(tmp_path)
    (tmp_path / "weights.bin").unlink()
    for result in (import_file(tmp_path / "model.onnx"), import_bytes(data, "model.onnx")):
        assert analyze(result.design).params == 112
        assert not result.weights  # the layers start from new weights
        (note,) = [n for n in result.notes if "external data" in n]
        assert "'weights.bin'" in note and "start from new weights" in note


def test_an_external_data_file_outside_the_models_folder_is_never_read(tmp_path):
    inside = tmp_path / "models"
    inside.mkdir()
    _saved_with_external_data(tmp_path, location="weights.bin")
    model = onnx.load(str(tmp_path / "model.onnx"), load_external_data=False)
    for tensor in model.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = "../weights.bin"
    onnx.save_model(model, str(inside / "model.onnx"))
    result = import_file(inside / "model.onnx")
    assert not result.weights
    assert any("'../weights.bin'" in note and "not in the model's folder" in note for note in result.notes)


def test_a_truncated_external_data_file_is_refused_in_one_line(tmp_path):
    _saved_with_external_data(tmp_path)
    side = tmp_path / "weights.bin"
    side.write_bytes(side.read_bytes()[:10])
    with pytest.raises(ModelFileError, match=r"external data file is truncated or not this model's"):
        import_file(tmp_path / "model.onnx")


def test_a_graph_with_more_layers_than_allowed_is_refused_with_a_true_count():
    g = Graph((1, 4, 4, 4))
    for _ in range(1001):
        g.node("Relu", [g.last])
    with pytest.raises(ModelFileError, match="the model has more than 1,000 layers; at most 1,000 can be imported"):
        import_bytes(g.model(), "long.onnx")
    g = Graph((1, 4, 4, 4))
    for _ in range(4001):
        g.node("Relu", [g.last])
    with pytest.raises(ModelFileError, match=r"the model has 4,001 nodes; at most 4,000 nodes \(1,000 layers\)"):
        import_bytes(g.model(), "longer.onnx")


def test_float16_weights_behind_a_cast_count_as_weights():
    g = Graph((1, 3, 8, 8))
    half = numpy_helper.from_array(np.ones((4, 3, 3, 3), np.float16), "w16")
    g.inits.append(half)
    w = g.node("Cast", ["w16"], "w32", to=TensorProto.FLOAT)
    g.node("Conv", ["x", w], "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    result = import_bytes(g.model(), "half.onnx")
    assert not result.unmapped and analyze(result.design).params == 108


def test_a_chunk_into_a_sequence_and_a_copied_shuffle_map_to_their_kinds():
    """The dynamo exporter without its optimizer: ``chunk`` as SplitToSequence + SequenceAt,
    and the shuffle's ``contiguous()`` copy as an Identity between Transpose and Reshape."""
    g = Graph((1, 8, 6, 6))
    x = g.conv("x", 8, 8, k=1, pad=0, name="c1")
    parts = g.node("SplitToSequence", [x, g.const("size", 4)], "chunk", axis=1, keepdims=1)
    left = g.node("SequenceAt", [parts, g.const("first", 0)], "left")
    right = g.node("SequenceAt", [parts, g.const("second", 1)], "right")
    right = g.conv(right, 4, 4, k=1, pad=0, name="c2")
    y = g.node("Concat", [left, right], "cat", axis=1)
    y = g.node("Reshape", [y, g.const("grouped", [1, 2, 4, 6, 6])], "view", allowzero=1)
    y = g.node("Transpose", [y], "swap", perm=[0, 2, 1, 3, 4])
    y = g.node("Identity", [y], "clone")
    g.node("Reshape", [y, g.const("back", [1, 8, 6, 6])], "flat", allowzero=1)
    result = import_bytes(g.model(), "chunk.onnx")
    assert not result.unmapped
    kinds = [(b.kind, b.params.get("index")) for b in result.design.blocks]
    assert kinds == [
        ("Conv2D", None),
        ("ChannelSplit", 0),
        ("ChannelSplit", 1),
        ("Conv2D", None),
        ("Concatenate", None),
        ("ChannelShuffle", None),
    ]
    assert analyze(result.design).params == (8 * 8 + 8) + (4 * 4 + 4)
