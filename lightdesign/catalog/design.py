"""The Design page: presets and knobs, the stack, the block form, costs, the graph, files, budget, scaling search and suggestions."""

from lightdesign.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    "design.title": tr("Design · {name}", "设计 · {name}"),
    "design.presets": tr("Start from a preset", "从预设开始"),
    "design.knobs": tr("Input shape, classes and width", "输入形状、类别数与宽度"),
    "design.save": tr("Save and share", "保存与分享"),
    "preset.preset": tr("Preset", "预设"),
    "preset.none": tr("Not opened from a preset: choose one", "当前设计不是由预设打开的：请选择一个"),
    "preset.alpha": tr("Width α", "宽度系数 α"),
    "preset.resolution": tr("Resolution", "分辨率"),
    "preset.sequence length": tr("Sequence length", "序列长度"),
    "preset.classes": tr("Classes", "类别数"),
    "preset.groups": tr("Groups", "分组数 (groups)"),
    "preset.open": tr("Open preset as a new design", "以预设新建设计"),
    "preset.opened": tr(
        "Opened the preset {title} as {name!r}; edit it block by block.",
        "已打开预设 {title}，名为 {name!r}；可以逐块修改。",
    ),
    "preset.title.seed_cnn": tr("Seed CNN (the article's)", "入门 CNN（原文示例）"),
    "preset.title.text_rnn": tr("Text RNN (Embedding + LSTM)", "文本 RNN（Embedding + LSTM）"),
    "preset.title.text_cnn": tr("Text CNN (Embedding + Conv1D)", "文本 CNN（Embedding + Conv1D）"),
    "preset.title.wave_cnn": tr("Waveform CNN (Conv1D)", "波形 CNN（Conv1D）"),
    "preset.about.seed_cnn": tr(
        "The CNN of the tutorial “轻量级网络设计原理与代码实战案例讲解” (Lightweight network design: principles "
        "and hands-on code examples), section 5.2: two Conv2D + MaxPooling stages, Flatten and a Dense head for "
        "28×28 grayscale digits. Its extra Activation('relu') layers are left out: ReLU twice is ReLU once.",
        "教程《轻量级网络设计原理与代码实战案例讲解》第 5.2 节的 CNN：两个 Conv2D + MaxPooling 阶段、Flatten 和 "
        "Dense 分类头，输入 28×28 灰度数字。原文多余的 Activation('relu') 层已省略：ReLU 两次等于一次。",
    ),
    "preset.about.text_rnn": tr(
        "The recurrent classifier of the tutorial “轻量级网络设计原理与代码实战案例讲解” (Lightweight network "
        "design: principles and hands-on code examples), section 3.1.2: Embedding, LSTM and a Dense softmax.",
        "教程《轻量级网络设计原理与代码实战案例讲解》第 3.1.2 节的循环网络分类器：Embedding、LSTM 和 Dense softmax。",
    ),
    "knobs.shape": tr("Input shape", "输入形状"),
    "knobs.shape.help": tr(
        "Height, width, channels for images; steps for token ids; steps, features for sequences",
        "图像为 高, 宽, 通道；词元 id 为 步数；序列为 步数, 特征数",
    ),
    "knobs.shape.bad": tr(
        "{text!r} is not a shape; write e.g. 224, 224, 3 (image), 100 (tokens) or 50, 8",
        "{text!r} 不是形状；请写成例如 224, 224, 3（图像）、100（词元）或 50, 8",
    ),
    "knobs.classes": tr("Classes", "类别数"),
    "knobs.width": tr("Width multiplier", "宽度乘数"),
    "knobs.width.help": tr(
        "Rescale every channel count, rounded to a multiple of 8 as MobileNet does",
        "按比例缩放所有通道数，并像 MobileNet 一样取整为 8 的倍数",
    ),
    "knobs.apply_width": tr("Apply width", "应用宽度"),
    "stack.stack": tr("Your stack (top = input side): drag to reorder", "你的堆栈（顶部为输入端）：拖动以重新排序"),
    "stack.bin": tr("🗑 Bin: drop here to delete", "🗑 回收站：拖到这里删除"),
    "stack.undo": tr("↶ Undo", "↶ 撤销"),
    "stack.redo": tr("↷ Redo", "↷ 重做"),
    "stack.selected": tr("Selected block", "选中的块"),
    "stack.controls": tr("Select, add, move, delete (keyboard)", "选择、添加、移动、删除（键盘）"),
    "stack.kind": tr("Kind to add", "要添加的层"),
    "stack.add": tr("Add after selected", "添加到选中块之后"),
    "stack.up": tr("↑ Up", "↑ 上移"),
    "stack.down": tr("↓ Down", "↓ 下移"),
    "stack.duplicate": tr("Duplicate", "复制"),
    "stack.delete": tr("Delete", "删除"),
    "form.empty": tr(
        "The stack is empty: drag a kind from the palette or use “Add after selected”.",
        "堆栈是空的：从调色板拖入一个层，或使用“添加到选中块之后”。",
    ),
    "form.name": tr("Name", "名称"),
    "form.name.help": tr(
        "Letters, digits and underscores; used as the Keras layer name.", "字母、数字和下划线；用作 Keras 层名。"
    ),
    "form.input": tr("Reads from", "输入来自"),
    "form.previous": tr("(previous block)", "（上一块）"),
    "form.input.help": tr(
        "Branch off an earlier output instead of the previous block (for multi-branch designs).",
        "从更早的某个输出分支，而不是上一块（用于多分支设计）。",
    ),
    "form.out_of_range.int": tr(
        "{value} is not allowed for {field}: use a whole number from {min} to {max}. The design keeps {current}.",
        "{field} 不能为 {value}：请使用 {min} 到 {max} 之间的整数。设计保持为 {current}。",
    ),
    "form.out_of_range.number": tr(
        "{value} is not allowed for {field}: use a number from {min} to {max}. The design keeps {current}.",
        "{field} 不能为 {value}：请使用 {min} 到 {max} 之间的数。设计保持为 {current}。",
    ),
    "form.not_ints": tr(
        "{text!r} is not a list of integers; write e.g. 28, -1", "{text!r} 不是整数列表；请写成例如 28, -1"
    ),
    "costs.conventions": tr(
        "Params follow Keras (trainable + BatchNorm statistics). MACs are multiply-accumulates of convolutions, dense "
        "and recurrent layers (the papers' Mult-Adds). FLOPs follow TensorFlow's profiler. Peak memory is the largest "
        "set of live activations at batch 1; the int8 figure is TensorFlow Lite Micro's arena for the fused, fully "
        "quantized model. A block that feeds nothing is not part of the model and is not counted.",
        "参数量 (Params) 按 Keras 统计（可训练 + 批归一化统计量）。MACs 是卷积、全连接和循环层的乘加次数（论文中的 "
        "Mult-Adds）。FLOPs 按 TensorFlow profiler 统计。峰值内存是 batch 为 1 时同时存活的激活的最大总和；int8 数值是 "
        "TensorFlow Lite Micro 为融合后、完全量化的模型分配的内存区。输出不被任何层使用的块不属于模型，不计入。",
    ),
    "costs.params": tr("Params", "参数量"),
    "costs.params.help": tr(
        "{params:,} parameters: {trainable:,} trainable + {non_trainable:,} non-trainable. {conventions}",
        "{params:,} 个参数：{trainable:,} 个可训练 + {non_trainable:,} 个不可训练。{conventions}",
    ),
    "costs.trainable": tr("Trainable", "可训练"),
    "costs.trainable.help": tr("{value:,} trainable parameters", "{value:,} 个可训练参数"),
    "costs.non_trainable": tr("Non-trainable", "不可训练"),
    "costs.non_trainable.help": tr(
        "{value:,} non-trainable parameters (BatchNorm moving statistics)",
        "{value:,} 个不可训练参数（批归一化的滑动统计量）",
    ),
    "costs.macs": tr("MACs", "MACs"),
    "costs.macs.help": tr("{value:,} multiply-accumulates per image", "每张图 {value:,} 次乘加"),
    "costs.flops": tr("FLOPs", "FLOPs"),
    "costs.flops.help": tr(
        "{value:,} floating-point operations (TF profiler convention)",
        "{value:,} 次浮点运算（TF profiler 的统计口径）",
    ),
    "costs.fp32": tr("Weights fp32", "权重 fp32"),
    "costs.fp32.help": tr(
        "fp32 {fp32:,} B · fp16 {fp16:,} B ({fp16_text}) · int8 {int8:,} B",
        "fp32 {fp32:,} 字节 · fp16 {fp16:,} 字节（{fp16_text}）· int8 {int8:,} 字节",
    ),
    "costs.int8": tr("Weights int8", "权重 int8"),
    "costs.int8.help": tr(
        "{value:,} bytes as a fully quantized TFLite model (BatchNorm folded)",
        "完全量化的 TFLite 模型约 {value:,} 字节（批归一化已折叠）",
    ),
    "costs.peak": tr("Peak activations", "峰值激活内存"),
    "costs.peak.help": tr(
        "{value:,} bytes at batch 1 in fp32, every layer output its own buffer, reached at layer {layer} "
        "(int8 on a microcontroller: {int8:,}, see below)",
        "batch 为 1 时 fp32 共 {value:,} 字节（每层输出各占一块缓冲区），出现在层 {layer}（微控制器上的 int8："
        "{int8:,}，见下）",
    ),
    "costs.peak_int8.help": tr(
        "{value:,} bytes of activation buffers in TensorFlow Lite Micro's arena for the fully quantized model: "
        "BatchNorm, ReLU and padding fused into the convolutions as the TFLite converter does, buffers shared by "
        "lifetime by its memory planner. Peak while {layer} runs. The arena needs a few kB more for bookkeeping; the "
        "Export page measures the real arena.",
        "TensorFlow Lite Micro 为完全量化模型分配的内存区中激活缓冲区共 {value:,} 字节：批归一化、ReLU 和填充按 TFLite "
        "转换器的方式融合进卷积，内存规划器按生命周期共享缓冲区。峰值出现在 {layer} 运行时。内存区另需几 kB 的管理结构；"
        "导出页会测量真实的内存区。",
    ),
    "costs.peak_int8.rough": tr(
        " Rough: some layers (recurrent) have no TFLite Micro int8 kernel.",
        " 仅为粗略估计：部分层（循环层）没有 TFLite Micro 的 int8 内核。",
    ),
    "costs.in_place.help": tr(
        "{value:,} bytes if each depthwise convolution writes its output over its input, as microcontroller engines "
        "such as TinyEngine (MCUNet) do, with buffers packed perfectly: a lower figure that depends on the engine; "
        "TFLite Micro does not reach it. Peak at {layer}.",
        "若每个深度卷积把输出写在输入之上（TinyEngine/MCUNet 等微控制器推理引擎的做法）且缓冲区完美排布，则为 {value:,} "
        "字节：这是取决于推理引擎的更低数值，TFLite Micro 达不到。峰值出现在 {layer}。",
    ),
    "costs.incomplete": tr(
        "\\* Incomplete: {figures} leave out what {count} imported layers cost, which no kind expresses ({names}); "
        "the warnings above say why.",
        "\\* 不完整：{figures} 未计入 {count} 个无法表达的导入层的开销（{names}）；原因见上方的警告。",
    ),
    "costs.dead": tr(
        "Not counted (feeds nothing): {names}",
        "未计入（输出未被使用）：{names}",
    ),
    "costs.more": tr("All figures", "全部数值"),
    "costs.timeline.title": tr("Memory timeline", "内存时间线"),
    "tab.memory": tr("Memory timeline", "内存时间线"),
    "costs.timeline.fp32": tr("fp32, unfused graph", "fp32，未融合的计算图"),
    "costs.timeline.int8": tr("int8 on TFLite Micro (fused)", "int8，TFLite Micro（已融合）"),
    "costs.timeline.peak": tr("peak {size} at {layer}", "峰值 {size}，在 {layer}"),
    "costs.timeline.x": tr("layer, in execution order", "层（按执行顺序）"),
    "costs.timeline.y": tr("live activation memory (bytes)", "存活的激活内存（字节）"),
    "costs.timeline.caption": tr(
        "Memory alive while each layer runs: its inputs, its output and everything a later layer still needs. Fused "
        "layers share the step of the layer they fuse into. TFLite Micro's planner may need a little more than the "
        "int8 line's peak when buffers fragment: its arena for activations is {arena}.",
        "每层运行时存活的内存：它的输入、输出，以及后面的层仍需要的一切。被融合的层与其融合进的层处于同一步。当缓冲区出现"
        "碎片时，TFLite Micro 的规划器可能比 int8 曲线的峰值多需要一点：它为激活分配的内存区为 {arena}。",
    ),
    "costs.exact": tr(
        "Exact: {params:,} params ({trainable:,} trainable, {non_trainable:,} non-trainable) · {macs:,} MACs · "
        "{flops:,} FLOPs · output {output}",
        "精确值：{params:,} 个参数（{trainable:,} 可训练，{non_trainable:,} 不可训练）· {macs:,} MACs · "
        "{flops:,} FLOPs · 输出 {output}",
    ),
    "costs.training": tr("Training memory · batch {batch} · {optimizer}", "训练内存 · 批大小 {batch} · {optimizer}"),
    "costs.training.help": tr(
        "{total:,} bytes: weights {weights:,} + gradients {gradients:,} + optimizer {slots:,} + "
        "activations {activations:,} + input batch {inputs:,}",
        "{total:,} 字节：权重 {weights:,} + 梯度 {gradients:,} + 优化器状态 {slots:,} + 激活 "
        "{activations:,} + 输入批次 {inputs:,}",
    ),
    "costs.batch": tr("Batch size", "批大小 (batch size)"),
    "costs.optimizer": tr("Optimizer", "优化器"),
    "costs.stale": tr("Last valid figures (the design has errors now):", "最近一次有效的数值（当前设计有错误）："),
    "costs.chart.macs": tr("MACs", "MACs"),
    "costs.chart.params": tr("Params", "参数量"),
    "costs.chart.activation": tr("Activation size (bytes)", "激活大小（字节）"),
    "costs.unit.macs": tr("MACs", "MACs"),
    "costs.unit.params": tr("params", "个参数"),
    "costs.unit.bytes": tr("bytes", "字节"),
    "costs.per_layer": tr("One row per layer (expand composite blocks)", "每层一行（展开复合块）"),
    "col.index": tr("#", "#"),
    "col.layer": tr("layer", "层"),
    "col.block": tr("block", "块"),
    "col.kind": tr("kind", "类型"),
    "col.output": tr("output", "输出"),
    "col.params": tr("params", "参数量"),
    "col.param_share": tr("param share %", "参数占比 %"),
    "col.macs": tr("MACs", "MACs"),
    "col.mac_share": tr("MAC share %", "MACs 占比 %"),
    "col.activation": tr("activation bytes", "激活字节"),
    "budget.fits": tr("{pct:.0f}% of budget", "占预算 {pct:.0f}%"),
    "budget.over": tr("+{pct:.0f}% over budget", "+{pct:.0f}% 超出预算"),
    "graph.expand_all": tr("Expand all blocks", "展开所有块"),
    "graph.expand_all.help": tr(
        "Draw every composite block as a cluster of its layers", "把每个复合块画成由其各层组成的分组"
    ),
    "graph.expand": tr("Expand blocks", "展开指定块"),
    "graph.expand.placeholder": tr("Choose composite blocks to open", "选择要展开的复合块"),
    "graph.input": tr("Input", "输入"),
    "graph.dead": tr("feeds nothing: not in the model", "输出未被使用：不属于模型"),
    "graph.output": tr("Output", "输出"),
    # inside the drawing's labels: "{}" is the setting's value
    "graph.units": tr("{} units", "{} 个单元"),
    "graph.dim": tr("dim {}", "维度 {}"),
    "graph.squeeze": tr("squeeze {}", "压缩 {}"),
    "graph.exp": tr("exp {}", "扩展 {}"),
    "graph.skip": tr("skip", "跳连"),
    "graph.mermaid": tr("Mermaid (graph TD) for your documents", "用于文档的 Mermaid（graph TD）"),
    "files.download": tr("Download design JSON", "下载设计 JSON"),
    "files.link": tr("Copy link", "复制链接"),
    "files.link.help": tr(
        "A link that opens this design in LightDesign (the design travels in the URL)",
        "在 LightDesign 中打开此设计的链接（设计编码在网址里）",
    ),
    "files.upload": tr("Open a design JSON (at most {kb} KB)", "打开设计 JSON（最大 {kb} KB）"),
    "files.upload.help": tr(
        "A design downloaded from LightDesign; a larger file is refused with its size.",
        "从 LightDesign 下载的设计文件；更大的文件会被拒绝并说明其大小。",
    ),
    "files.opened": tr("Opened {file!r} as the design {name!r}.", "已把 {file!r} 打开为设计 {name!r}。"),
    "files.failed": tr(
        "Could not open {file!r}: {error}. Your workspace is unchanged.",
        "无法打开 {file!r}：{error}。你的工作区没有改动。",
    ),
    "files.import": tr(
        "Import a model (.keras, .h5, Keras JSON, .tflite, .onnx)",
        "导入模型（.keras、.h5、Keras JSON、.tflite、.onnx）",
    ),
    "files.import.help": tr(
        "Read as data only, never run. At most {mb} MB (LIGHTDESIGN_MAX_MODEL_MB). Layers that cannot be "
        "mapped become opaque blocks that keep their figures.",
        "只作为数据读取，从不执行。最大 {mb} MB（LIGHTDESIGN_MAX_MODEL_MB）。无法映射的层会成为保留其数值的不透明块。",
    ),
    "files.import.shape": tr("Input shape for the model (if open)", "模型输入形状（若未固定）"),
    "files.import.shape.help": tr(
        "Channels last, e.g. 224,224,3; only needed when the file leaves the input size open",
        "通道在后，例如 224,224,3；仅当文件未固定输入尺寸时需要",
    ),
    "files.import.fold": tr("Fold into blocks", "折叠为复合块"),
    "files.import.fold.help": tr(
        "Recognise separable, inverted residual, SE, fire, shuffle and ghost units in the flat layers",
        "在扁平的层中识别可分离、倒残差、SE、Fire、Shuffle 和 Ghost 单元",
    ),
    "files.imported": tr(
        "Imported {file!r} ({format}) as the design {name!r}: {layers} layers, {blocks} blocks, {folded} folded into composite blocks.",
        "已把 {file!r}（{format}）导入为设计 {name!r}：{layers} 层，{blocks} 个块，其中 {folded} 个折叠为复合块。",
    ),
    "files.import_failed": tr(
        "Could not import {file!r}: {error}. Your workspace is unchanged.",
        "无法导入 {file!r}：{error}。你的工作区没有改动。",
    ),
    "files.opaque": tr(
        "{count} imported layer(s) cannot be expressed in LightDesign; they keep their figures, but code, training and export refuse them:",
        "有 {count} 个导入的层无法用 LightDesign 表达；它们保留各自的数值，但代码、训练和导出会拒绝它们：",
    ),
    "files.weights": tr(
        "The file carries weights for {count} layers; they match the layers of the same name and shape while the structure is unchanged.",
        "文件带有 {count} 个层的权重；在结构不变时，它们与同名同形状的层对应。",
    ),
    "files.weights_not_kept": tr(
        "The file could not be kept with the design ({error}): Train and Export will use new weights.",
        "无法把文件与设计一起保存（{error}）：训练和导出将使用新权重。",
    ),
    "files.too_big": tr(
        "the file is {size:,} bytes; the limit is {limit:,} bytes",
        "文件大小为 {size:,} 字节；上限为 {limit:,} 字节",
    ),
    "budget.intro": tr(
        "Set the limits of your device; every figure shows its share of the budget, red when over.",
        "设置目标设备的限制；每个数值都会显示占预算的比例，超出时标红。",
    ),
    "budget.macs": tr("Max MACs", "MACs 上限"),
    "budget.params": tr("Max params", "参数量上限"),
    "budget.int8": tr("Max int8 weights (flash)", "int8 权重上限（Flash）"),
    "budget.peak": tr("Max peak activations (RAM)", "峰值激活上限（RAM）"),
    "budget.sram": tr("Max int8 arena (MCU SRAM)", "int8 内存区上限（MCU SRAM）"),
    "budget.min_resolution": tr("Min input resolution", "最小输入分辨率"),
    "budget.amount.help": tr(
        "e.g. 300M, 2e6, 512KB, 1MB; empty = no limit", "例如 300M、2e6、512KB、1MB；留空表示不限制"
    ),
    "budget.none": tr("No budget set.", "尚未设置预算。"),
    "budget.fits_all": tr("The design fits the budget.", "该设计满足预算。"),
    "budget.over_list": tr("Over budget: {items}.", "超出预算：{items}。"),
    "budget.resolution_low": tr("input resolution below {minimum}", "输入分辨率低于 {minimum}"),
    "limit.macs": tr("MACs", "MACs"),
    "limit.params": tr("Params", "参数量"),
    "limit.int8": tr("int8 weights (flash)", "int8 权重（Flash）"),
    "limit.peak": tr("Peak activations (RAM)", "峰值激活（RAM）"),
    "limit.sram": tr("int8 TFLite Micro arena (SRAM)", "int8 TFLite Micro 内存区（SRAM）"),
    "scaling.intro": tr(
        "The MobileNet paper's two knobs on a grid, each point analysed in full. Outlined cells fit the budget.",
        "在网格上扫描 MobileNet 论文的两个旋钮，每个点都完整分析。带框的格子满足预算。",
    ),
    "scaling.width_resolution": tr("Width multiplier × resolution", "宽度乘数 × 分辨率"),
    "scaling.expansion_depth": tr("Expansion ratio × repeats per stage", "扩展倍数 × 每阶段重复次数"),
    "scaling.kind": tr("Knobs", "旋钮"),
    "scaling.heat.macs": tr("MACs", "MACs"),
    "scaling.heat.peak": tr("Peak activations (bytes)", "峰值激活（字节）"),
    "scaling.alpha": tr("width multiplier α", "宽度乘数 α"),
    "scaling.resolution": tr("resolution", "分辨率"),
    "scaling.expansion": tr("expansion factor", "扩展倍数系数"),
    "scaling.depth": tr("depth factor", "深度系数"),
    "scaling.apply": tr(
        "Apply the largest design that fits ({x} = {xv}, {y} = {yv}: {macs} MACs)",
        "应用满足预算的最大设计（{x} = {xv}，{y} = {yv}：{macs} MACs）",
    ),
    "scaling.none_fit": tr("No point of the grid fits the budget.", "网格中没有满足预算的点。"),
    "scaling.need_budget": tr(
        "Set a budget above to see which scaled designs fit.", "先在上方设置预算，看看哪些缩放后的设计满足要求。"
    ),
    "scaling.images_only": tr("The width × resolution search needs an image input.", "宽度 × 分辨率搜索需要图像输入。"),
    "scaling.applied": tr("Added {name!r} to the workspace.", "已把 {name!r} 加入工作区。"),
    "scaling.seconds": tr("{points} designs analysed in {ms:.0f} ms.", "在 {ms:.0f} 毫秒内分析了 {points} 个设计。"),
    "scaling.show": tr("Scan width, resolution, expansion and depth", "扫描宽度、分辨率、扩展倍数与深度"),
    "scaling.progress": tr(
        "{done} of {points} designs analysed ({seconds:.0f} s), in the background",
        "已在后台分析 {points} 个设计中的 {done} 个（{seconds:.0f} 秒）",
    ),
    "scaling.cancel": tr("Cancel", "取消"),
    "graph.too_many": tr(
        "The drawing would have {nodes:,} nodes; drawings are limited to {limit:,}. Expand fewer blocks "
        "(the Export page offers the DOT and Mermaid text of the whole design).",
        "图中将有 {nodes:,} 个节点；绘图最多 {limit:,} 个。请少展开一些块（导出页提供整个设计的 DOT 与 Mermaid 文本）。",
    ),
    "scaling.cancelled": tr(
        "Scan cancelled after {done} of {points} designs ({seconds:.0f} s); the grid shows those.",
        "扫描已取消：完成 {points} 个设计中的 {done} 个（{seconds:.0f} 秒）；网格只显示这些。",
    ),
    "scaling.timed_out": tr(
        "The scan stopped at its time limit after {done} of {points} designs ({seconds:.0f} s); the grid shows those.",
        "扫描到达时间上限后停止：完成 {points} 个设计中的 {done} 个（{seconds:.0f} 秒）；网格只显示这些。",
    ),
    "scaling.continue": tr("Continue", "继续"),
    "suggest.running": tr(
        "Looking for lighter substitutes in the background ({seconds:.0f} s)…",
        "正在后台寻找更轻的替代方案（{seconds:.0f} 秒）…",
    ),
    "suggest.cancel": tr("Cancel", "取消"),
    "suggest.partial": tr(
        "The search stopped at its time limit; these {count} suggestions are the ones found so far.",
        "搜索到达时间上限后停止；以下 {count} 条是目前找到的建议。",
    ),
    "suggest.show": tr("Look for lighter substitutes", "寻找更轻的替代方案"),
    "suggest.intro": tr(
        "Each saving is exact: the design is analysed with the substitute in place.",
        "每项节省都是精确值：把替代方案放进设计后重新分析得到。",
    ),
    "suggest.none": tr("No lighter substitute found for this design.", "没有找到更轻的替代方案。"),
    "suggest.saves": tr(
        "saves {params} params ({params_pct:.0f}%) and {macs} MACs ({macs_pct:.0f}%)",
        "节省 {params} 个参数（{params_pct:.0f}%）和 {macs} MACs（{macs_pct:.0f}%）",
    ),
    "suggest.apply": tr("Apply", "应用"),
    "suggest.theory": tr("Theory: {text}", "理论值：{text}"),
    "suggest.gone": tr("This suggestion no longer applies.", "该建议已不再适用。"),
    "suggest.separable": tr("Use a depthwise-separable unit", "改用深度可分离单元"),
    "suggest.global_pool": tr("Use a global-pooling head", "改用全局池化分类头"),
    "suggest.fire": tr("Use a fire module", "改用 Fire 模块"),
}
