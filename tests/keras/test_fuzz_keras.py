"""Fuzzed valid designs built from their generated code in Keras: output shape and every
layer's shape and params must equal the analysis exactly."""

import pytest
from hypothesis import HealthCheck, given, settings

from ..strategies import valid_designs
from .harness import assert_conforms

# Each example builds a Keras model: 250 in all (fewer under the dev profile), in shards that
# pytest-xdist runs side by side, each drawing its own designs.
SHARDS = 5


@pytest.mark.parametrize("shard", range(SHARDS))
@settings(max_examples=min(250, settings.default.max_examples) // SHARDS, suppress_health_check=list(HealthCheck))
@given(valid_designs())
def test_fuzzed_designs_match_keras(keras, shard, design):
    if not design.blocks:
        return
    keras.backend.clear_session()
    assert_conforms(design)
