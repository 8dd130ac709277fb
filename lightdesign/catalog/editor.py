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
        "Click a block to configure it on the right; drag from a block's output to another's input "
        "to make a branch. The figures at the top follow every change.",
        "点击一个块，在右侧配置它；从一个块的输出拖到另一个块的输入即可建立分支。顶部的数字随每次修改更新。",
    ),
    "guide.step3": tr(
        "Train it briefly, compare it with other designs, and export Keras code or a TFLite model "
        "(pages in the sidebar).",
        "短暂训练它，与其他设计比较，再导出 Keras 代码或 TFLite 模型（见侧边栏中的页面）。",
    ),
    "guide.dismiss": tr("Got it", "知道了"),
    "files.copied": tr(
        "Link copied to the clipboard (it is also in the box above).",
        "链接已复制到剪贴板（上方的框中也有）。",
    ),
}
