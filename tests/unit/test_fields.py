"""Field types: each checks and normalises a value and says in words what is valid."""

import math

import pytest

from lightdesign.core import fields as F
from lightdesign.core import kinds

FIELD_TYPES = (F.IntField, F.FloatField, F.BoolField, F.ChoiceField, F.RefField, F.IntsField, F.TextField)


def _error(spec, value) -> str:
    with pytest.raises(F.FieldError) as caught:
        spec.check(value)
    return str(caught.value)


def test_every_field_of_every_kind_is_a_known_type_whose_default_is_valid():
    for kind in kinds.names():
        for spec in kinds.get(kind).fields:
            assert type(spec) in FIELD_TYPES, (kind, spec.name, type(spec))
            assert spec.check(spec.default) == spec.default, (kind, spec.name)


def test_integers_accept_whole_floats_and_refuse_booleans_and_out_of_range():
    spec = F.integer("groups", 1, 1, 8, "Groups.")
    assert spec.check(4) == 4 and type(spec.check(4.0)) is int
    assert _error(spec, True) == "groups=True is not valid; use an integer from 1 to 8"
    assert _error(spec, 9.0) == "groups=9 is not valid; use an integer from 1 to 8"
    assert _error(spec, 2.5) == "groups=2.5 is not valid; use an integer from 1 to 8"


def test_numbers_are_finite_floats_in_range():
    spec = F.number("rate", 0.5, 0.0, 0.9, "Rate.")
    assert spec.check(0) == 0.0 and type(spec.check(0)) is float
    for bad in (math.nan, math.inf, 1.0, False, "0.5"):
        assert _error(spec, bad) == f"rate={bad!r} is not valid; use a number from 0 to 0.9"


def test_flags_choices_refs_and_integer_lists():
    assert F.flag("use_bias", True, "").check(False) is False
    assert _error(F.flag("use_bias", True, ""), 1) == "use_bias=1 is not valid; use true or false"
    strides = F.choice("strides", 1, (1, 2), "")
    assert strides.check(2) == 2
    assert _error(strides, 2.0) == "strides=2.0 is not valid; use one of 1, 2"
    source = F.ref("source", "input", "")
    assert source.check(None) is None and source.check("conv1") == "conv1"
    assert _error(source, "x" * 65).endswith("use the name of an earlier block, or 'input'")
    shape = F.ints("target_shape", [-1], -1, 100, "")
    assert shape.check((4, -1)) == [4, -1]
    for bad in ([], [1, 2, 3, 4, 5], [1, True], [101], "1, 2"):
        assert _error(shape, bad).endswith("use a list of integers from -1 to 100")


def test_constructors_keep_their_signatures_and_mark_channel_counts():
    assert F.channels("filters", 32, "").channels and F.channels("filters", 32, "").max == F.MAX_CHANNELS
    assert not F.kernel().channels and F.kernel().max == F.MAX_KERNEL
    assert F.stride().default == 1 and F.padding().choices == ("same", "valid")
    assert F.activation("relu6").help == F.ACTIVATION_HELP
    assert F.integer("units", 64, 1, 4096, "", channels=True).channels
    assert F.ref("source", "input", "", label="merge with").title == "merge with"
