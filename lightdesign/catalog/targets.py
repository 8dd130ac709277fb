"""Target devices and whether a design fits them: the parts of RAM and flash, how each was
found, the verdicts, operator support and the microcontroller bundle."""

from lightdesign.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    # the targets table
    "target.id": tr("id", "编号"),
    "target.name": tr("target", "目标设备"),
    "target.core": tr("core", "内核"),
    "target.clock": tr("clock", "主频"),
    "target.sram": tr("SRAM", "SRAM"),
    "target.psram": tr("PSRAM", "PSRAM"),
    "target.flash": tr("flash", "Flash"),
    "target.storage": tr("storage", "存储卡/存储"),
    # the parts of the footprint
    "fit.ram": tr("RAM", "RAM"),
    "fit.flash": tr("flash", "Flash"),
    "fit.part.activations": tr("arena: activations (planned buffers)", "Arena：激活值（规划的缓冲区）"),
    "fit.part.persistent": tr(
        "arena: persistent (tensor, operator and kernel data)", "Arena：常驻数据（张量、算子与核数据）"
    ),
    "fit.part.interpreter": tr("interpreter, op resolver and runtime data", "解释器、算子解析器与运行时数据"),
    "fit.part.io": tr("input/output buffers outside the arena", "Arena 之外的输入/输出缓冲区"),
    "fit.part.model": tr("model (.tflite flatbuffer)", "模型（.tflite flatbuffer）"),
    "fit.part.kernels": tr("kernel code of the operators used", "所用算子的内核代码"),
    "fit.part.runtime": tr("TFLite Micro runtime code", "TFLite Micro 运行时代码"),
    "fit.measured": tr("measured", "实测"),
    "fit.estimated": tr("estimate", "估算"),
    # how each part was found
    "fit.basis.arena_planned": tr(
        "TFLite Micro's greedy memory planner, modelled on the int8 lowering (within 3% of the tflite-micro "
        "interpreter's arena on every preset)",
        "基于 int8 降级结果模拟 TFLite Micro 的贪心内存规划器（在每个预设上与 tflite-micro 解释器的 arena 相差不超过 3%）",
    ),
    "fit.basis.arena_measured": tr(
        "the arena head the tflite-micro interpreter planned for the exported int8 file",
        "tflite-micro 解释器为导出的 int8 文件规划的 arena head",
    ),
    "fit.basis.persistent": tr(
        "one TfLiteEvalTensor per tensor, one NodeAndRegistration per operation, each kernel's OpData and the "
        "per-channel multipliers and shifts, at their Cortex-M sizes (sizeof with arm-none-eabi-g++)",
        "每个张量一个 TfLiteEvalTensor、每个算子一个 NodeAndRegistration、各内核的 OpData 以及逐通道的乘数与移位，"
        "按 Cortex-M 上的大小计（arm-none-eabi-g++ 的 sizeof）",
    ),
    "fit.basis.interpreter": tr(
        "sizeof(MicroInterpreter) and the op resolver's entries on a Cortex-M4, plus the runtime's static data "
        "measured in a Cortex-M4 build",
        "Cortex-M4 上 MicroInterpreter 的 sizeof 与算子解析器的条目，加上 Cortex-M4 构建中实测的运行时静态数据",
    ),
    "fit.basis.io": tr(
        "TFLite Micro places the input and output tensors inside the arena",
        "TFLite Micro 把输入和输出张量放在 arena 之内",
    ),
    "fit.basis.model_estimated": tr(
        "int8 weights with their quantization parameters plus the operator, tensor and name records, fitted on the "
        "converted int8 files of the presets (within 2% above 100 kB)",
        "int8 权重及其量化参数，加上算子、张量和名称记录；按各预设转换出的 int8 文件拟合（100 kB 以上误差不超过 2%）",
    ),
    "fit.basis.model_measured": tr("the exported int8 .tflite file's size", "导出的 int8 .tflite 文件大小"),
    "fit.basis.kernels": tr(
        "each operator's code in a Cortex-M4 build of TFLite Micro's reference kernels (-O2, release), summed and "
        "reduced by the helpers they share (x0.65, from two models linked whole: within 10%); CMSIS-NN, ESP-NN "
        "and other cores differ",
        "TFLite Micro 参考内核在 Cortex-M4 上构建（-O2，release）时各算子的代码之和，再按共享的辅助代码折减（×0.65，"
        "依据两个整体链接的模型：误差在 10% 以内）；CMSIS-NN、ESP-NN 及其他内核会不同",
    ),
    "fit.basis.runtime": tr(
        "interpreter, allocator, planner and flatbuffer reader in a Cortex-M4 build of TFLite Micro (-Os, release); "
        "your application, RTOS and drivers come on top",
        "TFLite Micro 在 Cortex-M4 上构建（-Os，release）时的解释器、分配器、规划器与 flatbuffer 读取代码；"
        "应用、RTOS 与驱动另计",
    ),
    # verdicts
    "fit.fits": tr("fits", "放得下"),
    "fit.does_not_fit": tr("does not fit", "放不下"),
    "fit.margin": tr("margin", "余量"),
    "fit.blocked_by": tr("blocked by {memory}", "受限于 {memory}"),
    "fit.count": tr("fits {fits} of {total} targets", "可部署到 {total} 个目标中的 {fits} 个"),
    "fit.unsupported": tr(
        "a layer has no int8 TFLite Micro operator: the figures are what the rest would need",
        "有层没有 int8 TFLite Micro 算子：数字只是其余部分所需",
    ),
    "fit.no_limit": tr("no limit", "不受限"),
    "fit.of": tr("of", "/"),
    # operator support
    "ops.operators": tr("TFLite operators", "TFLite 算子"),
    "ops.not_builtin": tr("not a TFLite builtin: {ops}", "不是 TFLite 内置算子：{ops}"),
    "ops.no_micro_kernel": tr("no TFLite Micro kernel: {ops}", "TFLite Micro 没有对应内核：{ops}"),
    "ops.alternative": tr("instead: {alternative}", "替代方案：{alternative}"),
    "ops.all_supported": tr(
        "every layer becomes TFLite builtins that TFLite Micro has int8 kernels for",
        "每一层都转换为 TFLite 内置算子，且 TFLite Micro 都有对应的 int8 内核",
    ),
    "deploy.alt.recurrent": tr(
        "a Conv1D stack with global pooling (like the TextCNN preset) converts to int8 builtins",
        "改用 Conv1D 堆叠加全局池化（如 TextCNN 预设），即可转换为 int8 内置算子",
    ),
    "deploy.alt.embedding": tr(
        "TFLite Micro's SELECT_V2 kernel takes no int32, which the converter uses to wrap negative token ids: "
        "look the vectors up outside the model and feed them in, or add int32 to SELECT_V2 in your TFLite Micro",
        "转换器用 SELECT_V2 处理负的词元 id，而 TFLite Micro 的 SELECT_V2 内核不支持 int32：可在模型外查表后输入向量，"
        "或在你的 TFLite Micro 中为 SELECT_V2 加入 int32 支持",
    ),
    "deploy.alt.opaque": tr(
        "replace the imported layer by a LightDesign kind that computes the same",
        "用计算相同的 LightDesign 层类型替换这个导入层",
    ),
}
