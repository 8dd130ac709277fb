"""The classifiers of torchvision as a PyTorch user exports them to ONNX, and the independent
truths they are checked against: the parameters of the model itself (torch's tensors) and
of the file (its initializers), and fvcore's count of the multiply-adds of its convolutions
and linear layers. Imports torch lazily: collecting the tests costs nothing without it.

Torch runs in a child process (``exported_in_child``): a process that has loaded TensorFlow
(any test worker that ran a Keras test) crashes with a segmentation fault when torch then
exports a model, so torch and TensorFlow never share one."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings
from pathlib import Path

MODELS = (
    "mobilenet_v2",
    "mobilenet_v3_small",
    "mobilenet_v3_large",
    "shufflenet_v2_x0_5",
    "shufflenet_v2_x1_0",
    "squeezenet1_0",
    "squeezenet1_1",
    "mnasnet1_0",
    "efficientnet_b0",
    "regnet_y_400mf",
    "resnet18",
    "googlenet",
)
EXPORTERS = ("torchscript", "dynamo")
SHAPE = (1, 3, 224, 224)


def build(name: str, trained: bool):
    """The model with random weights (nothing is downloaded), in eval mode. ``trained``: its
    BatchNorm statistics, scales and shifts and its biases drawn as training leaves them,
    not at their initial values (an untrained model folds to zero biases)."""
    import torch
    import torchvision

    torch.manual_seed(0)
    options = {"aux_logits": False, "init_weights": True} if name == "googlenet" else {}
    model = getattr(torchvision.models, name)(weights=None, **options).eval()
    if trained:
        draw = torch.Generator().manual_seed(1)
        with torch.no_grad():
            for module in model.modules():
                if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                    size = module.num_features
                    module.running_mean.copy_(torch.randn(size, generator=draw) * 0.1)
                    module.running_var.copy_(torch.rand(size, generator=draw) + 0.5)
                    module.weight.copy_(torch.rand(size, generator=draw) + 0.5)
                    module.bias.copy_(torch.randn(size, generator=draw) * 0.1)
                elif isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)) and module.bias is not None:
                    module.bias.copy_(torch.randn(module.bias.shape, generator=draw) * 0.1)
    return model


def export(model, path: Path, exporter: str, keep_batchnorm: bool = False) -> Path:
    """Export as a user would: ``torch.onnx.export`` on a 1x3x224x224 input, opset 17 with
    the TorchScript exporter and the dynamo exporter's default (18, weights in an external
    data file). Both fold BatchNorm into the convolutions unless ``keep_batchnorm`` (no
    constant folding; the dynamo exporter without its optimizer)."""
    import torch

    sample = torch.randn(*SHAPE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if exporter == "torchscript":
            torch.onnx.export(
                model, (sample,), str(path), opset_version=17, dynamo=False, do_constant_folding=not keep_batchnorm
            )
        else:
            torch.onnx.export(model, (sample,), str(path), dynamo=True, optimize=not keep_batchnorm, verbose=False)
    return path


def params(model, batchnorm: str) -> int:
    """The model's parameters as a design counts them: with BatchNorm ``kept``, its moving
    statistics count too (Keras's non-trainable parameters); ``folded`` into the bias of the
    convolution before it (none of which has a bias of its own), each BatchNorm's scale and
    shift become that bias."""
    import torch

    total = sum(p.numel() for p in model.parameters())
    channels = sum(m.num_features for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm))
    return total + 2 * channels if batchnorm == "kept" else total - channels


def file_params(path: Path) -> int:
    """The floating-point values the file's initializers hold (scalars left out: clip bounds)."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    floats = (onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE, onnx.TensorProto.BFLOAT16)
    return sum(math.prod(t.dims) for t in model.graph.initializer if t.data_type in floats and math.prod(t.dims) > 1)


def macs(model) -> int:
    """The multiply-adds fvcore counts for the convolutions and linear layers (one per multiply-add)."""
    import logging

    import torch
    from fvcore.nn import FlopCountAnalysis

    logging.getLogger("fvcore").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        count = FlopCountAnalysis(model, torch.randn(*SHAPE))
        count.unsupported_ops_warnings(False)
        count.uncalled_modules_warnings(False)
        by_operator = count.by_operator()
    return sum(v for op, v in by_operator.items() if op in ("conv", "linear", "addmm", "matmul"))


def exported_in_child(name: str, exporter: str, trained: bool, keep_batchnorm: bool, folder: Path) -> dict:
    """Build and export the model in a child process (see the module's docstring); its truths
    as a dict: ``path`` (the .onnx), ``folded`` and ``kept`` (``params``), ``macs``."""
    command = [sys.executable, "-m", __name__, name, exporter, str(int(trained)), str(int(keep_batchnorm)), str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    if done.returncode != 0:
        raise RuntimeError(f"exporting {name} with {exporter} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(name: str, exporter: str, trained: str, keep_batchnorm: str, folder: str) -> None:
    model = build(name, trained == "1")
    path = export(model, Path(folder) / f"{name}.onnx", exporter, keep_batchnorm == "1")
    truths = {"path": str(path), "folded": params(model, "folded"), "kept": params(model, "kept"), "macs": macs(model)}
    print(json.dumps(truths))


if __name__ == "__main__":
    _child(*sys.argv[1:])
