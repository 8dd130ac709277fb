"""A layer kind defined in this file alone flows through the library with nothing else changed:
the analysis counts it, the drawings show it, the generated code defines and calls it, the
deployment check and the converter's lowering read its TFLite facts, and the Keras importer maps
a saved model's layer onto it. A kind that states none of those facts is refused everywhere it
would otherwise be guessed at."""

from __future__ import annotations

import json

import pytest

from lightdesign.analysis import metrics, support
from lightdesign.analysis.network import analyze
from lightdesign.core.design import Design, new_block
from lightdesign.core.layers.common import numel
from lightdesign.core.registry import registered
from lightdesign.core.symbolic import SUPPORTED, Cost, Layer
from lightdesign.importers import import_bytes
from lightdesign.output.article import article_layout
from lightdesign.output.codegen import generate
from lightdesign.output.render import to_dot, to_mermaid


class ChannelScale(Layer):
    """A learned scale per channel: y = x * s."""

    kind = "ChannelScale"
    category = "Regularization"
    doc = "Multiplies each channel by a learned scale."
    custom = True
    keras_source = '''
@keras.saving.register_keras_serializable(package="lightdesign")
class ChannelScale(layers.Layer):
    """Multiplies each channel by a learned scale."""

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

    def call(self, x):
        return x * self.scale
'''
    tflite = SUPPORTED
    article_stage = "norm"
    keras_classes = ("ChannelScale",)

    def output_shape(self, shapes):
        return shapes[0]

    def cost(self, shapes, out):
        return Cost(trainable=out[-1], flops=numel(out))

    def int8_weight_bytes(self, node, inputs):
        return node.shape[-1]  # one int8 constant per channel

    def lower(self, node, low):
        return low.emit(node.name, "MUL", [low.source(node)], [numel(node.shape)]).outputs[0]

    @classmethod
    def from_keras(cls, class_name, config, rank):
        return {}


class Bare(Layer):
    """A kind that states only its shape and cost."""

    kind = "Bare"
    category = "Regularization"
    doc = "Adds a learned offset per channel."

    def output_shape(self, shapes):
        return shapes[0]

    def cost(self, shapes, out):
        return Cost(trainable=out[-1], flops=numel(out))


@pytest.fixture
def scale_kind():
    with registered(ChannelScale) as cls:
        yield cls


@pytest.fixture
def bare_kind():
    with registered(Bare) as cls:
        yield cls


def design_with(kind: str) -> Design:
    return Design(
        "toy",
        (8, 8, 3),
        4,
        [
            new_block("Conv2D", "conv", filters=6, kernel_size=3, padding="same", activation="relu"),
            new_block(kind, "extra"),
            new_block("GlobalAveragePooling2D", "pool"),
            new_block("Dense", "head", units=4, activation="softmax"),
        ],
    )


def test_the_analysis_counts_a_new_kind_by_its_own_rules(scale_kind):
    result = analyze(design_with("ChannelScale"))
    assert result.errors == []
    row = next(r for r in result.rows if r.name == "extra")
    assert (row.kind, row.shape, row.trainable, row.macs) == ("ChannelScale", (8, 8, 6), 6, 0)
    # conv 3*3*3*6 + 6, scale 6, dense 6*4 + 4
    assert result.params == 168 + 6 + 28
    without = analyze(Design("toy", (8, 8, 3), 4, [b for b in design_with("ChannelScale").blocks if b.name != "extra"]))
    assert metrics.WEIGHTS_INT8.read(result) - metrics.WEIGHTS_INT8.read(without) == 6
    assert result.unknown == {}


def test_the_drawings_show_a_new_kind(scale_kind):
    result = analyze(design_with("ChannelScale"))
    assert "ChannelScale" in to_dot(result) and "ChannelScale" in to_mermaid(result)
    labels = [node.label for node in article_layout(result).nodes]
    assert any(label.startswith("Batch normalization") for label in labels)  # its article stage, 'norm'


def test_generated_code_defines_and_calls_a_new_kind(scale_kind):
    source = generate(design_with("ChannelScale"))
    assert "class ChannelScale(layers.Layer):" in source
    assert "x = ChannelScale(name='extra')(x)" in source
    compile(source, "model.py", "exec")


def test_the_deployment_check_and_lowering_read_a_new_kinds_facts(scale_kind):
    result = analyze(design_with("ChannelScale"))
    assert support.check(result) == []
    assert [op.kind for op in result.deployment.ops if op.layer == "extra"] == ["MUL"]
    assert result.deployment.supported


def keras_config(class_name: str) -> bytes:
    """A Keras functional model config, as ``model.to_json()`` writes it."""

    def layer(name, cls, config, inbound):
        return {
            "class_name": cls,
            "name": name,
            "config": {"name": name, **config},
            "inbound_nodes": [[[inbound, 0, 0, {}]]] if inbound else [],
        }

    layers = [
        layer("input", "InputLayer", {"batch_input_shape": [None, 8, 8, 3]}, None),
        layer(
            "conv", "Conv2D", {"filters": 6, "kernel_size": [3, 3], "padding": "same", "activation": "relu"}, "input"
        ),
        layer("extra", class_name, {}, "conv"),
        layer("pool", "GlobalAveragePooling2D", {}, "extra"),
        layer("head", "Dense", {"units": 4, "activation": "softmax"}, "pool"),
    ]
    model = {
        "class_name": "Functional",
        "config": {
            "name": "toy",
            "layers": layers,
            "input_layers": [["input", 0, 0]],
            "output_layers": [["head", 0, 0]],
        },
        "keras_version": "3.15.1",
        "backend": "tensorflow",
    }
    return json.dumps(model).encode()


def test_the_keras_importer_maps_a_saved_layer_onto_a_new_kind(scale_kind):
    result = import_bytes(keras_config("ChannelScale"), "toy.json")
    assert [b.kind for b in result.design.blocks] == ["Conv2D", "ChannelScale", "GlobalAveragePooling2D", "Dense"]


def test_a_kind_that_states_no_facts_is_refused_not_guessed(bare_kind):
    result = analyze(design_with("Bare"))
    assert result.errors == []
    (finding,) = support.check(result)
    assert (finding.layer, finding.builtin_ok, finding.int8_ok, finding.reason) == (
        "extra",
        False,
        False,
        support.UNKNOWN,
    )
    assert not result.deployment.supported
    assert result.unknown == {metrics.WEIGHTS_INT8.key: ["extra"]}
    imported = import_bytes(keras_config("Bare"), "toy.json")
    assert imported.design.blocks[1].kind == "Opaque"
