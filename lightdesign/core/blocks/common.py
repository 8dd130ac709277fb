"""Arithmetic shared by blocks and presets; pasted verbatim into generated code."""


def make_divisible(value, divisor=8, min_value=None):
    """Round a channel count to a multiple of `divisor`, never losing more than 10%
    (the rule of MobileNetV2/V3, EfficientNet and GhostNet)."""
    if min_value is None:
        min_value = divisor
    new_value = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if new_value < 0.9 * value:
        new_value += divisor
    return new_value


def correct_pad(x, kernel_size):
    """Zero padding that makes a stride-2 'valid' convolution match 'same' (Keras
    applications' correct_pad): ((top, bottom), (left, right))."""
    height, width = x.shape[1], x.shape[2]
    adjust = (1 - height % 2, 1 - width % 2)
    half = kernel_size // 2
    return ((half - adjust[0], half), (half - adjust[1], half))
