"""Build a design by executing its generated Keras source; compare with the analysis."""

from math import prod

from lightdesign.analysis.network import Analysis, analyze
from lightdesign.core.design import Design
from lightdesign.output.codegen import generate


def build(design: Design):
    """The Keras model of a design, built from the generated source like a user would."""
    source = generate(design)
    namespace = {"__name__": "generated_model"}
    exec(compile(source, f"<{design.name}>", "exec"), namespace)
    return namespace["build_model"]()


def weight_counts(model) -> tuple[int, int, int]:
    trainable = sum(prod(w.shape) for w in model.trainable_weights)
    non_trainable = sum(prod(w.shape) for w in model.non_trainable_weights)
    return model.count_params(), trainable, non_trainable


def assert_conforms(design: Design, model=None) -> Analysis:
    """Totals and every layer's output shape and params equal Keras's own."""
    result = analyze(design)
    assert not result.errors, result.errors
    model = model or build(design)
    assert weight_counts(model) == (result.params, result.trainable, result.non_trainable)
    assert tuple(model.output.shape[1:]) == result.output_shape
    for row in result.rows[1:]:
        layer = model.get_layer(row.name)
        assert tuple(layer.output.shape[1:]) == row.shape, row.name
        assert layer.count_params() == row.params, row.name
    return result


def profiler_flops(model, input_shape, dtype="float32") -> int:
    """FLOPs of one inference at batch 1, as TensorFlow's profiler counts them."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    function = tf.function(lambda x: model(x, training=False))
    concrete = function.get_concrete_function(tf.TensorSpec([1, *input_shape], dtype))
    frozen = convert_variables_to_constants_v2(concrete)
    builder = tf.compat.v1.profiler.ProfileOptionBuilder
    options = builder(builder.float_operation()).with_empty_output().build()
    info = tf.compat.v1.profiler.profile(
        graph=frozen.graph, run_meta=tf.compat.v1.RunMetadata(), cmd="op", options=options
    )
    return info.total_float_ops
