"""Every UI string in English and Simplified Chinese, by key. Technical terms (layer kinds,
metric names such as MACs and FLOPs) stay in English beside the Chinese."""

from __future__ import annotations


def _e(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


CATALOG: dict[str, dict[str, str]] = {
    # -- navigation and shared -------------------------------------------------------------
    "nav.design": _e("Design", "设计"),
    "nav.compare": _e("Compare", "比较"),
    "nav.train": _e("Train", "训练"),
    "nav.export": _e("Export", "导出"),
    "nav.learn": _e("Learn", "学习"),
    "app.tagline": _e("Design lightweight neural networks", "设计轻量级神经网络"),
    "issue.block": _e("Block {block} '{name}' ({kind}): {message}", "第 {block} 块 '{name}' ({kind})：{message}"),
    "issue.design": _e("Design: {message}", "设计：{message}"),
    "issue.valid": _e("valid: {valid}", "有效取值：{valid}"),
    "category.Convolution": _e("Convolution", "卷积 Convolution"),
    "category.Lightweight blocks": _e("Lightweight blocks", "轻量模块 Lightweight blocks"),
    "category.Pooling": _e("Pooling", "池化 Pooling"),
    "category.Dense": _e("Dense", "全连接 Dense"),
    "category.Recurrent": _e("Recurrent", "循环 Recurrent"),
    "category.Regularization": _e("Regularization", "正则化与激活 Regularization"),
    "category.Shape & merge": _e("Shape & merge", "形状与合并 Shape & merge"),
    "link.opened": _e("Opened the design {name!r} from the link.", "已从链接打开设计 {name!r}。"),
    "link.failed": _e(
        "Could not open the shared design: {error}. Your workspace is unchanged.",
        "无法打开分享的设计：{error}。你的工作区没有改动。",
    ),
    # -- workspace bar ------------------------------------------------------------------------
    "ws.design": _e("Design", "设计"),
    "ws.design.help": _e(
        "Each design keeps its own undo history. Keep variants here to compare them.",
        "每个设计都有自己的撤销历史。把变体保存在这里以便比较。",
    ),
    "ws.rename": _e("Rename", "重命名"),
    "ws.new": _e("New", "新建"),
    "ws.new.help": _e("Start an empty design", "新建一个空设计"),
    "ws.copy": _e("Copy", "复制"),
    "ws.copy.help": _e("Duplicate the current design", "复制当前设计"),
    "ws.delete": _e("Delete", "删除"),
    "ws.delete.help": _e("Delete the current design", "删除当前设计"),
    # -- design page ---------------------------------------------------------------------------
    "design.title": _e("Design · {name}", "设计 · {name}"),
    "design.presets": _e("Start from a preset", "从预设开始"),
    "design.knobs": _e("Input shape, classes and width", "输入形状、类别数与宽度"),
    "design.budget": _e("Fit to a budget", "满足预算"),
    "design.layers": _e("Layers", "层"),
    "design.configure": _e("Configure", "配置"),
    "design.save": _e("Save and share", "保存与分享"),
    "design.graph": _e("Graph", "结构图"),
    "design.cost": _e("Cost per block", "各块的开销"),
    "design.scaling": _e("Scaling search", "缩放搜索"),
    "design.suggestions": _e("Lighter substitutes", "更轻的替代方案"),
    # presets and knobs
    "preset.preset": _e("Preset", "预设"),
    "preset.alpha": _e("Width α", "宽度系数 α"),
    "preset.resolution": _e("Resolution", "分辨率"),
    "preset.sequence length": _e("Sequence length", "序列长度"),
    "preset.classes": _e("Classes", "类别数"),
    "preset.groups": _e("Groups", "分组数 (groups)"),
    "preset.open": _e("Open preset as a new design", "以预设新建设计"),
    "preset.opened": _e(
        "Opened the preset {title} as {name!r}; edit it block by block.",
        "已打开预设 {title}，名为 {name!r}；可以逐块修改。",
    ),
    "preset.title.seed_cnn": _e("Seed CNN (the article's)", "入门 CNN（原文示例）"),
    "preset.title.text_rnn": _e("Text RNN (Embedding + LSTM)", "文本 RNN（Embedding + LSTM）"),
    "knobs.shape": _e("Input shape", "输入形状"),
    "knobs.shape.help": _e(
        "Height, width, channels for images; steps for token ids; steps, features for sequences",
        "图像为 高, 宽, 通道；词元 id 为 步数；序列为 步数, 特征数",
    ),
    "knobs.shape.bad": _e(
        "{text!r} is not a shape; write e.g. 224, 224, 3 (image), 100 (tokens) or 50, 8",
        "{text!r} 不是形状；请写成例如 224, 224, 3（图像）、100（词元）或 50, 8",
    ),
    "knobs.classes": _e("Classes", "类别数"),
    "knobs.width": _e("Width multiplier", "宽度乘数"),
    "knobs.width.help": _e(
        "Rescale every channel count, rounded to a multiple of 8 as MobileNet does",
        "按比例缩放所有通道数，并像 MobileNet 一样取整为 8 的倍数",
    ),
    "knobs.apply_width": _e("Apply width", "应用宽度"),
    # stack
    "stack.palette_help": _e("Drag a kind into your stack", "把层拖进你的堆栈"),
    "stack.stack": _e("Your stack (top = input side): drag to reorder", "你的堆栈（顶部为输入端）：拖动以重新排序"),
    "stack.bin": _e("🗑 Bin: drop here to delete", "🗑 回收站：拖到这里删除"),
    "stack.undo": _e("↶ Undo", "↶ 撤销"),
    "stack.redo": _e("↷ Redo", "↷ 重做"),
    "stack.selected": _e("Selected block", "选中的块"),
    "stack.kind": _e("Kind to add", "要添加的层"),
    "stack.add": _e("Add after selected", "添加到选中块之后"),
    "stack.up": _e("↑ Up", "↑ 上移"),
    "stack.down": _e("↓ Down", "↓ 下移"),
    "stack.duplicate": _e("Duplicate", "复制"),
    "stack.delete": _e("Delete", "删除"),
    # form
    "form.empty": _e(
        "The stack is empty: drag a kind from the palette or use “Add after selected”.",
        "堆栈是空的：从调色板拖入一个层，或使用“添加到选中块之后”。",
    ),
    "form.name": _e("Name", "名称"),
    "form.name.help": _e(
        "Letters, digits and underscores; used as the Keras layer name.", "字母、数字和下划线；用作 Keras 层名。"
    ),
    "form.input": _e("Reads from", "输入来自"),
    "form.previous": _e("(previous block)", "（上一块）"),
    "form.input.help": _e(
        "Branch off an earlier output instead of the previous block (for multi-branch designs).",
        "从更早的某个输出分支，而不是上一块（用于多分支设计）。",
    ),
    "form.not_ints": _e(
        "{text!r} is not a list of integers; write e.g. 28, -1", "{text!r} 不是整数列表；请写成例如 28, -1"
    ),
}

CATALOG.update(
    {
        # -- costs ------------------------------------------------------------------------------------
        "costs.conventions": _e(
            "Params follow Keras (trainable + BatchNorm statistics). MACs are multiply-accumulates of convolutions, dense "
            "and recurrent layers (the papers' Mult-Adds). FLOPs follow TensorFlow's profiler. Peak memory is the largest "
            "set of live activations at batch 1.",
            "参数量 (Params) 按 Keras 统计（可训练 + 批归一化统计量）。MACs 是卷积、全连接和循环层的乘加次数（论文中的 "
            "Mult-Adds）。FLOPs 按 TensorFlow profiler 统计。峰值内存是 batch 为 1 时同时存活的激活的最大总和。",
        ),
        "costs.params": _e("Params", "参数量 Params"),
        "costs.params.help": _e(
            "{params:,} parameters: {trainable:,} trainable + {non_trainable:,} non-trainable. {conventions}",
            "{params:,} 个参数：{trainable:,} 个可训练 + {non_trainable:,} 个不可训练。{conventions}",
        ),
        "costs.trainable": _e("Trainable", "可训练 Trainable"),
        "costs.trainable.help": _e("{value:,} trainable parameters", "{value:,} 个可训练参数"),
        "costs.non_trainable": _e("Non-trainable", "不可训练 Non-trainable"),
        "costs.non_trainable.help": _e(
            "{value:,} non-trainable parameters (BatchNorm moving statistics)",
            "{value:,} 个不可训练参数（批归一化的滑动统计量）",
        ),
        "costs.macs": _e("MACs", "乘加 MACs"),
        "costs.macs.help": _e("{value:,} multiply-accumulates per image", "每张图 {value:,} 次乘加"),
        "costs.flops": _e("FLOPs", "浮点运算 FLOPs"),
        "costs.flops.help": _e(
            "{value:,} floating-point operations (TF profiler convention)",
            "{value:,} 次浮点运算（TF profiler 的统计口径）",
        ),
        "costs.fp32": _e("Weights fp32", "权重 fp32"),
        "costs.fp32.help": _e(
            "fp32 {fp32:,} B · fp16 {fp16:,} B ({fp16_text}) · int8 {int8:,} B",
            "fp32 {fp32:,} 字节 · fp16 {fp16:,} 字节（{fp16_text}）· int8 {int8:,} 字节",
        ),
        "costs.int8": _e("Weights int8", "权重 int8"),
        "costs.int8.help": _e(
            "{value:,} bytes as a fully quantized TFLite model (BatchNorm folded)",
            "完全量化的 TFLite 模型约 {value:,} 字节（批归一化已折叠）",
        ),
        "costs.peak": _e("Peak activations", "峰值激活内存"),
        "costs.peak.help": _e(
            "{value:,} bytes at batch 1 in fp32 ({int8:,} in int8), reached at layer {layer}",
            "batch 为 1 时 fp32 共 {value:,} 字节（int8 为 {int8:,}），出现在层 {layer}",
        ),
        "costs.exact": _e(
            "Exact: {params:,} params ({trainable:,} trainable, {non_trainable:,} non-trainable) · {macs:,} MACs · "
            "{flops:,} FLOPs · output {output}",
            "精确值：{params:,} 个参数（{trainable:,} 可训练，{non_trainable:,} 不可训练）· {macs:,} MACs · "
            "{flops:,} FLOPs · 输出 {output}",
        ),
        "costs.training": _e("Training memory · batch {batch} · {optimizer}", "训练内存 · batch {batch} · {optimizer}"),
        "costs.training.help": _e(
            "{total:,} bytes: weights {weights:,} + gradients {gradients:,} + optimizer {slots:,} + "
            "activations {activations:,} + input batch {inputs:,}",
            "{total:,} 字节：权重 {weights:,} + 梯度 {gradients:,} + 优化器状态 {slots:,} + 激活 "
            "{activations:,} + 输入批次 {inputs:,}",
        ),
        "costs.batch": _e("Batch size", "批大小 (batch size)"),
        "costs.optimizer": _e("Optimizer", "优化器"),
        "costs.stale": _e("Last valid figures (the design has errors now):", "最近一次有效的数值（当前设计有错误）："),
        "costs.chart.macs": _e("MACs", "乘加 MACs"),
        "costs.chart.params": _e("Params", "参数量 Params"),
        "costs.chart.activation": _e("Activation size (bytes)", "激活大小（字节）"),
        "costs.unit.macs": _e("MACs", "MACs"),
        "costs.unit.params": _e("params", "个参数"),
        "costs.unit.bytes": _e("bytes", "字节"),
        "costs.per_layer": _e("One row per layer (expand composite blocks)", "每层一行（展开复合块）"),
        "col.index": _e("#", "#"),
        "col.layer": _e("layer", "层"),
        "col.block": _e("block", "块"),
        "col.kind": _e("kind", "类型"),
        "col.output": _e("output", "输出"),
        "col.params": _e("params", "参数量"),
        "col.param_share": _e("param share %", "参数占比 %"),
        "col.macs": _e("MACs", "MACs"),
        "col.mac_share": _e("MAC share %", "MACs 占比 %"),
        "col.activation": _e("activation bytes", "激活字节"),
        "budget.fits": _e("{pct:.0f}% of budget", "占预算 {pct:.0f}%"),
        "budget.over": _e("+{pct:.0f}% over budget", "+{pct:.0f}% 超出预算"),
        # -- graph ----------------------------------------------------------------------------------
        "graph.expand_all": _e("Expand all blocks", "展开所有块"),
        "graph.expand_all.help": _e(
            "Draw every composite block as a cluster of its layers", "把每个复合块画成由其各层组成的分组"
        ),
        "graph.expand": _e("Expand blocks", "展开指定块"),
        "graph.expand.placeholder": _e("Choose composite blocks to open", "选择要展开的复合块"),
        "graph.input": _e("Input", "输入 Input"),
        "graph.output": _e("Output", "输出 Output"),
        "graph.mermaid": _e("Mermaid (graph TD) for your documents", "用于文档的 Mermaid（graph TD）"),
        # -- files ------------------------------------------------------------------------------------
        "files.download": _e("Download design JSON", "下载设计 JSON"),
        "files.link": _e("Copy link", "复制链接"),
        "files.link.help": _e(
            "A link that opens this design in LightDesign (the design travels in the URL)",
            "在 LightDesign 中打开此设计的链接（设计编码在网址里）",
        ),
        "files.upload": _e("Open a design JSON", "打开设计 JSON"),
        "files.upload.help": _e("At most {kb} KB", "最大 {kb} KB"),
        "files.opened": _e("Opened {file!r} as the design {name!r}.", "已把 {file!r} 打开为设计 {name!r}。"),
        "files.failed": _e(
            "Could not open {file!r}: {error}. Your workspace is unchanged.",
            "无法打开 {file!r}：{error}。你的工作区没有改动。",
        ),
        "files.too_big": _e(
            "the file is {size:,} bytes; the limit is {limit:,} bytes",
            "文件大小为 {size:,} 字节；上限为 {limit:,} 字节",
        ),
    }
)

CATALOG.update(
    {
        # -- budget, scaling, suggestions --------------------------------------------------------------
        "budget.intro": _e(
            "Set the limits of your device; every figure shows its share of the budget, red when over.",
            "设置目标设备的限制；每个数值都会显示占预算的比例，超出时标红。",
        ),
        "budget.macs": _e("Max MACs", "MACs 上限"),
        "budget.params": _e("Max params", "参数量上限"),
        "budget.int8": _e("Max int8 weights (flash)", "int8 权重上限（Flash）"),
        "budget.peak": _e("Max peak activations (RAM)", "峰值激活上限（RAM）"),
        "budget.min_resolution": _e("Min input resolution", "最小输入分辨率"),
        "budget.amount.help": _e(
            "e.g. 300M, 2e6, 512KB, 1MB; empty = no limit", "例如 300M、2e6、512KB、1MB；留空表示不限制"
        ),
        "budget.none": _e("No budget set.", "尚未设置预算。"),
        "budget.fits_all": _e("The design fits the budget.", "该设计满足预算。"),
        "budget.over_list": _e("Over budget: {items}.", "超出预算：{items}。"),
        "budget.resolution_low": _e("input resolution below {minimum}", "输入分辨率低于 {minimum}"),
        "limit.macs": _e("MACs", "MACs"),
        "limit.params": _e("Params", "参数量 Params"),
        "limit.int8": _e("int8 weights (flash)", "int8 权重（Flash）"),
        "limit.peak": _e("Peak activations (RAM)", "峰值激活（RAM）"),
        "scaling.intro": _e(
            "The MobileNet paper's two knobs on a grid, each point analysed in full. Outlined cells fit the budget.",
            "在网格上扫描 MobileNet 论文的两个旋钮，每个点都完整分析。带框的格子满足预算。",
        ),
        "scaling.width_resolution": _e("Width multiplier × resolution", "宽度乘数 × 分辨率"),
        "scaling.expansion_depth": _e("Expansion ratio × repeats per stage", "扩展倍数 × 每阶段重复次数"),
        "scaling.kind": _e("Knobs", "旋钮"),
        "scaling.heat.macs": _e("MACs", "MACs"),
        "scaling.heat.peak": _e("Peak activations (bytes)", "峰值激活（字节）"),
        "scaling.alpha": _e("width multiplier α", "宽度乘数 α"),
        "scaling.resolution": _e("resolution", "分辨率"),
        "scaling.expansion": _e("expansion factor", "扩展倍数系数"),
        "scaling.depth": _e("depth factor", "深度系数"),
        "scaling.apply": _e(
            "Apply the largest design that fits ({x} = {xv}, {y} = {yv}: {macs} MACs)",
            "应用满足预算的最大设计（{x} = {xv}，{y} = {yv}：{macs} MACs）",
        ),
        "scaling.none_fit": _e("No point of the grid fits the budget.", "网格中没有满足预算的点。"),
        "scaling.need_budget": _e(
            "Set a budget above to see which scaled designs fit.", "先在上方设置预算，看看哪些缩放后的设计满足要求。"
        ),
        "scaling.images_only": _e(
            "The width × resolution search needs an image input.", "宽度 × 分辨率搜索需要图像输入。"
        ),
        "scaling.applied": _e("Added {name!r} to the workspace.", "已把 {name!r} 加入工作区。"),
        "scaling.seconds": _e(
            "{points} designs analysed in {ms:.0f} ms.", "在 {ms:.0f} 毫秒内分析了 {points} 个设计。"
        ),
        "scaling.show": _e("Scan width, resolution, expansion and depth", "扫描宽度、分辨率、扩展倍数与深度"),
        "suggest.show": _e("Look for lighter substitutes", "寻找更轻的替代方案"),
        "suggest.intro": _e(
            "Each saving is exact: the design is analysed with the substitute in place.",
            "每项节省都是精确值：把替代方案放进设计后重新分析得到。",
        ),
        "suggest.none": _e("No lighter substitute found for this design.", "没有找到更轻的替代方案。"),
        "suggest.saves": _e(
            "saves {params} params ({params_pct:.0f}%) and {macs} MACs ({macs_pct:.0f}%)",
            "节省 {params} 个参数（{params_pct:.0f}%）和 {macs} MACs（{macs_pct:.0f}%）",
        ),
        "suggest.apply": _e("Apply", "应用"),
        "suggest.theory": _e("Theory: {text}", "理论值：{text}"),
        "suggest.gone": _e("This suggestion no longer applies.", "该建议已不再适用。"),
        "suggest.separable": _e("Use a depthwise-separable unit", "改用深度可分离单元"),
        "suggest.global_pool": _e("Use a global-pooling head", "改用全局池化分类头"),
        "suggest.fire": _e("Use a fire module", "改用 Fire 模块"),
    }
)

CATALOG.update(
    {
        # -- train page -------------------------------------------------------------------------------
        "train.title": _e("Train · {name}", "训练 · {name}"),
        "train.data": _e("Data", "数据"),
        "train.settings": _e("Settings", "设置"),
        "train.run": _e("Run", "运行"),
        "train.no_run": _e("No run yet in this session.", "本次会话中还没有运行。"),
        "train.design_errors": _e(
            "The design has errors; fix them on the Design page first. {error}", "设计有错误；请先在设计页修正。{error}"
        ),
        "train.start": _e("Start training", "开始训练"),
        "train.dataset": _e("Dataset", "数据集"),
        "dataset.digits28": _e("Digits 28x28 (built in)", "手写数字 28x28（内置）"),
        "dataset.digits8": _e("Digits 8x8 (built in)", "手写数字 8x8（内置）"),
        "dataset.shapes": _e("Shapes 32x32 (generated)", "几何图形 32x32（生成）"),
        "dataset.shapes_rgb": _e("Shapes 32x32 RGB (generated)", "彩色几何图形 32x32（生成）"),
        "dataset.waves": _e("Waveforms 50x1 (generated)", "波形序列 50x1（生成）"),
        "dataset.tokens": _e("Token sequences 100 (generated)", "词元序列 100（生成）"),
        "dataset.mnist": _e("MNIST (download)", "MNIST（需下载）"),
        "dataset.fashion_mnist": _e("Fashion-MNIST (download)", "Fashion-MNIST（需下载）"),
        "dataset.cifar10": _e("CIFAR-10 (download)", "CIFAR-10（需下载）"),
        "dataset.upload_npz": _e("Upload arrays (.npz)", "上传数组（.npz）"),
        "dataset.upload_zip": _e("Upload image folders (.zip)", "上传图片文件夹（.zip）"),
        "dataset.desc.digits28": _e(
            "scikit-learn's handwritten digits upscaled to 28x28, 10 classes",
            "scikit-learn 自带的手写数字，放大到 28x28，10 类",
        ),
        "dataset.desc.digits8": _e(
            "scikit-learn's 8x8 handwritten digits, 10 classes", "scikit-learn 自带的 8x8 手写数字，10 类"
        ),
        "dataset.desc.shapes": _e("generated shapes, grayscale", "生成的几何图形，灰度"),
        "dataset.desc.shapes_rgb": _e("generated shapes, colour", "生成的几何图形，彩色"),
        "dataset.desc.waves": _e("generated waveforms: sine, square, sawtooth", "生成的波形：正弦、方波、锯齿波"),
        "dataset.desc.tokens": _e("generated token-id documents, 2 topics", "生成的词元 id 文档，2 个主题"),
        "dataset.desc.upload": _e("uploaded: {name}", "上传的数据：{name}"),
        "dataset.keras_info": _e(
            "{title}: downloaded by the training worker when you start (needs internet; offline, use the "
            "built-in digits, shapes or sequences, or an upload).",
            "{title}：开始训练时由训练进程下载（需要联网；离线时请使用内置的手写数字、几何图形或序列数据，或上传数据）。",
        ),
        "dataset.preview": _e(
            "{description} · {train:,} training and {test:,} test samples · samples {shape} · classes: {classes}",
            "{description} · {train:,} 个训练样本和 {test:,} 个测试样本 · 样本形状 {shape} · 类别：{classes}",
        ),
        "shapes.size": _e("Image size", "图像尺寸"),
        "shapes.classes": _e("Shapes", "图形种类数"),
        "shapes.count": _e("Images", "图像数量"),
        "shapes.seed": _e("Seed", "随机种子"),
        "spinner.shapes": _e("Drawing the shapes…", "正在绘制图形…"),
        "spinner.dataset": _e("Preparing the dataset…", "正在准备数据集…"),
        "upload.npz.caption": _e(
            "numpy.savez(x_train=…, y_train=…[, x_test=…, y_test=…]): images (N, H, W[, C]), token ids (N, T) "
            "or sequences (N, T, F); integer labels 0 … K-1.",
            "numpy.savez(x_train=…, y_train=…[, x_test=…, y_test=…])：图像 (N, H, W[, C])、词元 id (N, T) "
            "或序列 (N, T, F)；整数标签 0 … K-1。",
        ),
        "upload.npz": _e("Arrays (.npz)", "数组文件（.npz）"),
        "upload.zip.caption": _e(
            "A zip with one folder per class: cats/1.png, dogs/2.jpg …",
            "每个类别一个文件夹的 zip：cats/1.png、dogs/2.jpg …",
        ),
        "upload.zip.size": _e("Resize images to", "把图像缩放到"),
        "upload.zip.channels": _e("Channels", "通道"),
        "upload.gray": _e("grayscale", "灰度"),
        "upload.rgb": _e("RGB", "彩色 RGB"),
        "upload.zip": _e("Image folders (.zip)", "图片文件夹（.zip）"),
        "upload.wait": _e("Upload a file to train on it.", "上传文件后即可用它训练。"),
        "upload.error": _e("{file}: {error}", "文件 {file}：{error}"),
        "match.resize": _e(
            "The images are {data} and the design expects {design}: they will be resized (and converted between "
            "gray and RGB) for training.",
            "图像为 {data}，而设计需要 {design}：训练时会自动缩放（并在灰度和彩色之间转换）。",
        ),
        "match.bad_shape": _e(
            "The design expects samples of shape {design} but this data has {data}.",
            "设计需要形状为 {design} 的样本，但这些数据是 {data}。",
        ),
        "match.set_input": _e("Set the design's input to {shape}", "把设计的输入设为 {shape}"),
        "match.classes": _e(
            "The data has {data} classes and the design outputs {design}.", "数据有 {data} 类，而设计输出 {design} 类。"
        ),
        "match.set_classes": _e("Set the design to {classes} classes", "把设计改为 {classes} 类"),
        "set.epochs": _e("Epochs", "轮数 (epochs)"),
        "set.batch": _e("Batch size", "批大小 (batch size)"),
        "set.optimizer": _e("Optimizer", "优化器"),
        "set.sgd": _e("SGD + momentum 0.9", "SGD + 动量 0.9"),
        "set.lr": _e("Learning rate", "学习率"),
        "set.split": _e("Validation split", "验证集比例"),
        "set.seed": _e("Seed", "随机种子"),
        "set.cap": _e("Sample cap (0 = all)", "样本上限（0 = 全部）"),
        "set.cap.help": _e("Train on at most this many samples, for speed", "最多用这么多样本训练，以加快速度"),
        "set.mixed": _e("Mixed precision", "混合精度"),
        "set.mixed.gpu": _e("float16 compute on a GPU", "在 GPU 上用 float16 计算"),
        "set.mixed.none": _e("Needs a GPU; this server has none", "需要 GPU；本服务器没有"),
        "est.memory": _e("Estimated training memory", "预计训练内存"),
        "est.memory.help": _e(
            "{value:,} bytes at batch {batch}: weights, gradients, optimizer state, activations",
            "batch 为 {batch} 时 {value:,} 字节：权重、梯度、优化器状态、激活",
        ),
        "est.time": _e("Estimated time per epoch", "预计每轮时间"),
        "est.time.help": _e(
            "3 x {flops:,} FLOPs per sample x {samples:,} samples at {rate:.1f} GFLOP/s ({how})",
            "每个样本 3 × {flops:,} FLOPs × {samples:,} 个样本，按 {rate:.1f} GFLOP/s 估算（{how}）",
        ),
        "est.measured": _e("measured on your last run", "根据你上次运行实测"),
        "est.assumed": _e("assumed", "假定值"),
        "est.free": _e("Free memory on the server", "服务器可用内存"),
        "est.unknown": _e("unknown", "未知"),
        "est.refuse": _e(
            "Training would need about {need} but the server has {free} free. Lower the batch size, the resolution "
            "or the width.",
            "训练大约需要 {need}，但服务器只剩 {free} 可用。请减小批大小、分辨率或宽度。",
        ),
        "train.not_started": _e("Training did not start: {error}", "训练没有开始：{error}"),
        "curve.loss": _e("Loss", "损失 (loss)"),
        "curve.accuracy": _e("Accuracy", "准确率 (accuracy)"),
        "curve.epoch": _e("epoch", "轮 (epoch)"),
        "curve.batches_loss": _e("train loss (batches)", "训练损失（按批）"),
        "curve.batches_accuracy": _e("train accuracy (batches)", "训练准确率（按批）"),
        "queue.waiting": _e(
            "Waiting for a free worker: {running} job(s) are running on this server (limit {limit}); you are "
            "number {position} in the queue.",
            "正在等待空闲的工作进程：本服务器有 {running} 个任务在运行（上限 {limit}）；你排在队列第 {position} 位。",
        ),
        "progress.text": _e(
            "Epoch {epoch}/{epochs} · batch {batch}/{batches} · {rate:.0f} samples/s · about {eta} left",
            "Epoch {epoch}/{epochs} · batch {batch}/{batches} · 每秒 {rate:.0f} 个样本 · 约剩 {eta}",
        ),
        "progress.starting": _e("Starting the worker…", "正在启动工作进程…"),
        "status.Loading TensorFlow…": _e("Loading TensorFlow…", "正在加载 TensorFlow…"),
        "status.Preparing the data…": _e("Preparing the data…", "正在准备数据…"),
        "status.Building the model…": _e("Building the model…", "正在构建模型…"),
        "status.Training…": _e("Training…", "正在训练…"),
        "status.Evaluating on the test set…": _e("Evaluating on the test set…", "正在测试集上评估…"),
        "status.Measuring Keras latency…": _e("Measuring Keras latency…", "正在测量 Keras 延迟…"),
        "status.Converting to TFLite float32…": _e("Converting to TFLite float32…", "正在转换为 TFLite float32…"),
        "status.Measuring TFLite float32 latency…": _e(
            "Measuring TFLite float32 latency…", "正在测量 TFLite float32 延迟…"
        ),
        "status.Converting to TFLite int8…": _e("Converting to TFLite int8…", "正在转换为 TFLite int8…"),
        "status.Measuring TFLite int8 latency…": _e("Measuring TFLite int8 latency…", "正在测量 TFLite int8 延迟…"),
        "train.stop": _e("Stop", "停止"),
        "train.failed": _e("Training failed: {message}", "训练失败：{message}"),
        "train.stopped": _e("Training stopped: {message}.", "训练已停止：{message}。"),
        "result.accuracy": _e("Test accuracy", "测试准确率"),
        "result.loss": _e("Test loss", "测试损失"),
        "result.time": _e("Training time", "训练时间"),
        "result.throughput": _e("Throughput", "吞吐量"),
        "result.samples_per_s": _e("{rate:.0f} samples/s", "每秒 {rate:.0f} 个样本"),
        "result.note": _e("Note: {note}", "说明：{note}"),
        "result.kept": _e(
            "The trained model is kept for the Export page ({name}).", "训练好的模型已保留，可在导出页使用（{name}）。"
        ),
        "result.confusion": _e("Confusion matrix (test set)", "混淆矩阵（测试集）"),
        "result.predicted": _e("predicted", "预测"),
        "result.true": _e("true", "真实"),
        "result.samples": _e("Sample predictions", "样本预测"),
        "result.true_label": _e("true {label}", "真实 {label}"),
        "result.sample_line": _e(
            "sample {index}: {label} ({confidence:.0%})", "样本 {index}：{label}（{confidence:.0%}）"
        ),
        "job.message.stopped at your request": _e("stopped at your request", "按你的要求停止"),
    }
)

CATALOG.update(
    {
        # -- compare page -----------------------------------------------------------------------------
        "compare.title": _e("Compare", "比较"),
        "compare.choose": _e(
            "Designs to compare (2 to 4; the first is the reference)", "要比较的设计（2 到 4 个；第一个作为基准）"
        ),
        "compare.preset": _e("preset: {name}", "预设：{name}"),
        "compare.pick_two": _e(
            "Pick at least two designs (from your workspace or the presets).",
            "请至少选择两个设计（来自工作区或预设）。",
        ),
        "compare.broken": _e(
            "Fix the errors of {names} on the Design page to compare it.", "请先在设计页修正 {names} 的错误再比较。"
        ),
        "compare.table_caption": _e(
            "Ratios are to the first design; the best value of each row is highlighted. Accuracy is the "
            "design's last training run; latency comes from the Export page's measurements.",
            "比值以第一个设计为基准；每行最好的值高亮显示。准确率来自该设计最近一次训练；延迟来自导出页的测量。",
        ),
        "compare.metric": _e("metric", "指标"),
        "compare.relative": _e("Cost relative to the first design", "相对第一个设计的开销"),
        "compare.relative.axis": _e("relative to the first design", "相对第一个设计"),
        "compare.relative.hover": _e("the first", "第一个"),
        "compare.depth": _e("Where the cost is, over depth", "开销在深度上的分布"),
        "compare.depth.macs": _e("MACs per block", "每块 MACs"),
        "compare.depth.activation": _e("Activation size per block (bytes)", "每块激活大小（字节）"),
        "compare.depth.axis": _e("depth (% of blocks)", "深度（块的百分比）"),
        "compare.pareto": _e("Accuracy against cost", "准确率与开销"),
        "compare.cost_axis": _e("Cost axis", "开销轴"),
        "compare.quality_axis": _e("Quality axis", "质量轴"),
        "compare.no_runs": _e(
            "No training runs yet: train designs on the Train page to plot accuracy against cost.",
            "还没有训练记录：在训练页训练设计后，即可画出准确率与开销的关系。",
        ),
        "compare.runs": _e("designs and runs", "设计与训练记录"),
        "compare.front": _e("Pareto front", "帕累托前沿"),
        "compare.run_label": _e("{name} · {dataset} · {epochs} epochs", "{name} · {dataset} · {epochs} 轮"),
        "compare.graphs": _e("Graphs", "结构图"),
        "compare.graph_head": _e(
            "**{name}** · {params} params · {macs} MACs", "**{name}** · {params} 参数 · {macs} MACs"
        ),
        "compare.diff": _e("Architecture diff", "结构差异"),
        "compare.diff_head": _e("From **{a}** to **{b}**: {count} change(s)", "从 **{a}** 到 **{b}**：{count} 处变化"),
        "compare.same": _e("The two designs have the same blocks and settings.", "两个设计的块和设置完全相同。"),
        "metric.params": _e("Params", "参数量 Params"),
        "metric.macs": _e("MACs", "乘加 MACs"),
        "metric.flops": _e("FLOPs", "浮点运算 FLOPs"),
        "metric.weights_fp32": _e("Weights fp32", "权重 fp32"),
        "metric.weights_int8": _e("Weights int8", "权重 int8"),
        "metric.peak": _e("Peak activations", "峰值激活内存"),
        "metric.training": _e("Training memory (batch 32)", "训练内存（batch 32）"),
        "metric.accuracy": _e("Last accuracy", "最近准确率"),
        "metric.latency_keras": _e("Latency, Keras (CPU)", "延迟，Keras（CPU）"),
        "metric.latency_tflite": _e("Latency, TFLite int8 (CPU)", "延迟，TFLite int8（CPU）"),
        # -- export page ------------------------------------------------------------------------------
        "export.title": _e("Export · {name}", "导出 · {name}"),
        "export.disabled": _e(
            "Exports are disabled while the design has errors: {error}", "设计有错误时无法导出：{error}"
        ),
        "export.code": _e("Code and text", "代码与文本"),
        "export.deploy": _e("Deployability", "可部署性"),
        "export.files": _e("Model files and latency", "模型文件与延迟"),
        "export.tab.code": _e("Keras code", "Keras 代码"),
        "export.tab.json": _e("Design JSON", "设计 JSON"),
        "export.tab.mermaid": _e("Mermaid", "Mermaid"),
        "export.tab.dot": _e("DOT", "DOT"),
        "export.tab.image": _e("Graph image", "结构图图片"),
        "export.download.code": _e("Download Keras code", "下载 Keras 代码"),
        "export.download.json": _e("Download design JSON", "下载设计 JSON"),
        "export.download.mermaid": _e("Download Mermaid", "下载 Mermaid"),
        "export.download.dot": _e("Download DOT", "下载 DOT"),
        "export.download.svg": _e("Download SVG", "下载 SVG"),
        "export.download.png": _e("Download PNG", "下载 PNG"),
        "export.no_dot": _e(
            "SVG and PNG need Graphviz's `dot` program on the server (Debian/Ubuntu: `apt-get install graphviz`; "
            "macOS: `brew install graphviz`). Meanwhile download the DOT text and render it with any Graphviz tool, "
            "or paste the Mermaid text into a Markdown document.",
            "SVG 和 PNG 需要服务器上安装 Graphviz 的 `dot` 程序（Debian/Ubuntu：`apt-get install graphviz`；"
            "macOS：`brew install graphviz`）。也可以先下载 DOT 文本用任意 Graphviz 工具渲染，或把 Mermaid 文本贴进 Markdown 文档。",
        ),
        "export.dot_failed": _e("Graphviz could not draw the graph: {error}", "Graphviz 无法绘制结构图：{error}"),
        "deploy.ok": _e(
            "Every layer maps to TFLite built-in operators and can be fully int8-quantized.",
            "所有层都能映射到 TFLite 内置算子，并可完全 int8 量化。",
        ),
        "deploy.found": _e(
            "{count} layer(s) will not export to a pure built-in int8 TFLite model:",
            "有 {count} 个层无法导出为纯内置算子的 int8 TFLite 模型：",
        ),
        "deploy.why.recurrent": _e(
            "Keras recurrent layers convert to a TensorFlow while-loop over tensor lists, which TFLite's "
            "built-in operators cannot run: the float model needs the Select TF ops (Flex) delegate, "
            "which microcontrollers lack, and int8 quantization is not possible",
            "Keras 循环层会转换成基于张量列表的 TensorFlow while 循环，TFLite 内置算子无法运行：浮点模型需要 "
            "Select TF ops（Flex）代理，而微控制器上没有；也无法做 int8 量化",
        ),
        "col.builtin": _e("TFLite built-ins", "TFLite 内置算子"),
        "col.int8": _e("int8", "int8"),
        "col.why": _e("why", "原因"),
        "yes": _e("yes", "是"),
        "no": _e("no", "否"),
        "export.weights": _e("Weights", "权重"),
        "export.initial": _e("Initial (untrained) weights", "初始（未训练）权重"),
        "export.trained": _e(
            "Trained: {dataset}, {epochs} epoch(s), {accuracy:.1%} test accuracy",
            "已训练：{dataset}，{epochs} 轮，测试准确率 {accuracy:.1%}",
        ),
        "export.latency_runs": _e("Latency runs", "延迟测量次数"),
        "export.start": _e("Build model files and measure latency", "生成模型文件并测量延迟"),
        "export.not_started": _e("The export did not start: {error}", "导出没有开始：{error}"),
        "export.waiting": _e("Waiting for a worker…", "正在等待工作进程…"),
        "export.failed": _e("The export {state}: {message}", "导出{state}：{message}"),
        "export.built_from": _e(
            "Built from {weights}; int8 calibrated on {calibration}.",
            "基于{weights}生成；int8 校准数据：{calibration}。",
        ),
        "col.file": _e("file", "文件"),
        "col.size": _e("size", "大小"),
        "col.estimate": _e("analysis estimate", "分析估计"),
        "col.ratio": _e("ratio", "比值"),
        "col.note": _e("note", "说明"),
        "export.failed_cell": _e("failed", "失败"),
        "file.keras": _e("Keras model (.keras)", "Keras 模型（.keras）"),
        "file.tflite_float32": _e("TFLite float32", "TFLite float32"),
        "file.tflite_int8": _e("TFLite int8", "TFLite int8"),
        "export.download_file": _e("Download {file}", "下载 {file}"),
        "export.latency_head": _e(
            "**Latency on this server's CPU** (one image, median of {runs} after warm-up; TFLite with one thread)",
            "**本服务器 CPU 上的延迟**（单张图，预热后 {runs} 次的中位数；TFLite 单线程）",
        ),
        "col.model": _e("model", "模型"),
        "col.latency": _e("latency", "延迟"),
        "col.macs_per_ms": _e("MACs per ms", "每毫秒 MACs"),
        "export.latency_caption": _e(
            "MACs predict time only roughly: memory traffic, depthwise layers and framework overhead "
            "matter too. Compare MACs per ms across designs on the Compare page.",
            "MACs 只能粗略预测耗时：内存访问、深度卷积层和框架开销同样重要。可在比较页比较不同设计的每毫秒 MACs。",
        ),
    }
)

CATALOG.update(
    {
        # -- learn page -------------------------------------------------------------------------------
        "learn.title": _e("Learn", "学习"),
        "learn.intro": _e(
            "The principles behind lightweight networks, each with a live calculator. The buttons open the "
            "matching preset in the designer.",
            "轻量级网络背后的原理，每一节都配有可交互的计算器。按钮会在设计器中打开对应的预设。",
        ),
        "learn.open": _e("Open {title} in the designer", "在设计器中打开 {title}"),
        "learn.conv": _e("1. Convolution: output size and cost", "1. 卷积：输出尺寸与计算量"),
        "learn.conv.text": _e(
            "A K×K convolution slides over an H×H input with stride S and padding P. Every output value "
            "multiplies K·K·C_in inputs by weights, for each of C_out filters.",
            "K×K 卷积以步长 S、填充 P 在 H×H 的输入上滑动。每个输出值都要把 K·K·C_in 个输入与权重相乘，共有 C_out 个卷积核。",
        ),
        "learn.size": _e("Input size H", "输入尺寸 H"),
        "learn.kernel": _e("Kernel K", "卷积核 K"),
        "learn.stride": _e("Stride S", "步长 S"),
        "learn.padding": _e("Padding P", "填充 P"),
        "learn.cin": _e("Input channels C_in", "输入通道 C_in"),
        "learn.cout": _e("Output channels C_out", "输出通道 C_out"),
        "learn.output": _e("Output size", "输出尺寸"),
        "learn.params": _e("Params (with bias)", "参数量（含偏置）"),
        "learn.macs": _e("MACs", "乘加 MACs"),
        "learn.empty": _e("The kernel does not fit: the output would be empty.", "卷积核放不下：输出为空。"),
        "learn.act": _e("2. Activation functions", "2. 激活函数"),
        "learn.act.text": _e(
            "Non-linearities between layers. ReLU6 and hard-swish are the mobile-friendly versions: cheap "
            "to compute and easy to quantize to int8.",
            "层与层之间的非线性。ReLU6 和 hard-swish 是适合移动端的版本：计算便宜，也容易量化到 int8。",
        ),
        "learn.act.choose": _e("Functions to plot", "要画出的函数"),
        "learn.pool": _e("3. Max and average pooling", "3. 最大池化与平均池化"),
        "learn.pool.text": _e(
            "Pooling shrinks a feature map without weights: each window keeps its largest value (max) or "
            "its mean (average).",
            "池化在没有权重的情况下缩小特征图：每个窗口保留最大值（最大池化）或平均值（平均池化）。",
        ),
        "learn.pool.size": _e("Window", "窗口大小"),
        "learn.pool.stride": _e("Stride", "步长"),
        "learn.pool.seed": _e("Example input (seed)", "示例输入（随机种子）"),
        "learn.pool.input": _e("Input", "输入"),
        "learn.pool.max": _e("Max pooling", "最大池化"),
        "learn.pool.avg": _e("Average pooling", "平均池化"),
        "learn.sep": _e("4. Depthwise separable convolution", "4. 深度可分离卷积"),
        "learn.sep.text": _e(
            "MobileNet splits a K×K convolution into a depthwise K×K (one filter per channel) and a 1×1 "
            "pointwise convolution. The cost ratio to the standard convolution is 1/N + 1/K².",
            "MobileNet 把 K×K 卷积拆成 K×K 深度卷积（每个通道一个卷积核）和 1×1 逐点卷积。与标准卷积的计算量之比为 1/N + 1/K²。",
        ),
        "learn.sep.standard": _e("Standard MACs", "标准卷积 MACs"),
        "learn.sep.separable": _e("Separable MACs", "可分离卷积 MACs"),
        "learn.sep.ratio": _e("Ratio (exact = 1/N + 1/K²)", "比值（精确 = 1/N + 1/K²）"),
        "learn.sep.plot": _e("Cost ratio against kernel size, for several N", "不同 N 下计算量比值随卷积核大小的变化"),
        "learn.sep.axis.k": _e("kernel size K", "卷积核大小 K"),
        "learn.sep.axis.ratio": _e("separable / standard MACs", "可分离 / 标准 MACs"),
        "learn.nets": _e(
            "5. How MobileNet, ShuffleNet and SqueezeNet save", "5. MobileNet、ShuffleNet 和 SqueezeNet 如何节省开销"
        ),
        "learn.nets.mobilenet": _e(
            "**MobileNet**: depthwise separable convolutions everywhere (V1), inverted residuals with "
            "linear bottlenecks (V2), squeeze-excitation and hard-swish found by search (V3).",
            "**MobileNet**：处处使用深度可分离卷积（V1），带线性瓶颈的倒残差（V2），通过搜索加入挤压-激励与 hard-swish（V3）。",
        ),
        "learn.nets.shufflenet": _e(
            "**ShuffleNet**: grouped 1×1 convolutions divide their cost by the number of groups g; a "
            "channel shuffle lets the groups exchange information. V2 splits channels instead.",
            "**ShuffleNet**：分组 1×1 卷积把计算量除以分组数 g；通道重排让各组交换信息。V2 改为通道拆分。",
        ),
        "learn.nets.squeezenet": _e(
            "**SqueezeNet**: fire modules squeeze to few channels with 1×1 convolutions before the "
            "3×3 filters, and no dense layers at the end.",
            "**SqueezeNet**：Fire 模块先用 1×1 卷积压缩到少量通道再做 3×3 卷积，最后不用全连接层。",
        ),
        "learn.nets.table": _e("The presets at 224×224, analysed live:", "224×224 下各预设的实时分析："),
        "col.preset": _e("preset", "预设"),
    }
)
