"""The Learn page."""

from lightdesign.ui.catalog.text import tr

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
    "learn.macs": tr("MACs", "乘加 MACs"),
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
    "learn.sep": tr("4. Depthwise separable convolution", "4. 深度可分离卷积"),
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
        "5. How MobileNet, ShuffleNet and SqueezeNet save", "5. MobileNet、ShuffleNet 和 SqueezeNet 如何节省开销"
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
}
