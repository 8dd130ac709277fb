"""Every class of design error and warning names the block, field, value and what is valid."""

import pytest

from lightdesign.analysis.network import analyze
from lightdesign.core.design import Block, Design, new_block


def only_error(design):
    result = analyze(design)
    assert result.errors, "expected an error"
    assert not result.ok
    return result.errors[0]


def test_kernel_larger_than_its_input():
    design = Design("d", (3, 3, 1), 10, [new_block("Conv2D", "big", filters=4, kernel_size=5, padding="valid")])
    error = only_error(design)
    assert (error.block, error.name, error.field, error.value) == (1, "big", "kernel_size", 5)
    assert "larger than its input of size 3" in error.text
    assert "padding 'same'" in error.text
    assert error.text.startswith("Block 1 'big' (Conv2D):")


def test_channels_not_divisible_by_groups():
    design = Design("d", (8, 8, 6), 10, [new_block("Conv2D", "g", filters=8, kernel_size=1, groups=4)])
    error = only_error(design)
    assert error.field == "groups" and error.value == 4
    assert "input channels (6)" in error.text and "filters (8)" in error.text
    assert "1, 2" in error.valid


def test_residual_add_with_mismatched_shapes():
    design = Design(
        "d",
        (8, 8, 3),
        10,
        [
            new_block("Conv2D", "c", filters=16, kernel_size=3),
            new_block("Add", "res", source="input"),
        ],
    )
    error = only_error(design)
    assert (error.block, error.field, error.value) == (2, "source", "input")
    assert "(8, 8, 16) and (8, 8, 3)" in error.text


def test_recurrent_layer_on_an_image():
    design = Design("d", (28, 28, 1), 10, [new_block("LSTM", "rnn", units=8)])
    error = only_error(design)
    assert error.block == 1 and error.kind == "LSTM"
    assert "sequence (steps, features)" in error.text and "(28, 28, 1)" in error.text
    assert "Reshape" in error.text


@pytest.mark.parametrize(("field", "value"), [("filters", 0), ("filters", -3), ("kernel_size", 0), ("strides", -1)])
def test_zero_or_negative_sizes(field, value):
    block = new_block("Conv2D", "c")
    block.params[field] = value
    error = only_error(Design("d", (8, 8, 3), 10, [block]))
    assert (error.field, error.value) == (field, value)
    assert "an integer from 1 to" in error.text


def test_wrong_types_and_unknown_choices():
    block = new_block("Conv2D", "c")
    block.params["padding"] = "full"
    block.params["use_bias"] = "yes"
    result = analyze(Design("d", (8, 8, 3), 10, [block]))
    fields = {e.field: e for e in result.errors}
    assert "one of 'same', 'valid'" in fields["padding"].text
    assert "true or false" in fields["use_bias"].text


def test_unknown_kind_and_bad_names_are_errors_not_exceptions():
    design = Design("d", (8, 8, 3), 10, [Block("Conv3D", "c", {}), new_block("Flatten", "a b")])
    result = analyze(design)
    texts = [e.text for e in result.errors]
    assert any("unknown layer kind 'Conv3D'" in t for t in texts)
    assert any("'a b' is not valid" in t for t in texts)


def test_duplicate_names_and_forward_references():
    design = Design(
        "d",
        (8, 8, 3),
        10,
        [
            new_block("Conv2D", "c", filters=3, kernel_size=1),
            new_block("Add", "add", source="later"),
            new_block("Flatten", "c"),
        ],
    )
    texts = [e.text for e in analyze(design).errors]
    assert any("source='later' is not an earlier block" in t for t in texts)
    assert any("'c' is used by an earlier block" in t for t in texts)


def test_reshape_that_cannot_hold_the_values():
    design = Design("d", (28, 28), 10, [new_block("Reshape", "r", target_shape=[27, 28])])
    error = only_error(design)
    assert error.field == "target_shape" and "784" in error.text


def test_composite_block_errors_name_the_block_field():
    design = Design("d", (8, 8, 24), 10, [new_block("shufflenet_v2_unit", "unit", filters=48, strides=1)])
    error = only_error(design)
    assert error.field == "filters" and "24 input channels" in error.text


def test_shape_tracing_stops_at_the_first_broken_block_but_fields_are_still_checked():
    bad_later = new_block("Dense", "d2")
    bad_later.params["units"] = 0
    design = Design(
        "d",
        (3, 3, 1),
        10,
        [
            new_block("Conv2D", "big", filters=4, kernel_size=5, padding="valid"),
            new_block("Flatten", "f"),
            bad_later,
        ],
    )
    result = analyze(design)
    assert [e.block for e in result.errors] == [1, 3]
    assert result.params == 0


def test_warning_dense_on_an_image_without_flatten():
    # The source article's first listing: Dense straight after the conv stack.
    design = Design(
        "d",
        (28, 28, 1),
        10,
        [
            new_block("Conv2D", "conv", filters=8, kernel_size=3, activation="relu"),
            new_block("Dense", "dense", units=10, activation="softmax"),
        ],
    )
    result = analyze(design)
    assert not result.errors
    texts = [w.text for w in result.warnings]
    assert any("Block 2 'dense' (Dense): Dense is applied to the image tensor (28, 28, 8)" in t for t in texts)
    assert any("outputs (28, 28, 10), not a vector of 10 class scores" in t for t in texts)


def test_warning_no_final_softmax_and_sigmoid_for_one_class():
    design = Design(
        "d",
        (16,),
        3,
        [
            new_block("Embedding", "e", input_dim=50, output_dim=4),
            new_block("GlobalAveragePooling1D", "p"),
            new_block("Dense", "out", units=3),
        ],
    )
    assert any("no softmax" in w.text for w in analyze(design).warnings)
    design.num_classes = 1
    design.blocks[-1].params.update(units=1, activation="sigmoid")
    assert analyze(design).warnings == []


def test_warning_same_activation_twice():
    design = Design(
        "d",
        (28, 28, 1),
        10,
        [
            new_block("Conv2D", "conv", filters=8, kernel_size=3, activation="relu"),
            new_block("Activation", "again", activation="relu"),
        ],
    )
    warnings = [w for w in analyze(design).warnings if w.block == 2]
    assert warnings and "relu is applied twice in a row" in warnings[0].text


def test_clean_design_has_no_issues():
    design = Design(
        "d",
        (28, 28, 1),
        10,
        [
            new_block("Conv2D", "conv", filters=8, kernel_size=3, activation="relu"),
            new_block("GlobalAveragePooling2D", "pool"),
            new_block("Dense", "out", units=10, activation="softmax"),
        ],
    )
    assert analyze(design).issues == []
