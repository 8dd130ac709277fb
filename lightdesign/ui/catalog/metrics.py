"""Labels of the figures defined in ``lightdesign.metrics`` (``Metric.label_key``)."""

from lightdesign.ui.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    "metric.params": tr("Params", "参数量 Params"),
    "metric.macs": tr("MACs", "乘加 MACs"),
    "metric.flops": tr("FLOPs", "浮点运算 FLOPs"),
    "metric.weights_fp32": tr("Weights fp32", "权重 fp32"),
    "metric.weights_int8": tr("Weights int8", "权重 int8"),
    "metric.peak": tr("Peak activations", "峰值激活内存"),
    "metric.training": tr("Training memory (batch 32)", "训练内存（batch 32）"),
    "metric.accuracy": tr("Last accuracy", "最近准确率"),
    "metric.latency_keras": tr("Latency, Keras (CPU)", "延迟，Keras（CPU）"),
    "metric.latency_tflite": tr("Latency, TFLite int8 (CPU)", "延迟，TFLite int8（CPU）"),
}
