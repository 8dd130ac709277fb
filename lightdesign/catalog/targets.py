"""Target devices and whether a design fits them: the parts of RAM and flash, how each was
found, the verdicts, operator support and the microcontroller bundle."""

from lightdesign.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    # the targets table
    "target.id": tr("id", "编号"),
    "target.name": tr("target", "目标设备"),
    "target.core": tr("core", "内核"),
    "target.clock": tr("clock", "主频"),
    "target.sram": tr("SRAM", "SRAM（片上内存）"),
    "target.psram": tr("PSRAM", "PSRAM"),
    "target.flash": tr("flash", "Flash（闪存）"),
    "target.storage": tr("storage", "存储卡/存储"),
    # the parts of the footprint
    "fit.ram": tr("RAM", "RAM（内存）"),
    "fit.flash": tr("flash", "Flash（闪存）"),
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
    # the Design page: the pinned figure and what is behind it
    "fit.count.help": tr(
        "The int8 TensorFlow Lite Micro deployment's RAM and flash against every target (the catalogue's and "
        "yours): open for each verdict, the margin, what blocks it, and the figures part by part",
        "int8 TensorFlow Lite Micro 部署所需的 RAM 与 Flash 对比每个目标设备（内置的和你添加的）："
        "点开查看每个结论、余量、受限项，以及逐项的数字",
    ),
    "fit.totals": tr("needs {ram} RAM and {flash} flash", "需要 {ram} RAM 和 {flash} Flash"),
    "fit.verdict": tr("verdict", "结论"),
    "fit.blocking": tr("what blocks it", "受限项"),
    "fit.blocked_by_ops": tr("blocked by operators TFLite Micro cannot run", "受限于 TFLite Micro 无法运行的算子"),
    "fit.memory": tr("memory", "存储"),
    "fit.part": tr("part", "组成"),
    "fit.bytes": tr("bytes", "字节"),
    "fit.how": tr("measured or estimate", "实测或估算"),
    "fit.basis": tr("basis", "依据"),
    "fit.picked_fits": tr("fits {target}", "可部署到 {target}"),
    "fit.picked_over": tr("does not fit {target}", "无法部署到 {target}"),
    # the budget's target and the person's own targets
    "targets.pick": tr("Target device", "目标设备"),
    "targets.pick.help": tr(
        "The int8 deployment's RAM and flash must fit this device: the figures, the verdict and the width × "
        "resolution scan follow it",
        "int8 部署的 RAM 与 Flash 必须放得进这个设备：各项数字、结论与宽度 × 分辨率扫描都以它为准",
    ),
    "targets.none": tr("no target", "不指定目标"),
    "targets.option": tr("{name} · {ram} RAM · {flash} flash", "{name} · 内存 {ram} · 闪存 {flash}"),
    "targets.own": tr("Your own targets", "自定义目标设备"),
    "targets.new.name": tr("Name", "名称"),
    "targets.add": tr("Add target", "添加目标设备"),
    "targets.remove": tr("Remove", "删除"),
    "targets.added": tr("Target {name} added and picked for the budget.", "已添加目标设备 {name}，并用作预算目标。"),
    "targets.bad_name": tr(
        "A target needs a name of 1 to {most} characters.", "目标设备需要 1 到 {most} 个字符的名称。"
    ),
    "targets.bad_memory": tr(
        "{what}: '{text}' is not an amount of bytes; write e.g. 512KB or 2MB (from 1 byte to 1 TB).",
        "{what}：'{text}' 不是字节数；请写成例如 512KB 或 2MB（1 字节到 1 TB）。",
    ),
    "targets.duplicate": tr(
        "You have a target called {name} already; pick another name or remove that one first.",
        "已有名为 {name} 的目标设备；请换一个名称，或先删除那一个。",
    ),
    "budget.target_over": tr("{target} ({why})", "目标设备 {target}（{why}）"),
    # operator support
    "ops.operators": tr("TFLite operators", "TFLite 算子"),
    "ops.not_builtin": tr("not a TFLite builtin: {ops}", "不是 TFLite 内置算子：{ops}"),
    "ops.no_micro_kernel": tr("no TFLite Micro kernel: {ops}", "TFLite Micro 没有对应内核：{ops}"),
    "ops.alternative": tr("instead: {alternative}", "替代方案：{alternative}"),
    "ops.badge": tr("no int8 kernel", "无 int8 内核"),
    "ops.block_head": tr("TFLite Micro cannot run this block in int8:", "TFLite Micro 无法以 int8 运行这个模块："),
    "ops.all_supported": tr(
        "every layer becomes TFLite builtins that TFLite Micro has int8 kernels for",
        "每一层都转换为 TFLite 内置算子，且 TFLite Micro 都有对应的 int8 内核",
    ),
    # the Export page: the bundle and the converted file's operators
    "mcu.head": tr("**Microcontroller bundle**", "**微控制器部署包**"),
    "mcu.download": tr("Download the microcontroller bundle (.zip)", "下载微控制器部署包（.zip）"),
    "mcu.download.help": tr(
        "model_data.cc/.h (the int8 .tflite as an aligned C array), a MicroMutableOpResolver with exactly the "
        "operators used, the arena size, input/output shapes and quantization, the class names, a host main.cc "
        "and an Arduino sketch that run one inference on a bundled test input, and a README",
        "model_data.cc/.h（以对齐的 C 数组存放的 int8 .tflite）、只含所用算子的 MicroMutableOpResolver、arena 大小、"
        "输入/输出形状与量化参数、类别名、在附带测试输入上运行一次推理的主机 main.cc 与 Arduino 程序，以及 README",
    ),
    "mcu.contents": tr(
        "{size}: model, op resolver, arena size, test input, host and Arduino programs, README",
        "{size}：模型、算子解析器、arena 大小、测试输入、主机与 Arduino 程序、README",
    ),
    "mcu.none": tr("No microcontroller bundle: {why}", "没有微控制器部署包：{why}"),
    "mcu.not_made": tr("this export did not make one", "这次导出没有生成"),
    "mcu.ops_head": tr(
        "**Operators of the converted int8 file** beside the prediction", "**转换出的 int8 文件中的算子**与预测对照"
    ),
    "mcu.ops_none": tr(
        "The export wrote no int8 file whose operators could be read.", "这次导出没有可读取算子的 int8 文件。"
    ),
    "mcu.ops_agree": tr(
        "The file's {count} operators are exactly those predicted.", "文件中的 {count} 个算子与预测完全一致。"
    ),
    "mcu.ops_disagree": tr(
        "The file's operators differ from the prediction: predicted but not in the file: {missing}; in the file "
        "but not predicted: {extra}.",
        "文件中的算子与预测不一致：预测有而文件没有：{missing}；文件有而未预测：{extra}。",
    ),
    "mcu.col.operator": tr("operator", "算子"),
    "mcu.col.predicted": tr("predicted", "预测"),
    "mcu.col.found": tr("in the file", "文件中"),
    "mcu.measured_fit": tr(
        "With this export's measured file size and arena: {ram} RAM and {flash} flash on a microcontroller.",
        "按这次导出实测的文件大小与 arena：在微控制器上需要 {ram} RAM 和 {flash} Flash。",
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
