"""The Export page: code and text, deployability, model files and latency."""

from lightdesign.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    "export.title": tr("Export · {name}", "导出 · {name}"),
    "export.disabled": tr("Exports are disabled while the design has errors: {error}", "设计有错误时无法导出：{error}"),
    "export.code": tr("Code and text", "代码与文本"),
    "export.deploy": tr("Deployability", "可部署性"),
    "export.files": tr("Model files and latency", "模型文件与延迟"),
    "export.tab.code": tr("Keras code", "Keras 代码"),
    "export.tab.json": tr("Design JSON", "设计 JSON"),
    "export.tab.mermaid": tr("Mermaid", "Mermaid"),
    "export.tab.dot": tr("DOT", "DOT"),
    "export.tab.image": tr("Graph image", "结构图图片"),
    "export.download.code": tr("Download Keras code", "下载 Keras 代码"),
    "export.download.json": tr("Download design JSON", "下载设计 JSON"),
    "export.download.mermaid": tr("Download Mermaid", "下载 Mermaid"),
    "export.download.dot": tr("Download DOT", "下载 DOT"),
    "export.download.svg": tr("Download SVG", "下载 SVG"),
    "export.download.png": tr("Download PNG", "下载 PNG"),
    "export.no_dot": tr(
        "SVG and PNG need Graphviz's `dot` program on the server (Debian/Ubuntu: `apt-get install graphviz`; "
        "macOS: `brew install graphviz`). Meanwhile download the DOT text and render it with any Graphviz tool, "
        "or paste the Mermaid text into a Markdown document.",
        "SVG 和 PNG 需要服务器上安装 Graphviz 的 `dot` 程序（Debian/Ubuntu：`apt-get install graphviz`；"
        "macOS：`brew install graphviz`）。也可以先下载 DOT 文本用任意 Graphviz 工具渲染，或把 Mermaid 文本贴进 Markdown 文档。",
    ),
    "export.dot_failed": tr("Graphviz could not draw the graph: {error}", "Graphviz 无法绘制结构图：{error}"),
    "deploy.ok": tr(
        "Every layer maps to TFLite built-in operators and can be fully int8-quantized.",
        "所有层都能映射到 TFLite 内置算子，并可完全 int8 量化。",
    ),
    "deploy.found": tr(
        "{count} layer(s) will not export to a pure built-in int8 TFLite model:",
        "有 {count} 个层无法导出为纯内置算子的 int8 TFLite 模型：",
    ),
    "deploy.why.recurrent": tr(
        "Keras recurrent layers convert to a TensorFlow while-loop over tensor lists, which TFLite's "
        "built-in operators cannot run: the float model needs the Select TF ops (Flex) delegate, "
        "which microcontrollers lack, and int8 quantization is not possible",
        "Keras 循环层会转换成基于张量列表的 TensorFlow while 循环，TFLite 内置算子无法运行：浮点模型需要 "
        "Select TF ops（Flex）代理，而微控制器上没有；也无法做 int8 量化",
    ),
    "deploy.why.opaque": tr(
        "an imported layer that LightDesign cannot write in Keras: the design cannot be converted until it is replaced",
        "LightDesign 无法用 Keras 写出的导入层：替换它之前，设计无法转换",
    ),
    "deploy.why.unknown": tr(
        "LightDesign does not know whether TFLite can convert this kind; export it to find out",
        "LightDesign 不知道 TFLite 能否转换这种层；导出一次即可知道",
    ),
    "col.builtin": tr("TFLite built-ins", "TFLite 内置算子"),
    "col.int8": tr("int8", "int8"),
    "col.why": tr("why", "原因"),
    "yes": tr("yes", "是"),
    "no": tr("no", "否"),
    "export.weights": tr("Weights", "权重"),
    "export.initial": tr("Initial (untrained) weights", "初始（未训练）权重"),
    "export.trained": tr(
        "Trained: {dataset}, {epochs} epoch(s), {accuracy:.1%} test accuracy",
        "已训练：{dataset}，{epochs} 轮，测试准确率 {accuracy:.1%}",
    ),
    "export.latency_runs": tr("Latency runs", "延迟测量次数"),
    "export.start": tr("Build model files and measure latency", "生成模型文件并测量延迟"),
    "export.not_started": tr("The export did not start: {error}", "导出没有开始：{error}"),
    "est.export_refuse": tr(
        "Exporting this design would need about {need} of memory but a worker may use {free}. Lower the width, "
        "the resolution or the number of blocks.",
        "导出此设计大约需要 {need} 内存，但一个工作进程最多可用 {free}。请减小宽度、分辨率或块的数量。",
    ),
    "export.waiting": tr("Waiting for a worker…", "正在等待工作进程…"),
    "export.expect.ready": tr(
        "Building the files takes about {time} on this server (TensorFlow is loaded and waiting).",
        "在本服务器上生成文件大约需要 {time}（TensorFlow 已加载就绪）。",
    ),
    "export.expect.cold": tr(
        "Building the files takes about {time} on this server, {tensorflow} of it loading TensorFlow.",
        "在本服务器上生成文件大约需要 {time}，其中 {tensorflow} 用于加载 TensorFlow。",
    ),
    "export.step": tr(
        "Step {step} of {steps}: {stage} · {elapsed} so far", "第 {step}/{steps} 步：{stage} · 已用 {elapsed}"
    ),
    "export.widened": tr(
        "the softmax input's int8 scale {was:.2g} (an empty calibration range: untrained outputs are all but "
        "constant) is widened to {now:.2g}, the least TFLite Micro's softmax takes with room to spare",
        "softmax 输入的 int8 缩放 {was:.2g}（校准范围为空：未训练模型的输出几乎恒定）已放宽为 {now:.2g}，"
        "即 TFLite Micro 的 softmax 可接受的下限并留有余量",
    ),
    "export.step.left": tr("{step} · about {left} left", "{step} · 大约还需 {left}"),
    "export.failed": tr("The export {state}: {message}", "导出{state}：{message}"),
    "export.built_from": tr(
        "Built from {weights}; int8 calibrated on {calibration}.",
        "基于{weights}生成；int8 校准数据：{calibration}。",
    ),
    "col.file": tr("file", "文件"),
    "col.size": tr("size", "大小"),
    "col.estimate": tr("analysis estimate", "分析估计"),
    "col.ratio": tr("ratio", "比值"),
    "col.note": tr("note", "说明"),
    "export.failed_cell": tr("failed", "失败"),
    "file.keras": tr("Keras model (.keras)", "Keras 模型（.keras）"),
    "file.tflite_float32": tr("TFLite float32", "TFLite float32"),
    "file.tflite_int8": tr("TFLite int8", "TFLite int8"),
    "export.download_file": tr("Download {file}", "下载 {file}"),
    "export.latency_head": tr(
        "**Latency on this server's CPU** (one image, median of {runs} after warm-up; TFLite with one thread)",
        "**本服务器 CPU 上的延迟**（单张图，预热后 {runs} 次的中位数；TFLite 单线程）",
    ),
    "col.model": tr("model", "模型"),
    "col.latency": tr("latency", "延迟"),
    "col.macs_per_ms": tr("MACs per ms", "每毫秒 MACs"),
    "export.latency_caption": tr(
        "MACs predict time only roughly: memory traffic, depthwise layers and framework overhead "
        "matter too. Compare MACs per ms across designs on the Compare page.",
        "MACs 只能粗略预测耗时：内存访问、深度卷积层和框架开销同样重要。可在比较页比较不同设计的每毫秒 MACs。",
    ),
    "export.arena_head": tr(
        "**Memory on a microcontroller** (TensorFlow Lite Micro's interpreter, int8 model)",
        "**微控制器上的内存**（TensorFlow Lite Micro 解释器，int8 模型）",
    ),
    "export.arena_none": tr(
        "No int8 model was written, so there is no arena to measure.",
        "没有生成 int8 模型，因此无法测量内存区。",
    ),
    "export.arena_error": tr(
        "TFLite Micro could not allocate the model ({error}); the analysis estimates {estimate} for activations.",
        "TFLite Micro 无法为模型分配内存（{error}）；分析估计激活需要 {estimate}。",
    ),
    "col.figure": tr("figure", "项目"),
    "col.measured": tr("measured", "实测"),
    "export.arena.activations": tr(
        "activation buffers (arena head): the figure to fit into SRAM",
        "激活缓冲区（内存区 head）：需要装进 SRAM 的部分",
    ),
    "export.arena.persistent": tr(
        "persistent structures (arena tail: tensor and operator records)", "常驻结构（内存区 tail：张量与算子记录）"
    ),
    "export.arena.total": tr("whole arena (kTensorArenaSize at least)", "整个内存区（kTensorArenaSize 至少为此）"),
    "export.arena_caption": tr(
        "Measured by allocating the int8 model in the tflite-micro package's interpreter. Engines that run depthwise "
        "convolutions in place (TinyEngine) can go as low as {in_place} for activations.",
        "通过在 tflite-micro 软件包的解释器中分配 int8 模型测得。原地计算深度卷积的推理引擎（TinyEngine）可将激活内存降到 "
        "{in_place}。",
    ),
    "export.file_weights.choice": tr("Weights of {file} (imported)", "{file} 的权重（导入）"),
    "export.file_weights.all": tr(
        "Exports the weights of **{file}** as they are: the .keras file, TFLite float32 and int8 in one step.",
        "原样导出 **{file}** 的权重：一步得到 .keras 文件以及 TFLite float32 和 int8 文件。",
    ),
    "export.file_weights.some": tr(
        "Exports the weights of **{file}** for {kept} of {total} layers; the structure was edited, so these have "
        "initial (untrained) weights: {fresh}. Train the design to fit them first.",
        "导出 **{file}** 的权重，{total} 个层中有 {kept} 个沿用；结构已修改，以下层为初始（未训练）权重：{fresh}。"
        "请先训练该设计以拟合它们。",
    ),
}
