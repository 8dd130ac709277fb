"""Fuzzed valid designs built from their generated code in Keras: output shape and every
layer's shape and params must equal the analysis exactly."""

from hypothesis import HealthCheck, given, settings

from ..strategies import valid_designs
from .harness import assert_conforms

KINDS_SEEN: set[str] = set()


# each example builds a Keras model: at most 250, fewer under the dev profile
@settings(max_examples=min(250, settings.default.max_examples), suppress_health_check=list(HealthCheck))
@given(valid_designs())
def test_fuzzed_designs_match_keras(keras, design):
    if not design.blocks:
        return
    keras.backend.clear_session()
    assert_conforms(design)
    KINDS_SEEN.update(b.kind for b in design.blocks)
