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
    "budget.latency.help": tr(
        "a time, e.g. 5ms, 0.5s or 800us, predicted for TFLite on this machine, one thread; empty = no limit",
        "一个时间，例如 5ms、0.5s 或 800us，按本机单线程 TFLite 预测；留空表示不限制",
    ),
    "budget.latency_unknown": tr(
        "A latency limit cannot be met while the latency is not predicted: {note}",
        "延迟未被预测时无法满足延迟上限：{note}",
    ),
    "scaling.apply_latency": tr(" · ≈ {ms} predicted", " · 预测 ≈ {ms}"),
    "suggest.by_latency": tr(
        "A latency limit is set: the substitutes come by the {metric} they save, the largest first; one that is "
        "lighter but not faster is left out.",
        "已设置延迟上限：替换按节省的{metric}从大到小排列；更轻但不更快的替换不列出。",
    ),
    "suggest.saves_latency": tr("≈ {ms} faster (fp32, predicted)", "快约 {ms}（fp32，预测）"),
    "suggest.costs_latency": tr("≈ {ms} slower (fp32, predicted)", "慢约 {ms}（fp32，预测）"),
    # the Compare page (ui/compare_view.py)
    "compare.not_predicted": tr(
        "Not on the chart: {names} (no predicted latency: calibrate this machine on the Design page).",
        "未在图中：{names}（没有预测延迟：请在“设计”页面校准本机）。",
    ),
    "compare.latency": tr("Latency against MACs", "延迟与 MACs"),
    "compare.latency.axis": tr("predicted latency (ms)", "预测延迟（毫秒）"),
    "compare.latency_unknown": tr(
        "No design of the workspace has a predicted latency: {note}", "工作区中没有设计有预测延迟：{note}"
    ),
    "compare.latency.caption": tr(
        "Every design of the workspace, TFLite on {machine}, one thread, predicted. Designs of the same MACs at "
        "different heights are where MACs mislead about speed.",
        "工作区中的每个设计，{machine} 上的 TFLite，单线程，预测值。MACs 相同但高度不同的设计，正是 MACs 误导速度判断之处。",
    ),
    "compare.latency.spread": tr(
        "In float32, {fast} runs {fast_rate} MACs per ms and {slow} only {slow_rate}.",
        "在 float32 下，{fast} 每毫秒运行 {fast_rate} MACs，而 {slow} 只有 {slow_rate}。",
    ),
    # the Learn page (ui/learn_view.py)
    "learn.latency": tr("Why MACs and latency disagree", "为什么 MACs 与延迟不一致"),
    "learn.latency.why": tr(
        "MACs count arithmetic, but a CPU spends much of its time moving data: a depthwise convolution does few "
        "multiply-adds for every byte it reads, a 1×1 convolution with many channels does many, and every "
        "operation costs a fixed start-up time however small it is. So two networks of the same MACs can differ "
        "in speed several-fold (the ShuffleNet V2 paper's first guideline). Below, two presets scaled to about "
        "the same MACs, as this machine's latency model predicts them:",
        "MACs 只计算算术量，而 CPU 的大量时间花在搬运数据上：深度卷积每读取一个字节只做很少的乘加，通道多的 1×1 卷积则做很多，"
        "并且每个算子无论多小都有固定的启动开销。因此 MACs 相同的两个网络速度可能相差数倍（ShuffleNet V2 论文的第一条准则）。"
        "下面是两个缩放到 MACs 大致相同的预设，以及本机延迟模型对它们的预测：",
    ),
    "learn.latency.verdict": tr(
        "{first} and {second} differ by {macs:.0%} in MACs, yet {second} takes {ratio:.2f}× the time of {first} "
        "in float32 on {machine} (TFLite, one thread, predicted).",
        "{first} 与 {second} 的 MACs 只相差 {macs:.0%}，但在 {machine} 上（TFLite，单线程，预测）float32 下 {second} "
        "的耗时是 {first} 的 {ratio:.2f} 倍。",
    ),
    "learn.latency.unknown": tr("No prediction: {note}", "无法预测：{note}"),
    # the Export page (ui/export_view.py)
    "col.predicted": tr("predicted", "预测"),
    "col.prediction_error": tr("prediction error", "预测误差"),
    "export.predicted_unknown": tr("No predicted latency beside it: {note}", "没有可对照的预测延迟：{note}"),
    "limit.latency": tr("predicted latency fp32", "预测延迟 fp32"),
    "limit.latency_int8": tr("predicted latency int8", "预测延迟 int8"),
    "job.stage.converting_models": tr("Converting whole models to time in rounds…", "正在转换完整模型，以便分轮计时…"),
    "job.stage.timing_kernels": tr("Timing TFLite operations…", "正在计时 TFLite 算子…"),
    "job.stage.timing_streaming": tr(
        "Timing weights read from memory (chains of 1–64 MB)…", "正在测量从内存读取权重的耗时（1–64 MB 的算子链）…"
    ),
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
    "calibrate.refitted": tr(
        "Fitted again in {seconds:.0f} s on the {kernels} operations timed before (float32 and int8), held-out "
        "median error {fp32:.0%} (fp32) and {int8:.0%} (int8); whole models take {scale_fp32:.2f}x and "
        "{scale_int8:.2f}x the kernels' sum. Kept in {path}",
        "重新拟合完成，用时 {seconds:.0f} 秒：基于先前计时的 {kernels} 个算子（float32 与 int8），留出样本的中位误差 "
        "{fp32:.0%}（fp32）和 {int8:.0%}（int8）；完整模型耗时为算子之和的 {scale_fp32:.2f} 倍和 {scale_int8:.2f} 倍。"
        "保存在 {path}",
    ),
    "calibrate.busy": tr(
        "The machine was busy while whole models were timed (load average {load:.1f} on {cores} cores): they run "
        "slower then, and so will the predictions. Calibrate again when it is quiet.",
        "计时完整模型时本机正忙（{cores} 核上的平均负载为 {load:.1f}）：此时模型运行更慢，预测也会偏慢。请在空闲时重新校准。",
    ),
    "calibrate.unsteady": tr(
        "This machine's speed moved while it was calibrated: the same small convolution took {spread:.1f}x as "
        "long at its slow moments as at its fast ones (a cloud machine sharing its host, a laptop changing its "
        "clock speed). One model's measurements differ as much from moment to moment, and no prediction can be "
        "closer than that.",
        "校准期间本机速度不稳定：同一个小卷积在慢的时刻耗时是快的时刻的 {spread:.1f} 倍"
        "（例如与其他虚拟机共享宿主机的云主机，或会调整频率的笔记本）。同一模型的测量值随时刻变化同样大，"
        "任何预测都不可能比这更接近。",
    ),
    "calibrate.measurements": tr(
        "Refined with {count} earlier measurements of whole models on this machine.",
        "使用本机先前对完整模型的 {count} 次测量进行了修正。",
    ),
    "calibrate.old_format": tr(
        "cannot refit: this machine's calibration ({machine}, {threads} thread(s)) was made by an older "
        "LightDesign whose kernels are described differently; run `lightdesign calibrate` without --refit",
        "无法重新拟合：本机（{machine}，{threads} 线程）的校准由旧版 LightDesign 生成，其算子描述方式不同；"
        "请运行不带 --refit 的 `lightdesign calibrate`",
    ),
    "calibrate.nothing_to_refit": tr(
        "nothing to refit: this machine ({machine}) has no calibration at {threads} thread(s) yet; run "
        "`lightdesign calibrate` first",
        "没有可重新拟合的内容：本机（{machine}）{threads} 线程尚无校准；请先运行 `lightdesign calibrate`",
    ),
    "calibrate.failed": tr("calibration failed: {message}", "校准失败：{message}"),
    "calibrate.stopped": tr("calibration stopped: {message}", "校准已停止：{message}"),
    "check.latency_unknown": tr("cannot check {option}: {note}", "无法检查 {option}：{note}"),
    # the Design page (ui/latency_view.py)
    "latency.pinned.help": tr(
        "Predicted time of one inference (batch 1) with TensorFlow Lite on this machine's CPU, its default delegate "
        "(XNNPACK), one thread: the design lowered to the operations the TFLite converter makes, each timed by this "
        "machine's latency model. Measure it on the Export page.",
        "在本机 CPU 上用 TensorFlow Lite 推理一次（batch 1）的预测时间，默认委托（XNNPACK），单线程：设计被转换为 TFLite "
        "转换器生成的算子，每个算子的时间由本机的延迟模型给出。可在“导出”页面实测。",
    ),
    "latency.not_calibrated": tr(
        "Latency: not calibrated. This machine ({machine}, {threads} thread) has no latency model yet; calibrating "
        "times TFLite operations here for about 4 minutes.",
        "延迟：未校准。本机（{machine}，{threads} 线程）还没有延迟模型；校准会在本机计时 TFLite 算子，约需 4 分钟。",
    ),
    "latency.calibrate": tr("Calibrate", "校准"),
    "latency.calibrate_refused": tr("The calibration did not start: {error}", "校准未能开始：{error}"),
    "latency.calibration_failed": tr("The last calibration failed: {message}", "上次校准失败：{message}"),
    "latency.calibration_stopped": tr("The last calibration was stopped: {message}", "上次校准已停止：{message}"),
    "latency.calibration_queued": tr("Waiting for a worker…", "正在等待工作进程…"),
    "latency.calibrating": tr("Calibrating the latency model: {stage}", "正在校准延迟模型：{stage}"),
    "latency.calibration_stop": tr("Stop", "停止"),
    "col.latency_fp32": tr("fp32 ms (predicted)", "fp32 毫秒（预测）"),
    "col.latency_share": tr("latency share %", "延迟占比 %"),
    "col.latency_int8": tr("int8 ms (predicted)", "int8 毫秒（预测）"),
    "latency.timeline.title": tr("Time per layer (predicted)", "每层时间（预测）"),
    "latency.timeline.fp32": tr("fp32 (XNNPACK)", "fp32（XNNPACK 委托）"),
    "latency.timeline.int8": tr("int8 (XNNPACK)", "int8（XNNPACK 委托）"),
    "latency.timeline.y": tr("predicted time (ms)", "预测时间（毫秒）"),
    "latency.timeline.slowest": tr("slowest: {layer}, {ms:.3f} ms", "最慢：{layer}，{ms:.3f} 毫秒"),
    "latency.timeline.caption": tr(
        "TFLite on this machine, one thread: {operations} operations, {fp32} in float32 and {int8} in int8 in all "
        "(the rest is the cost of one invoke). A layer fused into the one before it (BatchNormalization, ReLU) has no "
        "bar of its own.",
        "本机 TFLite，单线程：共 {operations} 个算子，float32 总计 {fp32}，int8 总计 {int8}（其余为一次 invoke 的开销）。"
        "融合进前一层的层（BatchNormalization、ReLU）没有自己的柱。",
    ),
}
