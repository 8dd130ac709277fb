"""Predicted latency: the figures' labels, why a prediction is missing, the calibration
job's stages and the ``calibrate`` command's report."""

from lightdesign.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    "metric.predicted_fp32": tr("Predicted latency fp32", "预测延迟 fp32"),
    "metric.predicted_int8": tr("Predicted latency int8", "预测延迟 int8"),
    "latency.note.not_calibrated": tr(
        "not calibrated: no latency model for this machine ({machine}) at {threads} thread(s) yet; run "
        "`lightdesign calibrate` (a few minutes) to predict latency here",
        "未校准：还没有本机（{machine}）{threads} 线程的延迟模型；运行 `lightdesign calibrate`（几分钟）后即可在此预测延迟",
    ),
    "latency.note.unsupported": tr(
        "not predicted: {layers} has no known TFLite lowering, so the converted model's operations are not known",
        "无法预测：{layers} 没有已知的 TFLite 转换方式，因此不知道转换后模型的算子",
    ),
    "latency.note.no_predictor": tr(
        "not predicted: the latency model has no predictor for the TFLite operation {op} (layer {layer})",
        "无法预测：延迟模型没有 TFLite 算子 {op} 的预测器（层 {layer}）",
    ),
    "latency.note.no_geometry": tr(
        "not predicted: the layer {layer} does not describe the shapes of its {op} operation",
        "无法预测：层 {layer} 没有给出其 {op} 算子的形状",
    ),
    "latency.figure": tr(
        "≈ {fp32} fp32 · {int8} int8 · {threads} thread · {cpu}",
        "≈ {fp32} fp32 · {int8} int8 · {threads} 线程 · {cpu}",
    ),
    "budget.latency": tr("Max latency fp32 (predicted)", "fp32 延迟上限（预测）"),
    "budget.latency_int8": tr("Max latency int8 (predicted)", "int8 延迟上限（预测）"),
    "limit.latency": tr("predicted latency fp32", "预测延迟 fp32"),
    "limit.latency_int8": tr("predicted latency int8", "预测延迟 int8"),
    "job.stage.timing_kernels": tr("Timing TFLite operations…", "正在计时 TFLite 算子…"),
    "job.stage.timing_models": tr("Timing whole models…", "正在计时完整模型…"),
    "job.stage.fitting_latency": tr("Fitting the latency model…", "正在拟合延迟模型…"),
    "calibrate.start": tr(
        "Calibrating the latency model of {machine} (about {minutes} minutes)…",
        "正在校准 {machine} 的延迟模型（约 {minutes} 分钟）…",
    ),
    "calibrate.progress": tr("{stage} {done}/{total}", "{stage} {done}/{total}"),
    "calibrate.done": tr(
        "Calibrated in {seconds:.0f} s: {kernels} operations timed in float32 and int8, held-out median error "
        "{fp32:.0%} (fp32) and {int8:.0%} (int8); whole models take {scale_fp32:.2f}x and {scale_int8:.2f}x the "
        "kernels' sum. Kept in {path}",
        "校准完成，用时 {seconds:.0f} 秒：计时了 {kernels} 个算子（float32 与 int8），留出样本的中位误差 {fp32:.0%}（fp32）"
        "和 {int8:.0%}（int8）；完整模型耗时为算子之和的 {scale_fp32:.2f} 倍和 {scale_int8:.2f} 倍。保存在 {path}",
    ),
    "calibrate.measurements": tr(
        "Refined with {count} earlier measurements of whole models on this machine.",
        "使用本机先前对完整模型的 {count} 次测量进行了修正。",
    ),
    "calibrate.nothing_to_refit": tr(
        "nothing to refit: this machine ({machine}) has no calibration at {threads} thread(s) yet; run "
        "`lightdesign calibrate` first",
        "没有可重新拟合的内容：本机（{machine}）{threads} 线程尚无校准；请先运行 `lightdesign calibrate`",
    ),
    "calibrate.failed": tr("calibration failed: {message}", "校准失败：{message}"),
    "calibrate.stopped": tr("calibration stopped: {message}", "校准已停止：{message}"),
    "check.latency_unknown": tr("cannot check {option}: {note}", "无法检查 {option}：{note}"),
}
