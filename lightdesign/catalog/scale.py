"""Beyond one machine: sweeps of candidate designs (Design page), where a job runs (Train
page) and the generated training script (Export page)."""

from lightdesign.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    "sweep.title": tr("Train the candidates", "训练候选设计"),
    "sweep.intro": tr(
        "{count} Pareto-optimal design(s) fit the budget: none of them is beaten on both knobs by another that fits. "
        "Train them briefly with the same data and settings, as a batch of jobs on {where}, and see accuracy "
        "against cost.",
        "有 {count} 个帕累托最优设计满足预算：没有另一个满足预算的设计在两个旋钮上都优于它们。"
        "用相同的数据和设置在 {where} 上以一批任务简短训练它们，查看准确率与成本的关系。",
    ),
    "sweep.data": tr("Data", "数据"),
    "sweep.epochs": tr("Epochs", "轮数"),
    "sweep.count": tr("Candidates", "候选数"),
    "sweep.samples": tr("Training samples", "训练样本数"),
    "sweep.start": tr("Train the {count} candidates", "训练这 {count} 个候选设计"),
    "sweep.not_started": tr("The sweep did not start: {error}", "扫描训练没有开始：{error}"),
    "sweep.no_data": tr(
        "No built-in dataset fits this design's input and classes; train it on the Train page with an upload.",
        "没有适合该设计输入和类别数的内置数据集；请在训练页上传数据后训练。",
    ),
    "sweep.progress": tr(
        "{done} of {count} candidates trained, on {where}", "已训练 {done} / {count} 个候选，运行于 {where}"
    ),
    "sweep.stop": tr("Stop all", "全部停止"),
    "sweep.stopping": tr("Stopping every candidate at its next batch.", "正在让每个候选在下一批次结束时停止。"),
    "sweep.interrupted": tr(
        "This sweep was interrupted by a server restart; the candidates that had finished are shown.",
        "该扫描训练因服务器重启而中断；下面显示已完成的候选。",
    ),
    "sweep.state_interrupted": tr("interrupted", "已中断"),
    "sweep.add_best": tr(
        "Add the best design to the workspace: {label} ({accuracy:.1%})",
        "把最佳设计加入工作区：{label}（{accuracy:.1%}）",
    ),
    "sweep.added": tr(
        "Added {name} with its training run ({accuracy:.1%} test accuracy).",
        "已添加 {name} 及其训练记录（测试准确率 {accuracy:.1%}）。",
    ),
    "sweep.candidates": tr("candidates", "候选"),
    "sweep.front": tr("Pareto front", "帕累托前沿"),
    "sweep.best": tr("best", "最佳"),
    "sweep.accuracy": tr("test accuracy", "测试准确率"),
    "sweep.col.candidate": tr("candidate", "候选"),
    "sweep.col.params": tr("params", "参数量"),
    "sweep.col.latency": tr("fp32 latency (predicted)", "fp32 延迟（预测）"),
    "sweep.col.accuracy": tr("accuracy", "准确率"),
    "sweep.col.state": tr("state", "状态"),
    "sweep.col.message": tr("message", "信息"),
    "sweep.settings": tr("Trained on {dataset}, {epochs} epoch(s) each.", "在 {dataset} 上训练，每个 {epochs} 轮。"),
    "job.where": tr("Runs on {where}.", "运行于 {where}。"),
    "export.download.train": tr("Download train.py", "下载 train.py"),
    "export.train.help": tr(
        "A training script for this design: tf.data input (built-in data, .npz, image folders), "
        "--strategy default|mirrored|multiworker (TF_CONFIG), checkpoints and resume. "
        "Run `python train.py --help`.",
        "该设计的训练脚本：tf.data 读取数据（内置数据、.npz、图片文件夹），"
        "--strategy default|mirrored|multiworker（TF_CONFIG），检查点与断点续训。运行 `python train.py --help`。",
    ),
}
