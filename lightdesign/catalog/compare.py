"""The Compare page."""

from lightdesign.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    "compare.title": tr("Compare", "比较"),
    "compare.choose": tr(
        "Designs to compare (2 to 4; the first is the reference)", "要比较的设计（2 到 4 个；第一个作为基准）"
    ),
    "compare.preset": tr("preset: {name}", "预设：{name}"),
    "compare.pick_two": tr(
        "Pick at least two designs (from your workspace or the presets).",
        "请至少选择两个设计（来自工作区或预设）。",
    ),
    "compare.broken": tr(
        "Fix the errors of {names} on the Design page to compare it.", "请先在设计页修正 {names} 的错误再比较。"
    ),
    "compare.table_caption": tr(
        "Ratios are to the first design; the best value of each row is highlighted. Accuracy is the "
        "design's last training run; latency comes from the Export page's measurements.",
        "比值以第一个设计为基准；每行最好的值高亮显示。准确率来自该设计最近一次训练；延迟来自导出页的测量。",
    ),
    "compare.metric": tr("metric", "指标"),
    "compare.relative": tr("Cost relative to the first design", "相对第一个设计的开销"),
    "compare.relative.axis": tr("relative to the first design", "相对第一个设计"),
    "compare.relative.hover": tr("the first", "第一个"),
    "compare.depth": tr("Where the cost is, over depth", "开销在深度上的分布"),
    "compare.depth.macs": tr("MACs per block", "每块 MACs"),
    "compare.depth.activation": tr("Activation size per block (bytes)", "每块激活大小（字节）"),
    "compare.depth.axis": tr("depth (% of blocks)", "深度（块的百分比）"),
    "compare.timeline": tr("Memory over the layers", "各层的内存"),
    "compare.timeline.precision": tr("Precision", "精度"),
    "compare.timeline.caption": tr(
        "Activation memory alive while each layer runs, in execution order; the diamond marks each design's peak "
        "and names its layer: the layer to change to fit into RAM.",
        "按执行顺序，每层运行时存活的激活内存；菱形标出每个设计的峰值及其所在层：要装进 RAM 就改这一层。",
    ),
    "compare.pareto": tr("Accuracy against cost", "准确率与开销"),
    "compare.cost_axis": tr("Cost axis", "开销轴"),
    "compare.quality_axis": tr("Quality axis", "质量轴"),
    "compare.no_runs": tr(
        "No training runs yet: train designs on the Train page to plot accuracy against cost.",
        "还没有训练记录：在训练页训练设计后，即可画出准确率与开销的关系。",
    ),
    "compare.runs": tr("designs and runs", "设计与训练记录"),
    "compare.missing": tr(
        "Not in the chart yet, no finished training run: {names}. Train them on the Train page to place them.",
        "图中还没有（没有完成的训练）：{names}。在训练页训练它们即可加入图中。",
    ),
    "compare.missing.front": tr(
        "Not in the chart yet, no finished training run: {names}. Train them on the Train page to place them; "
        "the Pareto front needs runs of at least two designs.",
        "图中还没有（没有完成的训练）：{names}。在训练页训练它们即可加入图中；帕累托前沿至少需要两个设计的训练记录。",
    ),
    "compare.missing.more": tr("{names} and {count} more", "{names} 等另外 {count} 个"),
    "compare.front": tr("Pareto front", "帕累托前沿"),
    "compare.run_label": tr("{name} · {dataset} · {epochs} epochs", "{name} · {dataset} · {epochs} 轮"),
    "compare.graphs": tr("Graphs", "结构图"),
    "compare.graph_head": tr("**{name}** · {params} params · {macs} MACs", "**{name}** · {params} 参数 · {macs} MACs"),
    "compare.diff": tr("Architecture diff", "结构差异"),
    "compare.diff_head": tr("From **{a}** to **{b}**: {count} change(s)", "从 **{a}** 到 **{b}**：{count} 处变化"),
    "compare.same": tr("The two designs have the same blocks and settings.", "两个设计的块和设置完全相同。"),
}
