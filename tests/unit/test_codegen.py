"""Generated source: one helper per composite kind, Keras-style names and defaults, named
branches, every kind with its fields, an invalid design refused with the reason
(tests/commands/test_generated_code_passes_ruff.py compiles it and runs ruff on it)."""

import ast
import json

import pytest

from lightdesign.core import kinds, presets
from lightdesign.core.design import Design, DesignError, new_block
from lightdesign.output.codegen import generate


def helper_names(source):
    return [n.name for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]


def test_one_helper_per_composite_kind_used():
    source = generate(presets.build("mobilenet_v3_large"))
    names = helper_names(source)
    assert names.count("inverted_residual") == 1
    assert {"conv_bn", "inverted_residual", "squeeze_excite", "make_divisible", "correct_pad", "build_model"} == set(
        names
    )
    assert "ChannelShuffle" not in names
    shuffle = helper_names(generate(presets.build("shufflenet_v2")))
    assert {"ChannelSplit", "ChannelShuffle", "shufflenet_v2_unit"} <= set(shuffle)


def test_layer_names_follow_keras_applications_style():
    source = generate(presets.build("mobilenet_v2"))
    assert "x = inverted_residual(x, filters=24, strides=2, name='block_1')" in source
    assert "layers.Dense(1000, activation='softmax', name='predictions')(x)" in source
    assert 'name=f"{name}_expand"' in source


def test_primitive_arguments_equal_to_keras_defaults_are_left_out():
    source = generate(presets.build("seed_cnn"))
    assert "layers.Conv2D(32, 3, activation='relu', name='conv1')(inputs)" in source
    assert "layers.MaxPooling2D(2, name='pool1')(x)" in source


def test_branches_become_named_variables():
    design = Design(
        "branch",
        (8, 8, 3),
        2,
        [
            new_block("Conv2D", "a", filters=4, kernel_size=1),
            new_block("Conv2D", "b", filters=4, kernel_size=3),
            new_block("Add", "sum", source="a"),
            new_block("Conv2D", "c", input="input", filters=4, kernel_size=1),
            new_block("Concatenate", "cat", source="sum"),
        ],
    )
    source = generate(design)
    assert "    a_out = x\n" in source and "    sum_out = x\n" in source
    assert "layers.Add(name='sum')([x, a_out])" in source
    assert "layers.Conv2D(4, 1, padding='same', name='c')(inputs)" in source
    assert "layers.Concatenate(name='cat')([x, sum_out])" in source


def test_token_inputs_are_integers():
    assert 'keras.Input(shape=INPUT_SHAPE, dtype="int32", name="input_layer")' in generate(presets.build("text_rnn"))


def test_invalid_design_is_refused_with_the_reason():
    design = Design("bad", (3, 3, 1), 2, [new_block("Conv2D", "big", filters=4, kernel_size=5, padding="valid")])
    with pytest.raises(DesignError, match="cannot generate code: Block 1 'big' \\(Conv2D\\): Conv2D: kernel_size=5"):
        generate(design)


def test_every_kind_is_generated_with_its_fields():
    # Field defaults of composite kinds equal the helper's own defaults, so omitted
    # arguments mean the same thing in the form and in the code.
    import inspect

    for kind in kinds.names():
        cls = kinds.get(kind)
        if cls.composite:
            signature = inspect.signature(cls.helper).parameters
            for spec in cls.fields:
                assert spec.name in signature, (kind, spec.name)
                default = signature[spec.name].default
                if default is not inspect.Parameter.empty:
                    assert default == spec.default, (kind, spec.name)
    assert json.dumps(kinds.names())
