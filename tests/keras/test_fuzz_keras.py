"""Fuzzed valid designs built from their generated code in Keras: output shape and every
layer's shape and params must equal the analysis exactly."""

from hypothesis import HealthCheck, given, settings

from ..strategies import valid_designs
from .harness import assert_conforms


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)
@given(valid_designs())
def test_fuzzed_designs_match_keras(keras, design):
    if not design.blocks:
        return
    keras.backend.clear_session()
    assert_conforms(design)
