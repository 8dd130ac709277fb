"""Helpers for the Keras conformance tests: build generated code and compare."""

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def keras():
    import keras as keras_module

    return keras_module
