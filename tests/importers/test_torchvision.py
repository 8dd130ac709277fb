"""The classifiers of torchvision exported to ONNX by both PyTorch exporters (TorchScript and
dynamo), with trained-like and fresh weights, BatchNorm folded and kept, imported and
compared with independent truths: the parameters of the model (torch's own tensors) and of
the file (its initializers), and fvcore's multiply-adds of the convolutions and linear
layers. Folded, each comes back as the composite blocks it is made of, totals unchanged.

Each model is exported once per session (``exported``); without torch, torchvision,
onnxscript and fvcore (requirements-dev.txt) the tests are skipped."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from lightdesign.analysis.network import analyze
from lightdesign.importers import import_file

from .torchvision_models import EXPORTERS, MODELS, exported_in_child, file_params

pytestmark = pytest.mark.torch

# The composite blocks each model is made of (BatchNorm folded, as both exporters write it).
BLOCKS = {
    "mobilenet_v2": {"inverted_residual": 17},
    "mobilenet_v3_small": {"inverted_residual": 11},
    "mobilenet_v3_large": {"inverted_residual": 15},
    "shufflenet_v2_x0_5": {"shufflenet_v2_unit": 16},
    "shufflenet_v2_x1_0": {"shufflenet_v2_unit": 16},
    "squeezenet1_0": {"fire_module": 8},
    "squeezenet1_1": {"fire_module": 8},
    "mnasnet1_0": {"inverted_residual": 17},
    "efficientnet_b0": {"inverted_residual": 16},
    "regnet_y_400mf": {"squeeze_excite": 16},  # RegNetY's SE; its bottleneck has no kind
    "resnet18": {},  # no residual-block kind
    "googlenet": {},  # no inception kind
}
# With BatchNorm kept, convolutions with BatchNorm and an activation fold into conv_bn too.
BLOCKS_WITH_BATCHNORM = {
    "resnet18": {"conv_bn": 20},
    "mobilenet_v2": {"inverted_residual": 17, "conv_bn": 2},
    "shufflenet_v2_x0_5": {"shufflenet_v2_unit": 16, "conv_bn": 2},
}
FRESH_DYNAMO = ("mobilenet_v3_small", "shufflenet_v2_x0_5", "squeezenet1_1")


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """A getter: (model, exporter, trained, keep_batchnorm) -> (the .onnx path, its truths:
    ``folded`` and ``kept`` params, ``macs``), each exported once per session in a child
    process (torch and TensorFlow cannot share one), into its own folder (the dynamo exporter
    writes its weights beside the model)."""
    missing = [
        name for name in ("torch", "torchvision", "onnxscript", "fvcore") if importlib.util.find_spec(name) is None
    ]
    if missing:  # found, not imported: torch is loaded only by the child process
        pytest.skip(f"needs {', '.join(missing)} (requirements-dev.txt)")
    root = tmp_path_factory.mktemp("torchvision")
    cache = {}

    def get(name: str, exporter: str, trained: bool = True, keep_batchnorm: bool = False):
        key = (name, exporter, trained, keep_batchnorm)
        if key not in cache:
            folder = root / "-".join(str(part) for part in key)
            folder.mkdir()
            truths = exported_in_child(name, exporter, trained, keep_batchnorm, folder)
            cache[key] = (Path(truths.pop("path")), truths)
        return cache[key]

    return get


def _imported(path):
    """The flat and the folded import, their analyses, and the folded result."""
    flat, folded = import_file(path), import_file(path, fold=True)
    return analyze(flat.design), analyze(folded.design), flat, folded


def _check_complete(flat, figures):
    assert not flat.unmapped, [(u.block, u.op, u.reason) for u in flat.unmapped[:3]]
    assert not figures.incomplete and not figures.errors


@pytest.mark.parametrize("exporter", EXPORTERS)
@pytest.mark.parametrize("name", MODELS)
def test_trained_classifier_counts_exactly_and_folds_into_its_blocks(exported, name, exporter):
    path, truth = exported(name, exporter)
    figures, refolded, flat, folded = _imported(path)
    _check_complete(flat, figures)
    assert figures.params == truth["folded"] == file_params(path)
    assert figures.macs == pytest.approx(truth["macs"], rel=0.005)
    assert figures.output_shape == (1000,)
    assert folded.folded == BLOCKS[name]
    assert (refolded.params, refolded.macs) == (figures.params, figures.macs)


@pytest.mark.parametrize("name", MODELS)
def test_fresh_classifier_with_its_shared_zero_biases_counts_exactly(exported, name):
    """TorchScript shares the equal zero biases of an untrained model through Identity nodes."""
    path, truth = exported(name, "torchscript", trained=False)
    figures, refolded, flat, folded = _imported(path)
    _check_complete(flat, figures)
    assert figures.params == truth["folded"]
    assert figures.macs == pytest.approx(truth["macs"], rel=0.005)
    assert folded.folded == BLOCKS[name]
    assert (refolded.params, refolded.macs) == (figures.params, figures.macs)


@pytest.mark.parametrize("name", FRESH_DYNAMO)
def test_fresh_classifier_from_dynamo_counts_the_biases_the_file_keeps(exported, name):
    """The dynamo exporter's optimizer drops the all-zero biases of an untrained model: the
    counts are the file's; folding (into what still matches a kind) changes none of them."""
    path, truth = exported(name, "dynamo", trained=False)
    figures, refolded, flat, _ = _imported(path)
    _check_complete(flat, figures)
    assert figures.params == file_params(path) < truth["folded"]
    assert figures.macs == pytest.approx(truth["macs"], rel=0.005)
    assert (refolded.params, refolded.macs) == (figures.params, figures.macs)


@pytest.mark.parametrize("exporter", EXPORTERS)
@pytest.mark.parametrize("name", sorted(BLOCKS_WITH_BATCHNORM))
def test_batchnorm_kept_counts_its_statistics_and_folds_with_it(exported, name, exporter):
    path, truth = exported(name, exporter, keep_batchnorm=True)
    figures, refolded, flat, folded = _imported(path)
    _check_complete(flat, figures)
    assert figures.params == truth["kept"]
    assert figures.macs == pytest.approx(truth["macs"], rel=0.005)
    assert folded.folded == BLOCKS_WITH_BATCHNORM[name]
    assert (refolded.params, refolded.macs) == (figures.params, figures.macs)


def test_folded_blocks_keep_pytorchs_padding_and_folded_batchnorm(exported):
    """Stride-2 depthwise convolutions pad symmetrically (PyTorch's padding=1), and the
    BatchNorm lives in the convolutions' biases; EfficientNet's squeeze-excitation is its own."""
    blocks = import_file(exported("efficientnet_b0", "torchscript")[0], fold=True).design.blocks
    residuals = [b.params for b in blocks if b.kind == "inverted_residual"]
    assert {(p["se_style"], p["se_ratio"], p["activation"], p["folded_bn"]) for p in residuals} == {
        ("efficientnet", 0.25, "swish", True)
    }
    assert {p["pad_style"] for p in residuals if p["strides"] == 2} == {"symmetric"}
