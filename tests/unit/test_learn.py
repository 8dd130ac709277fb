"""The Learn page's formulas agree with the analysis and with hand computation."""

import re

import numpy as np
import pytest

from lightdesign.analysis.network import analyze
from lightdesign.catalog import CATALOG
from lightdesign.core import presets
from lightdesign.core.design import Design, new_block
from lightdesign.explore import learn
from lightdesign.output import article, render


def test_conv_formula_matches_the_analysis():
    cost = learn.conv_cost(size=32, kernel=5, stride=2, padding=0, c_in=3, c_out=16)
    design = Design(
        "c", (32, 32, 3), 2, [new_block("Conv2D", "c", filters=16, kernel_size=5, strides=2, padding="valid")]
    )
    row = analyze(design).rows[-1]
    assert (cost["output"], cost["output"], 16) == row.shape
    assert (cost["params"], cost["macs"]) == (row.params, row.macs)


def test_separable_ratio_is_the_papers_formula():
    cost = learn.separable_cost(size=14, kernel=3, c_in=512, c_out=512)
    assert abs(cost["ratio"] - cost["formula"]) < 1e-12
    assert round(cost["ratio"], 4) == round(1 / 512 + 1 / 9, 4)


def test_activations_at_known_points():
    x = np.array([-4.0, 0.0, 4.0, 8.0])
    assert np.allclose(learn.ACTIVATIONS["relu6"][0](x), [0, 0, 4, 6])
    assert np.allclose(learn.ACTIVATIONS["hard_swish"][0](x), [0, 0, 4, 8])
    assert np.allclose(learn.ACTIVATIONS["hard_sigmoid"][0](np.array([-3.0, 0.0, 3.0])), [0, 0.5, 1])


def test_pooling_by_hand():
    m = np.arange(16, dtype=float).reshape(4, 4)
    assert learn.pool(m, 2, 2, "max").tolist() == [[5, 7], [13, 15]]
    assert learn.pool(m, 2, 2, "average").tolist() == [[2.5, 4.5], [10.5, 12.5]]


# -- recurrent layers: the textbook formula equals the analysis ---------------------------------


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("kind", learn.RECURRENT_KINDS)
def test_recurrent_formula_equals_the_analysis_on_a_grid(kind, bidirectional):
    for steps in (1, 7, 100, 1000):
        for features in (1, 16, 300):
            for units in (1, 32, 257):
                cost = learn.recurrent_cost(kind, steps, features, units, bidirectional)
                formula = learn.recurrent_formula(kind, steps, features, units, bidirectional)
                assert (cost["params"], cost["macs"]) == (formula["params"], formula["macs"]), (steps, features, units)
                width = units * (2 if bidirectional else 1)
                assert cost["output"] == (width,)


def test_recurrent_params_by_hand_and_as_keras_counts_them():
    # LSTM: 4 (h (h + d) + h); Keras GRU(reset_after=True): 3 (h (h + d) + 2 h).
    assert learn.recurrent_formula("LSTM", 10, 32, 64)["params"] == 4 * (64 * 96 + 64) == 24_832
    assert learn.recurrent_formula("GRU", 10, 32, 64)["params"] == 3 * (64 * 96 + 2 * 64) == 18_816
    assert learn.recurrent_formula("SimpleRNN", 10, 32, 64)["params"] == 64 * 96 + 64 == 6_208
    assert learn.recurrent_formula("LSTM", 10, 32, 64, bidirectional=True)["params"] == 2 * 24_832
    assert learn.recurrent_formula("LSTM", 10, 32, 64)["macs"] == 10 * 4 * 64 * 96


def test_the_calculator_is_the_text_rnn_presets_figure():
    result = analyze(presets.build("text_rnn"))
    lstm = next(row for row in result.rows if row.kind == "LSTM")
    cost = learn.recurrent_cost("LSTM", 100, 64, 64)
    assert (lstm.params, lstm.macs, lstm.flops) == (cost["params"], cost["macs"], cost["flops"])


def test_parameters_do_not_grow_with_the_sequence_but_macs_do():
    sweep = learn.recurrent_sweep("GRU", 16, [32, 64], [10, 20, 40])
    assert sweep[32] == [learn.recurrent_cost("GRU", t, 16, 32)["macs"] for t in (10, 20, 40)]
    assert sweep[64][2] == 4 * sweep[64][0]
    assert learn.recurrent_cost("GRU", 10, 16, 32)["params"] == learn.recurrent_cost("GRU", 40, 16, 32)["params"]


def test_the_conv1d_alternative_exports_to_int8_and_the_rnn_does_not():
    rnn, conv = learn.rnn_against_conv1d()
    assert (rnn.name, conv.name) == ("text_rnn", "text_cnn")
    assert not rnn.int8_ok and [f.kind for f in rnn.int8_blockers] == ["LSTM"]
    assert conv.int8_ok
    assert rnn.result.design.input_shape == conv.result.design.input_shape == (100,)
    assert rnn.result.output_shape == conv.result.output_shape == (2,)
    assert conv.result.macs < rnn.result.macs and conv.result.params < rnn.result.params


# -- dense layers ---------------------------------------------------------------------------------


def test_dense_formula_equals_the_analysis_on_a_grid():
    for fan_in in (1, 10, 1600, 50_000):
        for units in (1, 10, 128, 1000):
            for bias in (True, False):
                assert learn.dense_cost(fan_in, units, bias) == learn.dense_formula(fan_in, units, bias)


def test_the_seed_cnn_dense_head_holds_91_percent_and_global_pooling_removes_it():
    lesson = learn.seed_cnn_head()
    assert lesson.dense_params == 204_928 == 1600 * 128 + 128
    assert lesson.before.params == 225_034
    assert round(lesson.dense_share, 2) == 0.91
    assert [b.kind for b in lesson.design.blocks][4] == "GlobalAveragePooling2D"
    assert lesson.after.params == 225_034 - (1600 - 64) * 128 == 28_426
    assert lesson.params_saved == 196_608 and lesson.macs_saved == 196_608
    assert lesson.after.ok


# -- quantization -----------------------------------------------------------------------------------


def _numpy_reference(w: np.ndarray, scheme: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """int8 quantization written out independently: (q, scale per row, dequantization error)."""
    if scheme == "per_tensor_affine":
        low, high = min(w.min(), 0.0), max(w.max(), 0.0)
        scale = np.full(w.shape[0], (high - low) / 255)
        zero = np.clip(np.rint(-128 - low / scale[0]), -128, 127)
    elif scheme == "per_tensor_symmetric":
        scale, zero = np.full(w.shape[0], np.abs(w).max() / 127), 0.0
    else:
        scale, zero = np.abs(w).max(axis=1) / 127, 0.0
    q = np.clip(np.rint(w / scale[:, None]) + zero, -128, 127)
    return q, scale, w - scale[:, None] * (q - zero)


@pytest.mark.parametrize("scheme", learn.SCHEMES)
def test_quantization_error_matches_numpy(scheme):
    for seed in range(5):
        w = learn.example_weights(seed)
        result = learn.quantize(w, scheme)
        q, scale, error = _numpy_reference(w, scheme)
        assert result.q.dtype == np.int8
        assert np.array_equal(result.q, q)
        assert np.allclose(result.error, error, atol=1e-12)
        assert np.allclose(result.dequantized + result.error, w)
        assert np.all(np.abs(error) <= scale[:, None] / 2 + 1e-12)
        assert result.max_error == pytest.approx(np.abs(error).max())
        assert result.rms_error == pytest.approx(np.sqrt(np.mean(error**2)))


def test_per_channel_scales_help_the_small_channels():
    w = learn.example_weights(0)
    per_tensor = learn.quantize(w, "per_tensor_symmetric")
    per_channel = learn.quantize(w, "per_channel_symmetric")
    assert per_channel.rms_error < per_tensor.rms_error
    assert per_channel.scale.shape == (4, 1) and per_tensor.scale.shape == (1, 1)
    assert np.all(np.abs(per_channel.q).max(axis=1) == 127)  # every channel uses the full range


def test_quantizing_zeros_and_bad_input():
    zero = learn.quantize(np.zeros((2, 3)), "per_channel_symmetric")
    assert not np.isnan(zero.error).any() and zero.max_error == 0
    assert learn.quantize(np.zeros((2, 3)), "per_tensor_affine").max_error == 0
    with pytest.raises(ValueError, match="valid schemes"):
        learn.quantize(np.ones((2, 2)), "per_row")
    with pytest.raises(ValueError, match="2-D"):
        learn.quantize(np.ones(3))


# -- where lightweight networks are used --------------------------------------------------------------


def test_every_scenario_opens_a_preset_that_trains_on_its_dataset():
    assert {s.domain for s in learn.SCENARIOS} == {"image", "text", "audio"}
    for scenario in learn.SCENARIOS:
        design = scenario.design()
        result = analyze(design)
        assert result.ok, scenario.key
        assert tuple(design.input_shape) == scenario.source.input_shape, scenario.key
        assert design.num_classes == scenario.source.classes, scenario.key
        assert result.output_shape == (scenario.source.classes,)
        assert scenario.source.offline


# -- the article's flow ------------------------------------------------------------------------------------

ZH = {key: CATALOG[f"article.word.{key}"]["zh"] for key in article.ARTICLE_WORDS}
ARTICLE_CNN = ["输入层", "卷积层1", "激活函数1", "池化层1", "卷积层2", "激活函数2", "池化层2", "全连接层", "输出层"]


def mermaid_flow(text: str) -> tuple[list[str], dict[str, str], list[tuple[str, str]]]:
    """Parse Mermaid ``graph TD`` text: the stage names (first label line) from the input
    along the arrows, every node's label, and every arrow."""
    assert text.splitlines()[0] == "graph TD"
    labels, arrows = {}, []
    for line in text.splitlines()[1:]:
        node = re.fullmatch(r'\s*(\w+)\["(.*)"\]', line)
        edge = re.fullmatch(r'\s*(\w+) (-->|-\.->)(?:\|"(.*)"\|)? (\w+)', line)
        if node:
            labels[node.group(1)] = node.group(2)
        elif edge:
            arrows.append((edge.group(1), edge.group(4)))
        else:
            assert re.fullmatch(r'\s*(subgraph \w+\[".*"\]|end)', line), line
    order, current = [], "input"
    while current is not None:
        order.append(labels[current].split("<br/>")[0])
        current = next((dst for src, dst in arrows if src == current), None)
        assert len(order) <= len(labels), "the arrows loop"
    return order, labels, arrows


def test_article_style_mermaid_of_the_seed_cnn_follows_the_article():
    text = render.to_mermaid(analyze(presets.build("seed_cnn")), words=ZH, article=True)
    order, labels, arrows = mermaid_flow(text)
    assert order == ARTICLE_CNN
    assert len(labels) == len(ARTICLE_CNN) == len(arrows) + 1  # one chain, Flatten folded into an arrow
    assert '|"Flatten 1600"|' in text


def test_article_style_in_english_and_for_the_rnn():
    order, _, _ = mermaid_flow(render.to_mermaid(analyze(presets.build("seed_cnn")), article=True))
    assert order == [
        "Input layer",
        "Convolutional layer 1",
        "Activation 1",
        "Pooling layer 1",
        "Convolutional layer 2",
        "Activation 2",
        "Pooling layer 2",
        "Fully connected layer",
        "Output layer",
    ]
    # the article's RNN (3.1.2): input sequence, embedding, recurrent layer, activation, output
    order, labels, _ = mermaid_flow(render.to_mermaid(analyze(presets.build("text_rnn")), words=ZH, article=True))
    assert order == ["输入层", "嵌入层", "循环层", "激活函数", "输出层"]
    assert labels["ab_lstm"] == "激活函数<br/>tanh"


def test_article_style_dot_has_the_same_stages():
    dot = render.to_dot(analyze(presets.build("seed_cnn")), words=ZH, article=True, selected="conv2")
    for stage in ARTICLE_CNN:
        assert f'label="{stage}\\n' in dot or f'label="{stage}"' in dot, stage
    assert 'b_conv2 [label="卷积层2' in dot and "penwidth=2.5" in dot


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_article_style_draws_every_preset_collapsed_and_expanded(name):
    result = analyze(presets.build(name))
    for expand in (False, True):
        order, labels, arrows = mermaid_flow(render.to_mermaid(result, expand, article=True))
        assert order[0] == "Input layer" and order[-1] == "Output layer"
        assert {end for arrow in arrows for end in arrow} <= set(labels)
        assert sum(label.startswith("Output layer") for label in labels.values()) == 1
        render.to_dot(result, expand, article=True)


def test_article_style_of_a_broken_design_keeps_every_block():
    design = presets.build("seed_cnn")
    design.blocks[2].params["filters"] = -3
    order, labels, _ = mermaid_flow(render.to_mermaid(analyze(design), article=True))
    assert len(order) == 1 + 1 + len(design.blocks)  # input, conv1's activation, every block
    assert "Output layer" not in order  # unknown until the design traces


def test_cli_renders_the_article_style_in_chinese(capsys):
    from lightdesign.cli.commands import main

    assert main(["render", "--preset", "seed_cnn", "--format", "mermaid", "--article", "--lang", "zh"]) == 0
    order, _, _ = mermaid_flow(capsys.readouterr().out)
    assert order == ARTICLE_CNN
