"""Primitive layer kinds, importable under their Keras names.

Composite blocks are written against this module exactly as generated code is written
against ``keras.layers``: ``layers.Conv2D(...)(x)``.
"""

from lightdesign.core.layers.conv import Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D
from lightdesign.core.layers.dense import Dense, Embedding
from lightdesign.core.layers.merge import Add, Concatenate, Multiply
from lightdesign.core.layers.norm import Activation, BatchNormalization, Dropout
from lightdesign.core.layers.opaque import Opaque, OpaqueMerge
from lightdesign.core.layers.pool import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from lightdesign.core.layers.recurrent import GRU, LSTM, SimpleRNN
from lightdesign.core.layers.shape import ChannelShuffle, ChannelSplit, Flatten, Reshape, ZeroPadding2D

__all__ = [
    "Activation",
    "Add",
    "AveragePooling1D",
    "AveragePooling2D",
    "BatchNormalization",
    "ChannelShuffle",
    "ChannelSplit",
    "Concatenate",
    "Conv1D",
    "Conv2D",
    "Dense",
    "DepthwiseConv2D",
    "Dropout",
    "Embedding",
    "Flatten",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GRU",
    "LSTM",
    "MaxPooling1D",
    "MaxPooling2D",
    "Multiply",
    "Opaque",
    "OpaqueMerge",
    "Reshape",
    "SeparableConv2D",
    "SimpleRNN",
    "ZeroPadding2D",
]
