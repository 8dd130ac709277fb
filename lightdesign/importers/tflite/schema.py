"""Codes of the TensorFlow Lite schema (tensorflow/lite/schema/schema.fbs) that the reader
and the mapper name: operators, tensor types, the schema version."""

# BuiltinOperator codes of the schema (tensorflow/lite/schema/schema.fbs)
OPS = {
    0: "ADD",
    1: "AVERAGE_POOL_2D",
    2: "CONCATENATION",
    3: "CONV_2D",
    4: "DEPTHWISE_CONV_2D",
    6: "DEQUANTIZE",
    7: "EMBEDDING_LOOKUP",
    9: "FULLY_CONNECTED",
    14: "LOGISTIC",
    16: "LSTM",
    17: "MAX_POOL_2D",
    18: "MUL",
    19: "RELU",
    21: "RELU6",
    22: "RESHAPE",
    25: "SOFTMAX",
    28: "TANH",
    32: "CUSTOM",
    34: "PAD",
    35: "UNIDIRECTIONAL_SEQUENCE_RNN",
    36: "GATHER",
    39: "TRANSPOSE",
    40: "MEAN",
    41: "SUB",
    42: "DIV",
    43: "SQUEEZE",
    44: "UNIDIRECTIONAL_SEQUENCE_LSTM",
    45: "STRIDED_SLICE",
    49: "SPLIT",
    53: "CAST",
    54: "PRELU",
    58: "LESS",
    60: "PADV2",
    64: "SELECT",
    65: "SLICE",
    67: "TRANSPOSE_CONV",
    77: "SHAPE",
    82: "REDUCE_MAX",
    83: "PACK",
    97: "RESIZE_NEAREST_NEIGHBOR",
    98: "LEAKY_RELU",
    102: "SPLIT_V",
    105: "REVERSE_V2",
    114: "QUANTIZE",
    117: "HARD_SWISH",
    119: "WHILE",
    123: "SELECT_V2",
    150: "GELU",
}

# ActivationFunctionType -> the activation (Keras's name) fused into an operator; RELU_N1_TO_1
# and SIGN_BIT have none
FUSED = {0: "linear", 1: "relu", 3: "relu6", 4: "tanh"}

# TensorType -> NumPy dtype of the weights read (float32, float16, int32, uint8, int64, int16, int8, float64)
DTYPES = {0: "<f4", 1: "<f2", 2: "<i4", 3: "u1", 4: "<i8", 7: "<i2", 9: "i1", 10: "<f8"}
SUPPORTED_VERSION = 3
