"""An imported .onnx file's weights through a real Export job: the file is imported and kept
as the Design page keeps it (folded into blocks, its record and the design round-tripped
through JSON as the workspace stores them), the job is submitted to the job manager exactly
as the Export page submits it, runs in its own worker process, and the float32 .tflite it
writes is run by the TFLite interpreter and compared with ONNX's reference evaluator running
the original file (NCHW in, NHWC for TFLite)."""

import json

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from lightdesign.core.design import from_json
from lightdesign.importers import import_bytes
from lightdesign.importers.weights import file_record, file_weights, keep_model_file
from lightdesign.jobs import JobManager, train
from lightdesign.jobs.messages import ExportResult, JobKind, JobState, ModelFormat
from lightdesign.jobs.specs import export_spec, new_work_dir

from ..waiting import job_processes, wait_until

SIDE, CLASSES = 16, 10


def onnx_cnn() -> bytes:
    """conv (stride 2, pads 1) / BN / relu, depthwise 3x3 / BN / clip(0, 6) / pointwise conv /
    BN (folded into an inverted residual block) / relu, max pool, flatten of a 12x4x4 tensor
    (its rows reordered for the design's channels-last flatten), Gemm (transB) / relu, Gemm:
    random weights, positive variances."""
    rng = np.random.default_rng(21)
    inits, nodes = [], []

    def init(name, shape, low=None, high=None):
        values = rng.normal(0, 0.5, shape) if low is None else rng.uniform(low, high, shape)
        inits.append(numpy_helper.from_array(values.astype(np.float32), name))
        return name

    def node(op, inputs, name, **attrs):
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def bn(x, c, name):
        parts = [init(f"{name}.scale", (c,), 0.5, 1.5), init(f"{name}.bias", (c,)), init(f"{name}.mean", (c,))]
        return node("BatchNormalization", [x, *parts, init(f"{name}.var", (c,), 0.5, 1.5)], name)

    x = node("Conv", ["x", init("stem.w", (8, 3, 3, 3)), init("stem.b", (8,))], "stem", pads=[1] * 4, strides=[2, 2])
    x = node("Relu", [bn(x, 8, "stem_bn")], "stem_relu")
    x = node("Conv", [x, init("dw.w", (8, 1, 3, 3))], "dw", pads=[1] * 4, group=8, kernel_shape=[3, 3])
    inits += [numpy_helper.from_array(np.array(v, np.float32), n) for n, v in (("lo", 0.0), ("hi", 6.0))]
    x = node("Clip", [bn(x, 8, "dw_bn"), "lo", "hi"], "dw_relu6")
    x = node("Conv", [x, init("pw.w", (12, 8, 1, 1))], "pw", kernel_shape=[1, 1])
    x = node("Relu", [bn(x, 12, "pw_bn")], "pw_relu")
    x = node("MaxPool", [x], "pool", kernel_shape=[2, 2], strides=[2, 2])
    x = node("Flatten", [x], "flat", axis=1)
    x = node("Gemm", [x, init("fc1.w", (16, 192)), init("fc1.b", (16,))], "fc1", transB=1)
    x = node("Relu", [x], "fc1_relu")
    x = node("Gemm", [x, init("fc2.w", (16, CLASSES)), init("fc2.b", (CLASSES,))], "fc2")
    graph = helper.make_graph(
        nodes,
        "cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, SIDE, SIDE])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, None)],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()


@pytest.fixture(scope="module")
def manager():
    jobs = JobManager(max_running=1, timeout_s=600, grace_s=5)
    yield jobs
    jobs.shutdown()
    wait_until(lambda: not job_processes(), 30)


def interpret(path: str, x_nhwc: np.ndarray) -> np.ndarray:
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_path=path)
    interpreter.allocate_tensors()
    (inp,), (out,) = interpreter.get_input_details(), interpreter.get_output_details()
    assert inp["dtype"] == np.float32 and out["dtype"] == np.float32
    got = []
    for sample in x_nhwc:
        interpreter.set_tensor(inp["index"], sample[None])
        interpreter.invoke()
        got.append(interpreter.get_tensor(out["index"]).copy())
    return np.concatenate(got)


def exported(manager, edit=None):
    """Import the ONNX CNN and keep it as the Design page does (folded, its default; the file's
    record and the design round-tripped through JSON as the workspace stores them), edit the
    design if asked, and run the Export job as the Export page submits it with the file's
    weights. Returns the file, the design, the weights it lent, the spec and the finished job."""
    data, file_name = onnx_cnn(), "cnn.onnx"
    result = import_bytes(data, file_name, None, fold=True)
    assert not result.unmapped and result.weights
    path = keep_model_file(data, file_name)
    record = json.loads(json.dumps(file_record(file_name, result.format, path, result.weights, None)))
    design = from_json(result.design.to_json())
    if edit is not None:
        edit(design)
    lent = file_weights(design, record, [path.parent])  # what the Export page offers as "the file's weights"
    assert lent.source is not None, lent.reason
    spec = export_spec(design, new_work_dir(), None, 2, lent.source)  # export_view.start_export
    assert spec.weights == lent.source and spec.model_path is None
    job = manager.submit("exporter", JobKind.EXPORT, spec, design_id="d1")
    wait_until(lambda: not job.active, 540)
    assert job.state is JobState.FINISHED, job.message
    return data, design, lent, spec, job


def test_an_export_job_writes_the_onnx_files_weights(manager):
    from onnx.reference import ReferenceEvaluator

    data, design, lent, spec, job = exported(manager)
    layers = len(lent.source.layers)
    assert lent.plan.unchanged and layers == 8  # stem, stem_bn, the folded block's dw, dw_bn, pw, pw_bn, fc1, fc2
    assert "inverted_residual" in [b.kind for b in design.blocks]  # renamed layers, matched in order
    out: ExportResult = job.result
    described = f"the weights of cnn.onnx (all {layers} layers with weights)"
    assert out.weights == described
    # what the export record keeps (``export_view._keep``) says the same after its round trip
    assert ExportResult.from_dict(json.loads(json.dumps(out.to_dict()))).weights == described
    exported_file = out.files[ModelFormat.TFLITE_FLOAT32]
    assert exported_file.path and not exported_file.error and not exported_file.note, exported_file

    x = np.random.default_rng(8).normal(0, 1, (16, 3, SIDE, SIDE)).astype(np.float32)
    evaluator = ReferenceEvaluator(data)
    expected = np.concatenate([evaluator.run(None, {"x": sample[None]})[0] for sample in x])
    got = interpret(exported_file.path, np.ascontiguousarray(np.moveaxis(x, 1, -1)))
    error = np.abs(got - expected).max()
    print(
        f"export job, float32 .tflite vs ONNX reference: max |error| = {error:.2e} (outputs up to {np.abs(expected).max():.1f})"
    )
    np.testing.assert_allclose(got, expected, atol=1e-4, rtol=1e-4)
    # the check can fail: the same design with new weights is nowhere near the file's outputs
    fresh = train.build_model(spec.source).predict(np.moveaxis(x, 1, -1), verbose=0)
    assert np.abs(fresh - expected).max() > 0.1 * np.abs(expected).max()


def test_an_edited_designs_export_job_says_which_layers_keep_the_files_weights(manager):
    """fc1 narrowed from 16 to 12 units: fc1 and fc2 start fresh; the job's record says so."""

    def narrower(design):
        design.block_named("fc1").params["units"] = 12

    _, _, lent, _, job = exported(manager, narrower)
    assert lent.plan.fresh == ["fc1", "fc2"] and len(lent.plan.kept) == 6
    assert job.result.weights == "the weights of cnn.onnx for 6 of 8 layers; new weights for fc1, fc2"
