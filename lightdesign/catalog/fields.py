"""Chinese texts of the layer kinds and their fields. The English texts live with the kinds
(``doc``, ``Field.title``, ``Field.help``), so these entries carry only ``zh``.

Keys (built by the functions below, looked up by ``lightdesign.ui.i18n``):

- ``kind.<Kind>``: what a kind does;
- ``field.<name>``: a field's title, shared by every kind with a field of that name (the
  Keras argument name stays visible beside the translation);
- ``help.<name>``: a field's help where several kinds share one English text (``activation``);
- ``help.<Kind>.<name>``: a field's help for one kind, used before ``help.<name>``.

A test checks that every kind and field has its text, that every key here is used, and
that a shared help key only serves kinds whose English help is the same sentence.
"""

from __future__ import annotations


def zh(text: str) -> dict[str, str]:
    return {"zh": text}


def kind_key(kind: str) -> str:
    return f"kind.{kind}"


def title_key(field: str) -> str:
    return f"field.{field}"


def help_key(kind: str, field: str) -> str:
    """The key of a field's help: the kind's own text if it has one, else the shared one."""
    own = f"help.{kind}.{field}"
    return own if own in ENTRIES else f"help.{field}"


ENTRIES: dict[str, dict[str, str]] = {
    # -- kinds ---------------------------------------------------------------------------------
    "kind.Conv2D": zh("标准二维卷积：每个输出通道都与全部输入通道相连。"),
    "kind.DepthwiseConv2D": zh("每个输入通道一个空间卷积核（通道之间不混合）；可分离卷积中便宜的那一半。"),
    "kind.SeparableConv2D": zh("深度卷积后接 1x1 逐点卷积，合在一层里。"),
    "kind.Conv1D": zh("在序列（步数, 特征）上的一维卷积。"),
    "kind.Dense": zh("作用于最后一个维度的全连接层。图像上请先接 Flatten 或全局池化。"),
    "kind.Embedding": zh("为每个词元 id 查找一个可学习的向量：(步数,) -> (步数, output_dim)。"),
    "kind.Add": zh("逐元素相加：残差（捷径）连接。两个输入的形状必须相同。"),
    "kind.Multiply": zh("逐元素相乘，可广播大小为 1 的维度（挤压-激励中的缩放步骤）。"),
    "kind.Concatenate": zh("沿通道维拼接输入；其他维度必须一致。"),
    "kind.BatchNormalization": zh(
        "对每个通道做归一化。缩放和偏移可训练；滑动均值和方差是不可训练参数。部署时可折叠进前面的卷积。"
    ),
    "kind.Activation": zh("逐元素施加非线性函数。没有参数。"),
    "kind.Dropout": zh("训练时随机把一部分数值置零；推理时不起作用。"),
    "kind.MaxPooling2D": zh("取每个窗口中的最大值；默认设置下高和宽减半。"),
    "kind.AveragePooling2D": zh("对每个窗口求平均；默认设置下高和宽减半。"),
    "kind.MaxPooling1D": zh("在每个步长窗口中取最大值。"),
    "kind.AveragePooling1D": zh("对每个步长窗口求平均。"),
    "kind.GlobalAveragePooling2D": zh("对整幅图的每个通道求平均：(H, W, C) -> (C,)。最省参数的分类头。"),
    "kind.GlobalMaxPooling2D": zh("取整幅图中每个通道的最大值：(H, W, C) -> (C,)。"),
    "kind.GlobalAveragePooling1D": zh("对所有步求每个特征的平均：(T, F) -> (F,)。"),
    "kind.GlobalMaxPooling1D": zh("取所有步中每个特征的最大值：(T, F) -> (F,)。"),
    "kind.SimpleRNN": zh("最简单的循环层：h = tanh(W x + U h + b)。"),
    "kind.LSTM": zh("长短期记忆网络：四个门，能记住长序列中的信息。"),
    "kind.GRU": zh("门控循环单元：三个门，比 LSTM 更轻（Keras 的 reset_after 形式）。"),
    "kind.Flatten": zh("把除批次外的所有维度展平成一个向量：(H, W, C) -> (H*W*C,)。"),
    "kind.Reshape": zh("改变形状而不改变数值；可有一个维度写 -1（自动推断）。"),
    "kind.ZeroPadding2D": zh("在图像四周补零行和零列。"),
    "kind.ChannelSplit": zh("取通道的若干等分之一（ShuffleNetV2 一分为二）。"),
    "kind.ChannelShuffle": zh("交错多个分组的通道，让分组卷积之间能交换信息（ShuffleNet）。"),
    "kind.Opaque": zh(
        "导入模型中 LightDesign 无法表达的层：保留其运算、输出形状和参数量，使总计仍然正确；但代码生成、训练和导出会拒绝它。"
    ),
    "kind.OpaqueMerge": zh(
        "导入模型中有多个输入、LightDesign 无法表达的层（上一块的输出和 source 指定的块）；与 Opaque 一样保留其数值。"
    ),
    "kind.fire_module": zh("SqueezeNet 的 Fire 模块：先用 1x1 压缩，再并行 1x1 和 3x3 扩展并拼接。"),
    "kind.squeeze_excite": zh("挤压-激励（SENet、MobileNetV3）：由全局平均为每个通道学习一个权重。"),
    "kind.ghost_module": zh("GhostNet 模块：一半通道来自 1x1 卷积，另一半由其廉价的深度卷积生成。"),
    "kind.ghost_bottleneck": zh("GhostNet 瓶颈：两个 Ghost 模块，中间可有步长 2 的深度卷积和 SE，外加捷径连接。"),
    "kind.inverted_residual": zh(
        "MobileNetV2/V3 模块：1x1 扩展、深度卷积、可选的挤压-激励、线性 1x1 投影；步长为 1 且通道数一致时加上残差。"
    ),
    "kind.conv_bn": zh("无偏置卷积 + 批归一化 + 激活：移动端网络常见的起始层（stem）。"),
    "kind.depthwise_separable": zh(
        "MobileNetV1 单元：3x3 深度卷积后接 1x1 逐点卷积。计算量约为标准卷积的 1/N + 1/k²（N 为输出通道数，k 为卷积核大小）。"
    ),
    "kind.shufflenet_v1_unit": zh("ShuffleNetV1 单元：分组 1x1 卷积，中间做通道重排（shuffle）。"),
    "kind.shufflenet_v2_unit": zh("ShuffleNetV2 单元：通道拆分，一半通道走廉价分支，拼接后重排。"),
    # -- field titles --------------------------------------------------------------------------
    "field.filters": zh("输出通道数 (filters)"),
    "field.kernel_size": zh("卷积核大小 (kernel_size)"),
    "field.strides": zh("步长 (strides)"),
    "field.padding": zh("填充 (padding)"),
    "field.dilation_rate": zh("空洞率 (dilation_rate)"),
    "field.groups": zh("分组数 (groups)"),
    "field.use_bias": zh("使用偏置 (use_bias)"),
    "field.activation": zh("激活函数 (activation)"),
    "field.depth_multiplier": zh("深度乘数 (depth_multiplier)"),
    "field.units": zh("单元数 (units)"),
    "field.input_dim": zh("词表大小 (input_dim)"),
    "field.output_dim": zh("向量长度 (output_dim)"),
    "field.source": zh("合并对象 (source)"),
    "field.center": zh("学习偏移 (center)"),
    "field.scale": zh("学习缩放 (scale)"),
    "field.rate": zh("丢弃率 (rate)"),
    "field.pool_size": zh("池化窗口 (pool_size)"),
    "field.keepdims": zh("保留维度 (keepdims)"),
    "field.return_sequences": zh("返回整个序列 (return_sequences)"),
    "field.bidirectional": zh("双向 (bidirectional)"),
    "field.target_shape": zh("目标形状 (target_shape)"),
    "field.top": zh("上方 (top)"),
    "field.bottom": zh("下方 (bottom)"),
    "field.left": zh("左侧 (left)"),
    "field.right": zh("右侧 (right)"),
    "field.parts": zh("等分数 (parts)"),
    "field.index": zh("取第几份 (index)"),
    "field.squeeze": zh("压缩通道 (squeeze)"),
    "field.expand1x1": zh("1x1 扩展通道 (expand1x1)"),
    "field.expand3x3": zh("3x3 扩展通道 (expand3x3)"),
    "field.ratio": zh("比例 (ratio)"),
    "field.divisor": zh("取整基数 (divisor)"),
    "field.gate": zh("门控激活 (gate)"),
    "field.dw_kernel_size": zh("深度卷积核大小 (dw_kernel_size)"),
    "field.relu": zh("使用 ReLU (relu)"),
    "field.expanded_filters": zh("扩展通道数 (expanded_filters)"),
    "field.se_ratio": zh("SE 比例 (se_ratio)"),
    "field.expansion": zh("扩展倍数 (expansion)"),
    "field.se_style": zh("SE 形式 (se_style)"),
    "field.group_first_conv": zh("首个 1x1 卷积分组 (group_first_conv)"),
    "field.pad_style": zh("步长 2 的填充方式 (pad_style)"),
    "field.folded_bn": zh("批归一化已折叠进偏置 (folded_bn)"),
    "field.macs_known": zh("乘加次数已计算 (macs_known)"),
    "field.shape_known": zh("输出形状已知 (shape_known)"),
    "field.op": zh("运算类型 (op)"),
    "field.output_shape": zh("输出形状 (output_shape)"),
    "field.trainable": zh("可训练参数 (trainable)"),
    "field.non_trainable": zh("不可训练参数 (non_trainable)"),
    "field.macs": zh("乘加次数 (macs)"),
    "field.reason": zh("原因 (reason)"),
    # -- help shared by every kind with the same English text --------------------------------
    "help.op": zh("导入文件中该层或运算的类型。"),
    "help.output_shape": zh("不含批次维的输出形状，取自导入的文件。"),
    "help.trainable": zh("可训练参数量，文件带权重时取自权重。"),
    "help.non_trainable": zh("不可训练参数量（统计量、常数）。"),
    "help.macs": zh("导入器能计算时的乘加次数；否则为 0。"),
    "help.macs_known": zh("导入器是否计算了乘加次数（否则乘加次数未知）。"),
    "help.shape_known": zh("文件是否给出输出形状（否则取其输入的形状，之后的数值均未知）。"),
    "help.reason": zh("该层无法映射为 LightDesign 层类型的原因。"),
    "help.OpaqueMerge.source": zh("导入层的第二个输入。"),
    "help.filters": zh("输出通道的数量。"),
    "help.kernel_size": zh("卷积核大小（正方形）。"),
    "help.strides": zh("步长（两个方向相同）。"),
    "help.padding": zh("'same' 保持尺寸（ceil(尺寸 / 步长)）；'valid' 不填充，输出缩小 kernel - 1。"),
    "help.dilation_rate": zh("卷积核采样点之间的间隔（空洞卷积）。"),
    "help.groups": zh("分组卷积。"),
    "help.use_bias": zh("每个输出通道加一个可学习偏置（后面接批归一化时多余）。"),
    "help.activation": zh(
        "作用在输出上的激活；'linear' 表示不用。relu6 和 hard_swish 是 MobileNetV2/V3 采用的廉价、便于量化的选择。"
    ),
    "help.depth_multiplier": zh("深度卷积中每个输入通道的输出通道数。"),
    "help.units": zh("隐藏状态的大小。"),
    "help.source": zh("与上一块输出合并的某个更早的块（'input' 表示模型输入）。"),
    "help.pool_size": zh("窗口大小（正方形）。"),
    "help.keepdims": zh("保留被池化的维度（大小为 1，挤压-激励需要）。"),
    "help.return_sequences": zh("输出每一步（后面再接循环层时需要）还是只输出最后一步。"),
    "help.bidirectional": zh("再反向运行一份并拼接两者的输出。"),
    "help.se_ratio": zh("挤压-激励宽度相对于扩展通道的比例；0 表示不用。"),
    # -- help of one kind -----------------------------------------------------------------------
    "help.ghost_module.filters": zh("输出通道数（比例的倍数）。"),
    "help.ghost_bottleneck.filters": zh("输出通道数（偶数）。"),
    "help.inverted_residual.filters": zh("投影层的输出通道数。"),
    "help.depthwise_separable.filters": zh("逐点卷积的输出通道数。"),
    "help.shufflenet_v1_unit.filters": zh("输出通道数（瓶颈为 filters // 4）。"),
    "help.shufflenet_v2_unit.filters": zh("输出通道数（偶数：两个分支各出一半）。"),
    "help.ghost_module.kernel_size": zh("主卷积的卷积核大小。"),
    "help.ghost_bottleneck.kernel_size": zh("深度卷积核大小。"),
    "help.inverted_residual.kernel_size": zh("深度卷积核大小。"),
    "help.depthwise_separable.kernel_size": zh("深度卷积核大小。"),
    "help.shufflenet_v2_unit.kernel_size": zh("深度卷积核大小。"),
    "help.MaxPooling2D.strides": zh("窗口之间的步长；通常等于窗口大小。"),
    "help.AveragePooling2D.strides": zh("窗口之间的步长；通常等于窗口大小。"),
    "help.MaxPooling1D.strides": zh("窗口之间的步长；通常等于窗口大小。"),
    "help.AveragePooling1D.strides": zh("窗口之间的步长；通常等于窗口大小。"),
    "help.ghost_bottleneck.strides": zh("2 表示高和宽减半。"),
    "help.inverted_residual.strides": zh("深度卷积步长；2 表示高和宽减半。"),
    "help.depthwise_separable.strides": zh("深度卷积的步长。"),
    "help.shufflenet_v1_unit.strides": zh("1 保持尺寸（残差相加）；2 尺寸减半（拼接）。"),
    "help.shufflenet_v2_unit.strides": zh("1 保持尺寸（残差相加）；2 尺寸减半（拼接）。"),
    "help.Conv1D.padding": zh("'causal' 只看之前的步。"),
    "help.Conv2D.groups": zh("分组卷积：把通道分成这么多组（ShuffleNet）。"),
    "help.ChannelShuffle.groups": zh("要交错的通道分组数。"),
    "help.shufflenet_v1_unit.groups": zh("1x1 卷积的分组数。"),
    "help.Dense.use_bias": zh("每个输出单元加一个可学习偏置。"),
    "help.squeeze_excite.activation": zh("瓶颈内部的激活函数。"),
    "help.DepthwiseConv2D.depth_multiplier": zh("每个输入通道对应的输出通道数。"),
    "help.Dense.units": zh("输出大小（最后一层为类别数）。"),
    "help.Embedding.input_dim": zh("词表大小：词元 id 从 0 到 input_dim - 1。"),
    "help.Embedding.output_dim": zh("每个词元向量的长度。"),
    "help.BatchNormalization.center": zh("每个通道学习一个偏移 (beta)。"),
    "help.BatchNormalization.scale": zh("每个通道学习一个缩放 (gamma)。"),
    "help.Dropout.rate": zh("训练时被丢弃的比例。"),
    "help.Reshape.target_shape": zh("不含批次维的新形状，例如 [28, 28] 或 [-1]。"),
    "help.ZeroPadding2D.top": zh("在上方添加的行数。"),
    "help.ZeroPadding2D.bottom": zh("在下方添加的行数。"),
    "help.ZeroPadding2D.left": zh("在左侧添加的列数。"),
    "help.ZeroPadding2D.right": zh("在右侧添加的列数。"),
    "help.ChannelSplit.parts": zh("等分的份数。"),
    "help.ChannelSplit.index": zh("保留第几份，从 0 开始。"),
    "help.fire_module.squeeze": zh("1x1 压缩卷积的通道数。"),
    "help.fire_module.expand1x1": zh("1x1 扩展分支的通道数。"),
    "help.fire_module.expand3x3": zh("3x3 扩展分支的通道数。"),
    "help.squeeze_excite.ratio": zh("瓶颈宽度相对于通道数的比例。"),
    "help.ghost_module.ratio": zh("每个本征通道对应的输出通道数。"),
    "help.squeeze_excite.divisor": zh("把瓶颈宽度取整为它的倍数（1：向下取整）。"),
    "help.squeeze_excite.gate": zh("门控激活函数。"),
    "help.ghost_module.dw_kernel_size": zh("廉价深度卷积的卷积核大小。"),
    "help.ghost_module.relu": zh("对两部分都施加 ReLU。"),
    "help.ghost_bottleneck.expanded_filters": zh("扩展 Ghost 模块的通道数（偶数）。"),
    "help.inverted_residual.expansion": zh("扩展宽度 = 输入通道 × 扩展倍数，取整为 8 的倍数；为 1 时省略扩展卷积。"),
    "help.inverted_residual.se_style": zh(
        "mobilenet_v3：按扩展宽度取比例，取整为 8 的倍数，hard-sigmoid 门控；mnasnet：按输入宽度取比例，sigmoid 门控；"
        "efficientnet：同 mnasnet，瓶颈内用本模块的激活函数。"
    ),
    "help.shufflenet_v1_unit.group_first_conv": zh("对第一个 1x1 卷积分组（论文在第 2 阶段的第一个单元中不分组）。"),
    "help.folded_bn": zh("批归一化已折叠进卷积的偏置（为推理导出的模型即如此）：卷积带偏置，没有批归一化层。"),
    "help.inverted_residual.pad_style": zh(
        "步长 2 的深度卷积如何填充：keras 在偶数尺寸输入的上方和左侧少填一行/列（Keras applications 的 correct_pad）；"
        "symmetric 在每一侧填 kernel_size // 2（PyTorch 模型）。"
    ),
    "help.shufflenet_v2_unit.pad_style": zh(
        "步长 2 的深度卷积如何填充：same（Keras 的 'same'：偶数尺寸输入的下方和右侧多填一行/列）；"
        "symmetric 在每一侧填 (kernel_size - 1) // 2（PyTorch 模型）。"
    ),
    "help.conv_bn.pad_style": zh(
        "带步长的卷积如何填充：same（Keras 的 'same'：偶数尺寸输入的下方和右侧多填一行/列）；"
        "symmetric 在每一侧填 (kernel_size - 1) // 2（PyTorch 模型）。"
    ),
}
