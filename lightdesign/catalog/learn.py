"""The Learn page."""

from lightdesign.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    "learn.title": tr("Learn", "学习"),
    "learn.intro": tr(
        "The principles behind lightweight networks, each with a live calculator. The buttons open the "
        "matching preset in the designer.",
        "轻量级网络背后的原理，每一节都配有可交互的计算器。按钮会在设计器中打开对应的预设。",
    ),
    "learn.open": tr("Open {title} in the designer", "在设计器中打开 {title}"),
    "learn.conv": tr("1. Convolution: output size and cost", "1. 卷积：输出尺寸与计算量"),
    "learn.conv.text": tr(
        "A K×K convolution slides over an H×H input with stride S and padding P. Every output value "
        "multiplies K·K·C_in inputs by weights, for each of C_out filters.",
        "K×K 卷积以步长 S、填充 P 在 H×H 的输入上滑动。每个输出值都要把 K·K·C_in 个输入与权重相乘，共有 C_out 个卷积核。",
    ),
    "learn.size": tr("Input size H", "输入尺寸 H"),
    "learn.kernel": tr("Kernel K", "卷积核 K"),
    "learn.stride": tr("Stride S", "步长 S"),
    "learn.padding": tr("Padding P", "填充 P"),
    "learn.cin": tr("Input channels C_in", "输入通道 C_in"),
    "learn.cout": tr("Output channels C_out", "输出通道 C_out"),
    "learn.output": tr("Output size", "输出尺寸"),
    "learn.params": tr("Params (with bias)", "参数量（含偏置）"),
    "learn.macs": tr("MACs", "MACs"),
    # words inside the formulas (LaTeX text: no braces or backslashes)
    "tex.params": tr("params", "参数量"),
    "tex.max": tr("max:", "最大池化："),
    "tex.average": tr("average:", "平均池化："),
    "tex.grouped": tr("grouped 1×1:", "分组 1×1："),
    "tex.fire": tr("fire:", "Fire 模块："),
    "tex.affine": tr("affine:", "非对称："),
    "tex.symmetric": tr("symmetric:", "对称："),
    "learn.empty": tr("The kernel does not fit: the output would be empty.", "卷积核放不下：输出为空。"),
    "learn.act": tr("2. Activation functions", "2. 激活函数"),
    "learn.act.text": tr(
        "Non-linearities between layers. ReLU6 and hard-swish are the mobile-friendly versions: cheap "
        "to compute and easy to quantize to int8.",
        "层与层之间的非线性。ReLU6 和 hard-swish 是适合移动端的版本：计算便宜，也容易量化到 int8。",
    ),
    "learn.act.choose": tr("Functions to plot", "要画出的函数"),
    "learn.pool": tr("3. Max and average pooling", "3. 最大池化与平均池化"),
    "learn.pool.text": tr(
        "Pooling shrinks a feature map without weights: each window keeps its largest value (max) or "
        "its mean (average).",
        "池化在没有权重的情况下缩小特征图：每个窗口保留最大值（最大池化）或平均值（平均池化）。",
    ),
    "learn.pool.size": tr("Window", "窗口大小"),
    "learn.pool.stride": tr("Stride", "步长"),
    "learn.pool.seed": tr("Example input (seed)", "示例输入（随机种子）"),
    "learn.pool.input": tr("Input", "输入"),
    "learn.pool.max": tr("Max pooling", "最大池化"),
    "learn.pool.avg": tr("Average pooling", "平均池化"),
    "learn.sep": tr("5. Depthwise separable convolution", "5. 深度可分离卷积"),
    "learn.sep.text": tr(
        "MobileNet splits a K×K convolution into a depthwise K×K (one filter per channel) and a 1×1 "
        "pointwise convolution. The cost ratio to the standard convolution is 1/N + 1/K².",
        "MobileNet 把 K×K 卷积拆成 K×K 深度卷积（每个通道一个卷积核）和 1×1 逐点卷积。与标准卷积的计算量之比为 1/N + 1/K²。",
    ),
    "learn.sep.standard": tr("Standard MACs", "标准卷积 MACs"),
    "learn.sep.separable": tr("Separable MACs", "可分离卷积 MACs"),
    "learn.sep.ratio": tr("Ratio (exact = 1/N + 1/K²)", "比值（精确 = 1/N + 1/K²）"),
    "learn.sep.plot": tr("Cost ratio against kernel size, for several N", "不同 N 下计算量比值随卷积核大小的变化"),
    "learn.sep.axis.k": tr("kernel size K", "卷积核大小 K"),
    "learn.sep.axis.ratio": tr("separable / standard MACs", "可分离 / 标准 MACs"),
    "learn.nets": tr(
        "6. How MobileNet, ShuffleNet and SqueezeNet save", "6. MobileNet、ShuffleNet 和 SqueezeNet 如何节省开销"
    ),
    "learn.nets.mobilenet": tr(
        "**MobileNet**: depthwise separable convolutions everywhere (V1), inverted residuals with "
        "linear bottlenecks (V2), squeeze-excitation and hard-swish found by search (V3).",
        "**MobileNet**：处处使用深度可分离卷积（V1），带线性瓶颈的倒残差（V2），通过搜索加入挤压-激励与 hard-swish（V3）。",
    ),
    "learn.nets.shufflenet": tr(
        "**ShuffleNet**: grouped 1×1 convolutions divide their cost by the number of groups g; a "
        "channel shuffle lets the groups exchange information. V2 splits channels instead.",
        "**ShuffleNet**：分组 1×1 卷积把计算量除以分组数 g；通道重排让各组交换信息。V2 改为通道拆分。",
    ),
    "learn.nets.squeezenet": tr(
        "**SqueezeNet**: fire modules squeeze to few channels with 1×1 convolutions before the "
        "3×3 filters, and no dense layers at the end.",
        "**SqueezeNet**：Fire 模块先用 1×1 卷积压缩到少量通道再做 3×3 卷积，最后不用全连接层。",
    ),
    "learn.nets.table": tr("The presets at 224×224, analysed live:", "224×224 下各预设的实时分析："),
    "col.preset": tr("preset", "预设"),
    # -- the article's flow
    "learn.flow": tr("The article's pipeline", "原文的网络流程"),
    "learn.flow.text": tr(
        "The tutorial draws a network as a chain of stages: input layer → convolutional layer → activation → "
        "pooling layer → … → fully connected layer → output layer for images (its section 2.4), and input "
        "sequence → embedding → recurrent layer → activation → fully connected layer → output layer for text "
        "(section 3.1.2). Below are its two networks, analysed and drawn in that style. The graph on the Design "
        'page and the Mermaid and DOT exports draw any design this way when you turn on "article style".',
        "原文把网络画成一串阶段：图像任务是 输入层 → 卷积层 → 激活函数 → 池化层 → … → 全连接层 → 输出层（第 2.4 节），"
        "文本任务是 输入序列 → 嵌入层 → 循环层 → 激活函数 → 全连接层 → 输出层（第 3.1.2 节）。下面是原文的两个网络，"
        "经过实时分析后按这种风格画出。打开“原文风格”后，设计页的结构图和 Mermaid、DOT 导出也会这样画任何设计。",
    ),
    "learn.flow.cnn": tr("The CNN (sections 2.4 and 5.2)", "卷积神经网络（第 2.4 与 5.2 节）"),
    "learn.flow.rnn": tr("The RNN (sections 3.1.2 and 4.1.2)", "循环神经网络（第 3.1.2 与 4.1.2 节）"),
    "learn.flow.mermaid": tr("Mermaid text of both flows", "两个流程的 Mermaid 文本"),
    "learn.flow.folded": tr(
        "Flatten has no weights and does no arithmetic: it is folded into the arrow that carries its output "
        "(“Flatten 1600”). The article's listing also puts an Activation('relu') after convolutions that already "
        "apply ReLU; the preset keeps one ReLU, drawn as its own step.",
        "Flatten 没有权重也不做运算：它被并入携带其输出的箭头（“Flatten 1600”）。原文代码在已经使用 ReLU 的卷积后又加了一个 "
        "Activation('relu')；预设只保留一个 ReLU，并把它画成单独的一步。",
    ),
    # -- the article's stage names (graph and exports in article style)
    "article.word.input": tr("Input layer", "输入层"),
    "article.word.conv": tr("Convolutional layer", "卷积层"),
    "article.word.activation": tr("Activation", "激活函数"),
    "article.word.pool": tr("Pooling layer", "池化层"),
    "article.word.dense": tr("Fully connected layer", "全连接层"),
    "article.word.output": tr("Output layer", "输出层"),
    "article.word.embedding": tr("Embedding layer", "嵌入层"),
    "article.word.recurrent": tr("Recurrent layer", "循环层"),
    "article.word.norm": tr("Batch normalization", "批归一化层"),
    "article.word.dropout": tr("Dropout", "Dropout 层"),
    "article.word.merge": tr("Merge", "合并"),
    "article.word.block": tr("Block", "模块"),
    "article.word.numbered": tr("{stage} {n}", "{stage}{n}"),
    "article.style": tr("Article style", "原文风格"),
    "article.style.help": tr(
        "Draw the stages as the source article does: activations as their own steps, stage names (input layer, "
        "convolutional layer, pooling layer, fully connected layer, output layer) instead of layer names.",
        "按原文的方式画出各阶段：激活函数单独成步，用阶段名称（输入层、卷积层、池化层、全连接层、输出层）代替层名。",
    ),
    "article.style.export_help": tr(
        "Mermaid, DOT and the images draw the stages as the source article does: activations as their own "
        "steps, stage names (input layer, convolutional layer, …) in the interface's language.",
        "Mermaid、DOT 和图片按原文的方式画出各阶段：激活函数单独成步，阶段名称（输入层、卷积层……）使用界面语言。",
    ),
    # -- dense layers
    "learn.dense": tr("4. Fully connected (dense) layers", "4. 全连接层"),
    "learn.dense.text": tr(
        "A dense layer connects each of its d inputs to each of its u outputs: d·u weights plus u biases, and "
        "d·u multiply-adds per sample. After Flatten, d is H·W·C, so the first dense layer is often the "
        "heaviest layer of a small CNN.",
        "全连接层把 d 个输入中的每一个连到 u 个输出中的每一个：共 d·u 个权重加 u 个偏置，每个样本 d·u 次乘加。"
        "Flatten 之后 d = H·W·C，所以小型 CNN 中最重的往往是第一个全连接层。",
    ),
    "learn.dense.in": tr("Inputs d", "输入数 d"),
    "learn.dense.units": tr("Units u", "单元数 u"),
    "learn.dense.params": tr("Dense params", "全连接参数量"),
    "learn.dense.macs": tr("Dense MACs", "全连接 MACs"),
    "learn.dense.lesson": tr(
        "**The seed CNN's lesson.** Its Flatten + Dense(128) head holds {dense:,} of the network's {total:,} "
        "parameters ({share:.0%}): the 5×5×64 = 1,600 values after the second pooling each connect to 128 "
        "units. A global-pooling head averages each channel first, so the Dense layer reads 64 values instead "
        "of 1,600.",
        "**入门 CNN 的教训。** 它的 Flatten + Dense(128) 头部占了网络 {total:,} 个参数中的 {dense:,} 个（{share:.0%}）："
        "第二次池化后的 5×5×64 = 1,600 个值每个都连到 128 个单元。全局池化头先对每个通道求平均，"
        "于是全连接层只读 64 个值而不是 1,600 个。",
    ),
    "learn.dense.before": tr("Seed CNN params", "入门 CNN 参数量"),
    "learn.dense.after": tr("With a global-pooling head", "使用全局池化头后"),
    "learn.dense.apply": tr(
        "Open the seed CNN with the global-pooling head in the designer", "在设计器中打开使用全局池化头的入门 CNN"
    ),
    # -- recurrent layers
    "learn.rnn": tr("7. Recurrent layers: SimpleRNN, LSTM and GRU", "7. 循环层：SimpleRNN、LSTM 与 GRU"),
    "learn.rnn.text": tr(
        "A recurrent layer reads a sequence of T steps of d values and keeps a hidden state of h units, "
        "updated at every step from the current input and the previous state (the article's section 3.1.2). "
        "The same weights serve every step, so the parameters do not depend on T, but the multiply-adds grow "
        "linearly with it.",
        "循环层读取 T 个时间步、每步 d 个值的序列，并保持一个 h 个单元的隐藏状态，每一步用当前输入和上一步的状态更新它"
        "（原文第 3.1.2 节）。每一步共用同一组权重，所以参数量与 T 无关，而乘加次数随 T 线性增长。",
    ),
    "learn.rnn.simple": tr("SimpleRNN: one matrix pair", "SimpleRNN：一对矩阵"),
    "learn.rnn.lstm": tr(
        "LSTM: input, forget and output gates and a cell candidate", "LSTM：输入门、遗忘门、输出门和候选记忆"
    ),
    "learn.rnn.gru": tr(
        "GRU: update and reset gates (Keras's reset_after form, two biases per gate)",
        "GRU：更新门和重置门（Keras 的 reset_after 形式，每个门两个偏置）",
    ),
    "learn.rnn.costs": tr(
        "Per direction, with g matrices (SimpleRNN 1, LSTM 4, GRU 3) and b bias vectors per matrix (GRU 2, "
        "the others 1); bidirectional doubles both:",
        "每个方向有 g 组矩阵（SimpleRNN 1，LSTM 4，GRU 3），每组 b 个偏置向量（GRU 为 2，其余为 1）；双向时两者都翻倍：",
    ),
    "learn.rnn.kind": tr("Layer", "层类型"),
    "learn.rnn.steps": tr("Sequence length T", "序列长度 T"),
    "learn.rnn.features": tr("Input size d", "输入维度 d"),
    "learn.rnn.units": tr("Units h", "单元数 h"),
    "learn.rnn.bidirectional": tr("Bidirectional", "双向"),
    "learn.rnn.params": tr("Recurrent params", "循环层参数量"),
    "learn.rnn.macs": tr("Recurrent MACs", "循环层 MACs"),
    "learn.rnn.output": tr("Recurrent output", "循环层输出"),
    "learn.rnn.check": tr(
        "These figures are the analysis's own (the Design page's), for a one-layer design; the formula gives "
        "{params:,} params and {macs:,} MACs.",
        "这些数字来自分析本身（与设计页相同），针对只有这一层的设计；按公式计算为 {params:,} 个参数、{macs:,} 次乘加。",
    ),
    "learn.rnn.plot": tr(
        "{kind} MACs against sequence length, for several numbers of units (d = {d})",
        "{kind} 的 MACs 随序列长度的变化，不同单元数（d = {d}）",
    ),
    "learn.rnn.axis.steps": tr("sequence length T", "序列长度 T"),
    "learn.rnn.axis.macs": tr("MACs", "乘加次数"),
    "learn.rnn.int8": tr(
        "**Why recurrent layers do not quantize to int8 in TFLite.** Keras runs a recurrent layer as a "
        "TensorFlow while-loop over the steps. The TFLite converter cannot turn that loop into its built-in "
        "operators, so the float model needs the Select TF ops (Flex) delegate, which microcontrollers and most "
        "accelerators lack, and full int8 quantization is refused. The deployability check on the Export page "
        "flags every SimpleRNN, LSTM and GRU for this reason. For a device, use a recurrent-free design: a "
        "Conv1D over the sequence followed by global pooling sees a window of steps at a time, runs as built-in "
        "int8 operators, and for short texts and signals is often as accurate.",
        "**为什么循环层在 TFLite 中不能量化为 int8。** Keras 把循环层当作一个遍历时间步的 TensorFlow while 循环来执行。"
        "TFLite 转换器无法把这个循环变成它的内置算子，所以浮点模型需要 Select TF ops（Flex）委托，"
        "而微控制器和大多数加速器都没有它，完整的 int8 量化也会被拒绝。导出页的可部署性检查正因如此会标出每个 "
        "SimpleRNN、LSTM 和 GRU。面向设备时，请使用不含循环层的设计：在序列上做 Conv1D 再接全局池化，"
        "每次看一个时间窗口，可以用内置 int8 算子运行，对短文本和短信号往往同样准确。",
    ),
    "learn.rnn.compare": tr(
        "The text RNN and its Conv1D alternative for the same task (100 tokens, 2 classes):",
        "文本 RNN 与同一任务（100 个词元、2 个类别）的 Conv1D 替代方案：",
    ),
    "learn.rnn.int8_ok": tr("int8 in TFLite", "可在 TFLite 中用 int8"),
    "learn.rnn.yes": tr("yes", "可以"),
    "learn.rnn.no": tr("no ({layers})", "不可以（{layers}）"),
    # -- quantization
    "learn.quant": tr("8. Quantization and mixed precision", "8. 量化与混合精度"),
    "learn.quant.text": tr(
        "The article names quantization among the ways to make a network light (sections 2.2 and 9.2). int8 "
        "quantization stores each weight as an 8-bit integer q and one real scale s and integer zero point z per "
        "tensor or per output channel; the real value it stands for is s·(q − z). Rounding loses at most s/2 per "
        "weight. TensorFlow Lite quantizes convolution and dense weights symmetrically (z = 0) with one scale per "
        "output channel, and activations with one affine scale and zero point per tensor.",
        "原文把量化列为让网络变轻的方法之一（第 2.2 和 9.2 节）。int8 量化把每个权重存成 8 位整数 q，"
        "并为每个张量或每个输出通道保存一个实数缩放因子 s 和整数零点 z；它代表的实数是 s·(q − z)。"
        "舍入误差每个权重最多 s/2。TensorFlow Lite 对卷积和全连接权重做对称量化（z = 0），每个输出通道一个缩放因子；"
        "对激活值则每个张量使用一个仿射缩放因子和零点。",
    ),
    "learn.quant.scheme": tr("Scheme", "量化方案"),
    "learn.quant.scheme.per_tensor_affine": tr("per tensor, affine (activations)", "按张量，仿射（激活值）"),
    "learn.quant.scheme.per_tensor_symmetric": tr("per tensor, symmetric", "按张量，对称"),
    "learn.quant.scheme.per_channel_symmetric": tr(
        "per channel, symmetric (TFLite weights)", "按通道，对称（TFLite 权重）"
    ),
    "learn.quant.seed": tr("Example weights (seed)", "示例权重（随机种子）"),
    "learn.quant.weights": tr("Weights (4 output channels × 6)", "权重（4 个输出通道 × 6）"),
    "learn.quant.q": tr("int8 values q", "int8 值 q"),
    "learn.quant.error": tr("Rounding error w − s·(q − z)", "舍入误差 w − s·(q − z)"),
    "learn.quant.scales": tr("Scales s: {scales}; zero points z: {zeros}", "缩放因子 s：{scales}；零点 z：{zeros}"),
    "learn.quant.max_error": tr("Largest error", "最大误差"),
    "learn.quant.rms_error": tr("RMS error", "均方根误差"),
    "learn.quant.per_channel": tr(
        "The channels' ranges differ by 50×: one scale for the whole tensor is too coarse for the small channels, "
        "which is why TFLite gives every output channel its own.",
        "各通道的取值范围相差 50 倍：整个张量只用一个缩放因子，对数值小的通道来说太粗，所以 TFLite 给每个输出通道单独的缩放因子。",
    ),
    "learn.quant.memory": tr(
        "Weight memory of the current design, {name}, at each precision:", "当前设计 {name} 在各精度下的权重内存："
    ),
    "learn.quant.export": tr("Export an int8 TFLite model", "导出 int8 TFLite 模型"),
    "learn.quant.mixed": tr(
        "**Mixed precision** trains in float16 (or bfloat16) while keeping float32 master weights and loss scaling, "
        "which roughly halves activation memory and doubles matrix throughput on GPUs with tensor cores. On this "
        "app's CPU workers there is no fast float16 arithmetic, so it would only add conversions: training here "
        "stays float32, and int8 quantization is what makes the deployed model small.",
        "**混合精度**用 float16（或 bfloat16）训练，同时保留 float32 主权重并做损失缩放，在带张量核心的 GPU 上"
        "能把激活内存大约减半、矩阵吞吐大约翻倍。本应用的 CPU 工作进程没有快速的 float16 运算，混合精度只会增加类型转换："
        "所以这里训练保持 float32，让部署的模型变小的是 int8 量化。",
    ),
    # -- where lightweight networks are used
    "learn.use": tr("9. Where lightweight networks are used", "9. 轻量级网络的应用场景"),
    "learn.use.text": tr(
        "The article's section 6 lists image, text and audio tasks on phones and embedded devices. Each button "
        "opens a matching preset and selects a built-in dataset for it on the Train page, ready to train.",
        "原文第 6 节列出了手机和嵌入式设备上的图像、文本和音频任务。每个按钮都会打开对应的预设，"
        "并在训练页为它选好内置数据集，可以直接开始训练。",
    ),
    "learn.use.image": tr(
        "**Image recognition and classification** (section 6.1): a small CNN on handwritten digits or shapes.",
        "**图像识别与分类**（第 6.1 节）：在手写数字或几何图形上训练小型 CNN。",
    ),
    "learn.use.text_domain": tr(
        "**Natural language processing** (section 6.2): text classification from token sequences, with an LSTM "
        "as in the article or with a Conv1D that quantizes to int8.",
        "**自然语言处理**（第 6.2 节）：对词元序列做文本分类，可以像原文一样用 LSTM，也可以用能量化为 int8 的 Conv1D。",
    ),
    "learn.use.audio": tr(
        "**Audio recognition and classification** (section 6.3): a 1-D CNN on waveforms.",
        "**音频识别与分类**（第 6.3 节）：在波形上训练一维 CNN。",
    ),
    "learn.use.button": tr("Train {title} on {dataset}", "用{dataset}训练{title}"),
}
