"""Texts shared by every page: navigation, the workspace bar, layer categories, issue frames."""

from lightdesign.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    "nav.design": tr("Design", "设计"),
    "nav.compare": tr("Compare", "比较"),
    "nav.train": tr("Train", "训练"),
    "nav.export": tr("Export", "导出"),
    "nav.learn": tr("Learn", "学习"),
    "issue.block": tr("Block {block} '{name}' ({kind}): {message}", "第 {block} 块 '{name}' ({kind})：{message}"),
    "issue.design": tr("Design: {message}", "设计：{message}"),
    "issue.valid": tr("valid: {valid}", "有效取值：{valid}"),
    "category.Convolution": tr("Convolution", "卷积 Convolution"),
    "category.Lightweight blocks": tr("Lightweight blocks", "轻量模块 Lightweight blocks"),
    "category.Pooling": tr("Pooling", "池化 Pooling"),
    "category.Dense": tr("Dense", "全连接 Dense"),
    "category.Recurrent": tr("Recurrent", "循环 Recurrent"),
    "category.Regularization": tr("Regularization", "正则化与激活 Regularization"),
    "category.Shape & merge": tr("Shape & merge", "形状与合并 Shape & merge"),
    "link.opened": tr("Opened the design {name!r} from the link.", "已从链接打开设计 {name!r}。"),
    "link.failed": tr(
        "Could not open the shared design: {error}. Your workspace is unchanged.",
        "无法打开分享的设计：{error}。你的工作区没有改动。",
    ),
    "ws.design": tr("Design", "设计"),
    "ws.design.help": tr(
        "Each design keeps its own undo history. Keep variants here to compare them.",
        "每个设计都有自己的撤销历史。把变体保存在这里以便比较。",
    ),
    "ws.rename": tr("Rename", "重命名"),
    "ws.new": tr("New", "新建"),
    "ws.new.help": tr("Start an empty design", "新建一个空设计"),
    "ws.copy": tr("Copy", "复制"),
    "ws.copy.help": tr("Duplicate the current design", "复制当前设计"),
    "ws.delete": tr("Delete", "删除"),
    "ws.delete.help": tr("Delete the current design", "删除当前设计"),
    # an imported model file's weights, on the Train and Export pages
    "file_weights.format": tr(
        "The weights of **{file}** are not used: weights are loaded from .keras, .h5, .tflite and .onnx files, "
        "not from {format} files; every layer starts from new weights.",
        "不使用 **{file}** 的权重：只从 .keras、.h5、.tflite 和 .onnx 文件加载权重，不支持 {format} 文件；"
        "所有层都从新权重开始。",
    ),
    "file_weights.no_weights": tr(
        "**{file}** carries no weights: every layer starts from new weights.",
        "**{file}** 不带权重：所有层都从新权重开始。",
    ),
    "file_weights.missing": tr(
        "The kept copy of **{file}** is gone, or is not one of this workspace's files: every layer starts from "
        "new weights. Import the file again to use its weights.",
        "保存的 **{file}** 副本已不存在，或不是这个工作区自己的文件：所有层都从新权重开始。重新导入该文件即可使用其权重。",
    ),
    "file_weights.none_kept": tr(
        "No layer of the edited design matches a layer of **{file}**: every layer starts from new weights.",
        "修改后的设计中没有与 **{file}** 对应的层：所有层都从新权重开始。",
    ),
    "file_weights.layers": tr("Layers and their weights", "各层及其权重"),
    "file_weights.col.layer": tr("Layer", "层"),
    "file_weights.col.weights": tr("Weights", "权重"),
    "file_weights.from": tr("from the file's {layer}", "来自文件的 {layer}"),
    "file_weights.new": tr("new (the structure changed)", "新权重（结构已改变）"),
}
