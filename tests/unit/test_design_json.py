"""JSON round trips and every rejection of a bad design file."""

import json

import pytest

from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.core.design import MAX_JSON_BYTES, DesignError, from_json


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_every_preset_round_trips(name):
    design = presets.build(name)
    again = from_json(design.to_json())
    assert again.to_dict() == design.to_dict()
    assert analyze(again).to_dict() == analyze(design).to_dict()


def seed_dict():
    return json.loads(presets.build("seed_cnn").to_json())


def rejected(data_or_text) -> str:
    text = data_or_text if isinstance(data_or_text, (str, bytes)) else json.dumps(data_or_text)
    with pytest.raises(DesignError) as info:
        from_json(text)
    return str(info.value)


def test_unknown_version():
    data = seed_dict()
    data["format_version"] = 99
    assert rejected(data) == "format_version 99 is not supported; this LightDesign reads version 1"


def test_unknown_kind():
    data = seed_dict()
    data["blocks"][0]["kind"] = "Conv9D"
    assert rejected(data).startswith("block 1: unknown layer kind 'Conv9D'; valid kinds:")


def test_unknown_field_lists_the_valid_ones():
    data = seed_dict()
    data["blocks"][0]["params"]["colour"] = "red"
    message = rejected(data)
    assert message.startswith("block 1 'conv1': Conv2D has no field 'colour'; its fields are filters, kernel_size")


def test_out_of_range_field():
    data = seed_dict()
    data["blocks"][2]["params"]["filters"] = 10**9
    assert rejected(data) == "block 3 'conv2': filters=1000000000 is not valid; use an integer from 1 to 16384"


def test_nan_and_booleans_are_not_numbers():
    data = seed_dict()
    data["blocks"][0]["params"]["filters"] = True
    assert "filters=True is not valid" in rejected(data)
    mobilenet = json.loads(presets.build("mobilenet_v1").to_json())
    dropout = next(b for b in mobilenet["blocks"] if b["kind"] == "Dropout")
    dropout["params"]["rate"] = float("nan")
    assert "rate=nan is not valid" in rejected(json.dumps(mobilenet))


def test_extra_top_level_and_block_fields():
    data = seed_dict()
    data["evil"] = 1
    assert rejected(data).startswith("unknown design field 'evil'")
    data = seed_dict()
    data["blocks"][1]["code"] = "import os"
    assert rejected(data).startswith("block 2: unknown field 'code'")


def test_oversized_file():
    text = " " * (MAX_JSON_BYTES + 1)
    assert rejected(text) == f"the design file is {MAX_JSON_BYTES + 1:,} bytes; the limit is {MAX_JSON_BYTES:,} bytes"


def test_not_json_and_not_an_object():
    assert rejected("{not json").startswith("the design file is not valid JSON")
    assert rejected("[1, 2]").startswith("a design file must hold a JSON object")


def test_deeply_nested():
    assert rejected("[" * 100_000 + "]" * 100_000) == "the design file is nested too deeply to be a design"


def test_bad_input_shapes_and_classes():
    for shape in ([0, 28, 1], [28, 28, 1, 1], "28", [28.5, 28, 1], [10**6, 10, 3]):
        data = seed_dict()
        data["input_shape"] = shape
        assert rejected(data).startswith("input_shape"), shape
    data = seed_dict()
    data["num_classes"] = 0
    assert rejected(data).startswith("num_classes 0 is not valid")


@pytest.mark.parametrize("name", ["1conv", "a-b", "x" * 65, "input", "", "name with spaces", "naïve", "a'b"])
def test_bad_block_names(name):
    data = seed_dict()
    data["blocks"][0]["name"] = name
    assert "block 1:" in rejected(data)


def test_duplicate_block_names():
    data = seed_dict()
    data["blocks"][1]["name"] = "conv1"
    assert rejected(data) == "block 2: the name 'conv1' is used by an earlier block; names must be unique"


def test_design_names_may_be_any_printable_text():
    data = seed_dict()
    data["name"] = "模型 'v2' \"quoted\""
    assert from_json(json.dumps(data)).name == "模型 'v2' \"quoted\""
    data["name"] = "two\nlines"
    assert rejected(data) == "design name must be 1 to 100 printable characters"


def test_missing_params_take_defaults():
    data = seed_dict()
    data["blocks"][0]["params"] = {"filters": 16}
    design = from_json(json.dumps(data))
    assert design.blocks[0].params["kernel_size"] == 3
