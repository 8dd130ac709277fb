"""Small ONNX models written with the onnx helper API, channels first as PyTorch exports them."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(0)


class Graph:
    def __init__(self, shape=(1, 3, 32, 32), opset=17):
        self.nodes, self.inits, self.opset = [], [], opset
        self.input = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))
        self.count = 0
        self.last = "x"

    def init(self, name, shape):
        self.inits.append(numpy_helper.from_array(RNG.standard_normal(shape).astype(np.float32), name))
        return name

    def const(self, name, values, dtype=np.int64):
        self.inits.append(numpy_helper.from_array(np.asarray(values, dtype=dtype), name))
        return name

    def node(self, op, inputs, name=None, outputs=1, **attrs):
        self.count += 1
        name = name or f"{op.lower()}_{self.count}"
        outs = [name] if outputs == 1 else [f"{name}_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=name, **attrs))
        self.last = outs[0]
        return outs[0] if outputs == 1 else outs

    def conv(self, x, cin, cout, k=3, stride=1, pad=1, group=1, bias=True, name=None):
        name = name or f"conv_{self.count + 1}"
        w = self.init(f"{name}.w", (cout, cin // group, k, k))
        ins = [x, w] + ([self.init(f"{name}.b", (cout,))] if bias else [])
        return self.node("Conv", ins, name, kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4, group=group)

    def bn(self, x, c, name=None):
        name = name or f"bn_{self.count + 1}"
        ins = [x] + [self.init(f"{name}.{p}", (c,)) for p in ("scale", "bias", "mean", "var")]
        return self.node("BatchNormalization", ins, name)

    def model(self, out_shape=None):
        output = helper.make_tensor_value_info(self.last, TensorProto.FLOAT, out_shape)
        graph = helper.make_graph(self.nodes, "test", [self.input], [output], self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)])
        return model.SerializeToString()


def plain_cnn() -> bytes:
    """conv (stride 2, pads 1) / bn / relu / maxpool (ceil mode) / conv / bn / clip(0, 6) /
    global average pool / flatten / gemm / softmax."""
    g = Graph()
    x = g.conv("x", 3, 16, k=3, stride=2, pad=1, bias=False, name="stem")
    x = g.bn(x, 16, name="stem_bn")
    x = g.node("Relu", [x], "stem_relu")
    x = g.node("MaxPool", [x], "pool", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
    x = g.conv(x, 16, 32, k=3, stride=1, pad=1, bias=False, name="conv2")
    x = g.bn(x, 32, name="conv2_bn")
    x = g.node("Clip", [x, g.const("lo", 0.0, np.float32), g.const("hi", 6.0, np.float32)], "conv2_relu6")
    x = g.node("GlobalAveragePool", [x], "gap")
    x = g.node("Flatten", [x], "flatten", axis=1)
    x = g.node("Gemm", [x, g.init("fc.w", (10, 32)), g.init("fc.b", (10,))], "fc", transB=1)
    g.node("Softmax", [x], "softmax", axis=1)
    return g.model()


def residual() -> bytes:
    """conv / relu, then a residual unit (conv, relu, conv + the shortcut), swish and a MatMul
    head with its bias added separately."""
    g = Graph((1, 8, 16, 16))
    x = g.conv("x", 8, 8, name="c1")
    x = g.node("Relu", [x], "r1")
    y = g.conv(x, 8, 8, name="c2")
    y = g.node("Relu", [y], "r2")
    y = g.conv(y, 8, 8, name="c3")
    x = g.node("Add", [x, y], "add")
    s = g.node("Sigmoid", [x], "sig")
    x = g.node("Mul", [x, s], "swish")
    x = g.node("ReduceMean", [x, g.const("axes", [2, 3])], "mean", keepdims=0)
    x = g.node("MatMul", [x, g.init("head.w", (8, 5))], "head")
    g.node("Add", [x, g.init("head.b", (5,))], "head_bias")
    return g.model()


def shuffle_unit() -> bytes:
    """A grouped 1x1 conv, a channel shuffle (reshape / transpose / reshape), a depthwise 3x3,
    a split into halves and a concatenation."""
    g = Graph((1, 12, 8, 8))
    x = g.conv("x", 12, 24, k=1, pad=0, group=3, name="gconv")
    x = g.node("Reshape", [x, g.const("s1", [1, 3, 8, 8, 8])], "shuffle_reshape")
    x = g.node("Transpose", [x], "shuffle_transpose", perm=[0, 2, 1, 3, 4])
    x = g.node("Reshape", [x, g.const("s2", [1, 24, 8, 8])], "shuffle_back")
    x = g.conv(x, 24, 24, k=3, pad=1, group=24, name="dw")
    a, b = g.node("Split", [x, g.const("sizes", [12, 12])], "split", outputs=2, axis=1)
    b = g.conv(b, 12, 12, k=1, pad=0, name="branch")
    g.node("Concat", [a, b], "concat", axis=1)
    return g.model()
