"""Shape and cost rules shared by the primitive layer kinds."""

from __future__ import annotations

from math import prod

from lightdesign.core.symbolic import LayerError, Shape

# FLOPs of one activation per output element, as TensorFlow's profiler counts them
# (relu, relu6, sigmoid and tanh have no registered cost there).
ACTIVATION_FLOPS = {
    None: 0,
    "linear": 0,
    "relu": 0,
    "relu6": 0,
    "sigmoid": 0,
    "tanh": 0,
    "hard_sigmoid": 2,
    "swish": 2,
    "silu": 2,
    "hard_swish": 3,
    "hard_silu": 3,
    "softmax": 5,
}


QUANT_PARAM_BYTES = 4 + 8  # float32 scale + int64 zero point, per channel of a quantized tensor


def int8_kernel_bytes(node, use_bias: bool) -> int:
    """A kernel of int8 weights and an int32 bias, each quantized per output channel."""
    channels = node.shape[-1]
    bias = channels if use_bias else 0
    quantized_tensors = 2 if bias else 1
    return node.cost.trainable - bias + 4 * bias + quantized_tensors * QUANT_PARAM_BYTES * channels


def kernel_and_bias_sizes(node, use_bias: bool) -> tuple[int, ...]:
    """Weight tensor sizes of a layer holding one kernel and, with ``use_bias``, a bias per channel."""
    channels = node.shape[-1]
    return (node.cost.params - channels, channels) if use_bias else (node.cost.params,)


def keras_activation(params: dict) -> dict:
    """Design params as Keras arguments: the design's 'linear' activation is Keras's None."""
    out = dict(params)
    if out.get("activation") == "linear":
        out["activation"] = None
    return out


def numel(shape: Shape) -> int:
    return prod(shape)


def activation_flops(activation: str | None, shape: Shape) -> int:
    return ACTIVATION_FLOPS.get(activation, 0) * numel(shape)


def out_size(size: int, kernel: int, stride: int, dilation: int, padding: str, field: str, kind: str) -> int:
    """Output length of a convolution or pooling window along one axis."""
    if padding == "same":
        return -(-size // stride)
    span = (kernel - 1) * dilation + 1
    if padding == "causal":
        return -(-size // stride)
    if span > size:
        what = f"{kernel} (dilated to {span})" if dilation > 1 else str(kernel)
        raise LayerError(
            f"{kind}: {field}={what} is larger than its input of size {size} with padding 'valid'",
            field=field,
            valid=f"at most {size}, or padding 'same'",
        )
    return (size - span) // stride + 1


def check_groups(kind: str, in_channels: int, filters: int, groups: int) -> None:
    if in_channels % groups or filters % groups:
        raise LayerError(
            f"{kind}: groups={groups} must divide both the input channels ({in_channels}) and the filters ({filters})",
            field="groups",
            valid="a common divisor of "
            f"{in_channels} and {filters}: " + ", ".join(str(g) for g in _divisors(in_channels, filters)),
        )


def _divisors(a: int, b: int) -> list[int]:
    return [g for g in range(1, min(a, b) + 1) if a % g == 0 and b % g == 0][:12]


def check_dilated_stride(kind: str, strides: int, dilation: int) -> None:
    if strides > 1 and dilation > 1:
        raise LayerError(
            f"{kind}: strides={strides} together with dilation_rate={dilation} is not supported by Keras",
            field="dilation_rate",
            valid="dilation_rate 1 when strides > 1",
        )


def need_image(layer, shape: Shape, hint: str = "") -> None:
    layer.need_rank(shape, 3, "an image tensor (height, width, channels)", hint)


def need_sequence(layer, shape: Shape, hint: str = "") -> None:
    layer.need_rank(shape, 2, "a sequence (steps, features)", hint)
