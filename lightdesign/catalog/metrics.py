"""Labels of the figures defined in ``lightdesign.analysis.metrics`` (``Metric.label_key``) that
no page shows under a label of its own; the others reuse the Design page's ``costs.*``."""

from lightdesign.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    "metric.training": tr("Training memory (batch 32)", "训练内存（batch 32）"),
    "metric.accuracy": tr("Last accuracy", "最近准确率"),
    "metric.latency_keras": tr("Latency, Keras (CPU)", "延迟，Keras（CPU）"),
    "metric.latency_tflite": tr("Latency, TFLite int8 (CPU)", "延迟，TFLite int8（CPU）"),
    "metric.weights_fp16": tr("Weights fp16", "权重 fp16"),
    "metric.peak_int8": tr("MCU int8 arena", "MCU int8 内存区"),
    "metric.peak_int8_in_place": tr("MCU int8, in-place", "MCU int8（原地计算）"),
}
