"""The Design page's editor: the canvas and its palette, the inspector, the tabs under the
editor and the first-run guide."""

from lightdesign.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    "canvas.search": tr("Search layers", "搜索层"),
    "canvas.fit": tr("Fit", "适应窗口"),
    "canvas.load_failed": tr(
        "The canvas could not be loaded; reload the page (the List tab below edits the design meanwhile).",
        "画布加载失败；请刷新页面（下方“列表”标签页仍可编辑设计）。",
    ),
    "canvas.expand_all": tr("Expand all", "全部展开"),
    "canvas.collapse_all": tr("Collapse all", "全部折叠"),
    "canvas.expand": tr("Expand into its layers", "展开为其中的层"),
    "canvas.collapse": tr("Collapse into one block", "折叠为一个块"),
    "canvas.wrap": tr("Wrap in residual add", "包入残差相加 (Add)"),
    "canvas.empty": tr(
        "Drag a layer from the palette here, or pick a preset in the sidebar.",
        "从左侧调色板把一个层拖到这里，或在侧边栏选择一个预设。",
    ),
    "canvas.minimap": tr("Overview of the whole design", "整个设计的概览"),
    "canvas.refused": tr("Not applied: {reason}", "未应用：{reason}"),
    "canvas.palette": tr("Layers", "层"),
    "canvas.palette.hide": tr("Hide the layers (more room for the drawing)", "隐藏层列表（给画布腾出空间）"),
    "canvas.inspector": tr("Inspector", "检查器"),
    "canvas.inspector.hide": tr("Hide inspector", "隐藏检查器"),
    "canvas.undo": tr(
        "Undo (Ctrl+Z, anywhere on the page but in a text field)", "撤销（Ctrl+Z，在页面任意处，文本框除外）"
    ),
    "canvas.redo": tr("Redo (Ctrl+Shift+Z or Ctrl+Y)", "重做（Ctrl+Shift+Z 或 Ctrl+Y）"),
    "canvas.badge.residual": tr("+ residual", "+ 残差"),
    "canvas.badge.shortcut": tr(
        "Inside this block its input also goes straight to a {kind} (a shortcut); expand the block to see it.",
        "此块内部，它的输入还直接连到一个 {kind}（捷径连接）；展开此块即可看到。",
    ),
    # a connection onto a block's main input: the choices ({source}, {target}, {main} are filled in the browser)
    "canvas.connect.title": tr("Connect {source} to {target}:", "把 {source} 连接到 {target}："),
    "canvas.connect.add": tr(
        "Add: {target} reads {main} + {source} (a residual branch)",
        "相加 (Add)：{target} 读取 {main} + {source}（残差分支）",
    ),
    "canvas.connect.concatenate": tr(
        "Concatenate: {target} reads {main} and {source} side by side (channels joined)",
        "拼接 (Concatenate)：{target} 读取 {main} 与 {source} 并排拼接（通道相连）",
    ),
    "canvas.connect.replace": tr(
        "Replace: {target} reads {source} instead of {main}",
        "替换：{target} 改为读取 {source}，不再读取 {main}",
    ),
    "canvas.connect.cancel": tr("Cancel (Esc)", "取消 (Esc)"),
    "canvas.order.self": tr("a block cannot read from itself.", "块不能读取自己的输出。"),
    "canvas.order.cycle": tr(
        "{target} cannot read from {source}: {source} is computed from {target}'s output, so the connection "
        "would make a cycle. Connect a block above {target} instead.",
        "{target} 不能读取 {source}：{source} 由 {target} 的输出计算而来，这样连接会形成环 (cycle)。"
        "请改为连接 {target} 上方的块。",
    ),
    "canvas.order.later": tr(
        "{target} cannot read from {source}, which comes after it: a block reads only from the blocks above it. "
        "Move {source} above {target} first.",
        "{target} 不能读取位于它之后的 {source}：块只能读取它上方的块。请先把 {source} 移到 {target} 上方。",
    ),
    "canvas.said.added_top": tr("Added {name} ({kind}) at the top.", "已在最上方添加 {name} ({kind})。"),
    "canvas.said.added_after": tr("Added {name} ({kind}) after {after}.", "已在 {after} 之后添加 {name} ({kind})。"),
    "canvas.said.between": tr(
        "Added {name} ({kind}) between {source} and {target}.",
        "已在 {source} 与 {target} 之间添加 {name} ({kind})。",
    ),
    "canvas.said.second": tr(
        "{target} now merges {source} with its main input.", "{target} 现在把 {source} 与它的主输入合并。"
    ),
    "canvas.said.merged": tr(
        "Added {merge} ({kind}): {target} now reads {main} and {source} merged, a branch.",
        "已添加 {merge} ({kind})：{target} 现在读取 {main} 与 {source} 合并后的结果，形成一个分支。",
    ),
    "canvas.said.same": tr(
        "{target} already reads from {source}; nothing changed.", "{target} 已经读取 {source}；没有改动。"
    ),
    "canvas.said.replaced": tr(
        "{target} now reads from {source} instead of {old}.", "{target} 现在读取 {source}，不再读取 {old}。"
    ),
    "canvas.said.dead": tr(
        "{names} now feed nothing and are left out of the model (delete them, or connect them again).",
        "{names} 的输出现在没有被使用，不属于模型（可以删除，或重新连接）。",
    ),
    "canvas.said.deleted": tr("Deleted {name}.", "已删除 {name}。"),
    "canvas.said.duplicated": tr("Added {name}, a copy of {original}.", "已添加 {name}（{original} 的副本）。"),
    "canvas.said.moved_up": tr("Moved {name} up.", "已将 {name} 上移。"),
    "canvas.said.moved_down": tr("Moved {name} down.", "已将 {name} 下移。"),
    "canvas.said.wrapped": tr(
        "Added {name}: {block}'s input is added to its output (a residual).",
        "已添加 {name}：{block} 的输入与输出相加（残差）。",
    ),
    "canvas.said.undone": tr("Undone. Ctrl+Shift+Z redoes it.", "已撤销。按 Ctrl+Shift+Z 可重做。"),
    "canvas.said.redone": tr("Redone.", "已重做。"),
    "canvas.said.nothing_to_undo": tr("Nothing to undo.", "没有可撤销的操作。"),
    "canvas.said.nothing_to_redo": tr("Nothing to redo.", "没有可重做的操作。"),
    "canvas.heat": tr("Colour by predicted latency", "按预测延迟着色"),
    "canvas.heat.help": tr(
        "A heat map: each block coloured by its share of the predicted TFLite float32 time on this machine "
        "(1 thread), the slowest the deepest red",
        "热力图：按每个模块占本机 TFLite float32 预测时间（1 线程）的比例着色，最慢的模块颜色最深",
    ),
    "canvas.heat.badge_title": tr(
        "≈ {ms:.3f} ms float32, {share:.1%} of the predicted time", "≈ {ms:.3f} ms float32，占预测时间的 {share:.1%}"
    ),
    "canvas.heat.none": tr("No latency heat map: {why}", "无法显示延迟热力图：{why}"),
    "canvas.heat.no_prediction": tr("no latency is predicted for this design", "这个设计没有延迟预测"),
    "form.cost": tr(
        "Output {shape} · {params} params · {macs} MACs",
        "输出 {shape} · {params} 参数 · {macs} MACs",
    ),
    "form.cost.help": tr(
        "This block alone: {params:,} parameters, {macs:,} multiply-adds, {layers} Keras layers",
        "仅此块：{params:,} 个参数，{macs:,} 次乘加，{layers} 个 Keras 层",
    ),
    "tab.charts": tr("Cost per block", "各块的开销"),
    "tab.table": tr("Per-layer table", "逐层表格"),
    "tab.budget": tr("Budget", "预算"),
    "tab.scaling": tr("Scaling search", "缩放搜索"),
    "tab.suggestions": tr("Lighter substitutes", "更轻的替代方案"),
    "tab.list": tr("List", "列表"),
    "tab.list.help": tr(
        "The design as a list, for the keyboard and small screens: drag kinds into the stack, "
        "reorder, or drop a block into the bin.",
        "以列表形式编辑设计，适合键盘和小屏幕：把层拖入堆栈、重新排序，或拖到回收站删除。",
    ),
    "tab.drawing": tr("Graphviz & Mermaid", "Graphviz 与 Mermaid"),
    "tab.needs_valid": tr(
        "Shown once the design has no errors (see the red blocks on the canvas).",
        "设计没有错误后才会显示（见画布上的红色块）。",
    ),
    "graph.export_help": tr(
        "The drawing exported as DOT, SVG or PNG on the Export page, and its Mermaid text.",
        "在“导出”页导出为 DOT、SVG 或 PNG 的图，以及它的 Mermaid 文本。",
    ),
    "guide.title": tr("Three steps to a lightweight network", "三步设计一个轻量网络"),
    "guide.step1": tr(
        "Pick a preset in the sidebar, or drag a layer from the palette onto the canvas.",
        "在侧边栏选择一个预设，或把调色板里的层拖到画布上。",
    ),
    "guide.step2": tr(
        "Click a block to configure it on the right; drag from one block's output to another's input "
        "to add, concatenate or replace its input.",
        "点击一个块，在右侧配置它；从一个块的输出拖到另一个块的输入，可以相加、拼接或替换它的输入。",
    ),
    "guide.step3": tr(
        "Train it briefly, compare it with other designs, export Keras code or a TFLite model (pages on the left).",
        "短暂训练它，与其他设计比较，再导出 Keras 代码或 TFLite 模型（见左侧的页面）。",
    ),
    "guide.dismiss": tr("Got it", "知道了"),
    "files.copied": tr(
        "Link copied to the clipboard (it is also in the box above).",
        "链接已复制到剪贴板（上方的框中也有）。",
    ),
}
