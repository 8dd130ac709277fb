"""The Train page: datasets and uploads, settings, estimates, progress, the worker's job steps and states, results."""

from lightdesign.catalog.text import tr

ENTRIES: dict[str, dict[str, str]] = {
    "train.title": tr("Train · {name}", "训练 · {name}"),
    "train.data": tr("Data", "数据"),
    "train.settings": tr("Settings", "设置"),
    "train.run": tr("Run", "运行"),
    "train.no_run": tr("No run yet in this session.", "本次会话中还没有运行。"),
    "run.interrupted": tr(
        "A run on {dataset} was interrupted by a server restart: {figures}. Start it again to get a model.",
        "在 {dataset} 上的一次训练因服务器重启而中断：{figures}。重新开始训练以得到模型。",
    ),
    "run.ended": tr(
        "A run on {dataset} ended ({state}): {figures}.", "在 {dataset} 上的一次训练已结束（{state}）：{figures}。"
    ),
    "run.last_epoch": tr(
        "epoch {epoch} of {epochs} finished, loss {loss:.3f}", "已完成第 {epoch}/{epochs} 个 epoch，loss {loss:.3f}"
    ),
    "run.no_epoch": tr("no epoch finished", "没有完成任何 epoch"),
    "train.design_errors": tr(
        "The design has errors; fix them on the Design page first. {error}", "设计有错误；请先在设计页修正。{error}"
    ),
    "train.start": tr("Start training", "开始训练"),
    "train.dataset": tr("Dataset", "数据集"),
    "dataset.digits28": tr("Digits 28x28 (built in)", "手写数字 28x28（内置）"),
    "dataset.digits8": tr("Digits 8x8 (built in)", "手写数字 8x8（内置）"),
    "dataset.shapes": tr("Shapes 32x32 (generated)", "几何图形 32x32（生成）"),
    "dataset.shapes_rgb": tr("Shapes 32x32 RGB (generated)", "彩色几何图形 32x32（生成）"),
    "dataset.waves": tr("Waveforms 50x1 (generated)", "波形序列 50x1（生成）"),
    "dataset.tokens": tr("Token sequences 100 (generated)", "词元序列 100（生成）"),
    "dataset.mnist": tr("MNIST (download)", "MNIST（需下载）"),
    "dataset.fashion_mnist": tr("Fashion-MNIST (download)", "Fashion-MNIST（需下载）"),
    "dataset.cifar10": tr("CIFAR-10 (download)", "CIFAR-10（需下载）"),
    "dataset.upload_npz": tr("Upload arrays (.npz)", "上传数组（.npz）"),
    "dataset.upload_zip": tr("Upload image folders (.zip)", "上传图片文件夹（.zip）"),
    "dataset.desc.digits28": tr(
        "scikit-learn's handwritten digits upscaled to 28x28, 10 classes",
        "scikit-learn 自带的手写数字，放大到 28x28，10 类",
    ),
    "dataset.desc.digits8": tr(
        "scikit-learn's 8x8 handwritten digits, 10 classes", "scikit-learn 自带的 8x8 手写数字，10 类"
    ),
    "dataset.desc.shapes": tr("generated shapes, grayscale", "生成的几何图形，灰度"),
    "dataset.desc.shapes_rgb": tr("generated shapes, colour", "生成的几何图形，彩色"),
    "dataset.desc.waves": tr("generated waveforms: sine, square, sawtooth", "生成的波形：正弦、方波、锯齿波"),
    "dataset.desc.tokens": tr("generated token-id documents, 2 topics", "生成的词元 id 文档，2 个主题"),
    "dataset.desc.upload": tr("uploaded: {name}", "上传的数据：{name}"),
    "dataset.keras_info": tr(
        "{title}: downloaded by the training worker when you start (needs internet; offline, use the "
        "built-in digits, shapes or sequences, or an upload).",
        "{title}：开始训练时由训练进程下载（需要联网；离线时请使用内置的手写数字、几何图形或序列数据，或上传数据）。",
    ),
    "dataset.preview": tr(
        "{description} · {train:,} training and {test:,} test samples · samples {shape} · classes: {classes}",
        "{description} · {train:,} 个训练样本和 {test:,} 个测试样本 · 样本形状 {shape} · 类别：{classes}",
    ),
    "shapes.size": tr("Image size", "图像尺寸"),
    "shapes.classes": tr("Shapes", "图形种类数"),
    "shapes.count": tr("Images", "图像数量"),
    "shapes.seed": tr("Seed", "随机种子"),
    "spinner.shapes": tr("Drawing the shapes…", "正在绘制图形…"),
    "spinner.dataset": tr("Preparing the dataset…", "正在准备数据集…"),
    "upload.npz.caption": tr(
        "numpy.savez(x_train=…, y_train=…[, x_test=…, y_test=…]): images (N, H, W[, C]), token ids (N, T) "
        "or sequences (N, T, F); integer labels 0 … K-1.",
        "numpy.savez(x_train=…, y_train=…[, x_test=…, y_test=…])：图像 (N, H, W[, C])、词元 id (N, T) "
        "或序列 (N, T, F)；整数标签 0 … K-1。",
    ),
    "upload.npz": tr("Arrays (.npz)", "数组文件（.npz）"),
    "upload.zip.caption": tr(
        "A zip with one folder per class: cats/1.png, dogs/2.jpg …",
        "每个类别一个文件夹的 zip：cats/1.png、dogs/2.jpg …",
    ),
    "upload.zip.size": tr("Resize images to", "把图像缩放到"),
    "upload.zip.channels": tr("Channels", "通道"),
    "upload.gray": tr("grayscale", "灰度"),
    "upload.rgb": tr("RGB", "彩色 RGB"),
    "upload.zip": tr("Image folders (.zip)", "图片文件夹（.zip）"),
    "upload.wait": tr("Upload a file to train on it.", "上传文件后即可用它训练。"),
    "upload.error": tr("{file}: {error}", "文件 {file}：{error}"),
    "dataset.not_kept": tr("This dataset cannot be used: {error}", "无法使用此数据集：{error}"),
    "match.resize": tr(
        "The images are {data} and the design expects {design}: they will be resized (and converted between "
        "gray and RGB) for training.",
        "图像为 {data}，而设计需要 {design}：训练时会自动缩放（并在灰度和彩色之间转换）。",
    ),
    "match.bad_shape": tr(
        "The design expects samples of shape {design} but this data has {data}.",
        "设计需要形状为 {design} 的样本，但这些数据是 {data}。",
    ),
    "match.set_input": tr("Set the design's input to {shape}", "把设计的输入设为 {shape}"),
    "match.classes": tr(
        "The data has {data} classes and the design outputs {design}.", "数据有 {data} 类，而设计输出 {design} 类。"
    ),
    "match.set_classes": tr("Set the design to {classes} classes", "把设计改为 {classes} 类"),
    "set.epochs": tr("Epochs", "轮数 (epochs)"),
    "set.batch": tr("Batch size", "批大小 (batch size)"),
    "set.optimizer": tr("Optimizer", "优化器"),
    "set.sgd": tr("SGD + momentum 0.9", "SGD + 动量 0.9"),
    "set.lr": tr("Learning rate", "学习率"),
    "set.split": tr("Validation split", "验证集比例"),
    "set.seed": tr("Seed", "随机种子"),
    "set.cap": tr("Sample cap (0 = all)", "样本上限（0 = 全部）"),
    "set.cap.help": tr("Train on at most this many samples, for speed", "最多用这么多样本训练，以加快速度"),
    "set.mixed": tr("Mixed precision", "混合精度"),
    "set.mixed.gpu": tr("float16 compute on a GPU", "在 GPU 上用 float16 计算"),
    "set.mixed.none": tr("Needs a GPU; this server has none", "需要 GPU；本服务器没有"),
    "est.memory": tr("Estimated training memory", "预计训练内存"),
    "est.memory.help": tr(
        "{value:,} bytes at batch {batch}: weights, gradients, optimizer state, activations",
        "batch 为 {batch} 时 {value:,} 字节：权重、梯度、优化器状态、激活",
    ),
    "est.time": tr("Estimated time per epoch", "预计每轮时间"),
    "est.time.run": tr(
        "From the last run of this network at this batch size ({samples:,} training samples per epoch; "
        "{rate:.1f} GFLOP/s measured).",
        "依据该网络在此批大小下最近一次运行（每轮 {samples:,} 个训练样本；实测 {rate:.1f} GFLOP/s）。",
    ),
    "est.time.calibration": tr(
        "From timed training steps of this network at this batch size on this machine ({samples:,} training "
        "samples per epoch, validation included; {rate:.1f} GFLOP/s).",
        "依据本机上该网络在此批大小下的实测训练步（每轮 {samples:,} 个训练样本，含验证；{rate:.1f} GFLOP/s）。",
    ),
    "est.time.scaled": tr(
        "Rough: 3 x {flops:,} FLOPs per sample x {samples:,} samples at {rate:.1f} GFLOP/s measured for another "
        "network on this machine. Measure this one for a better figure.",
        "粗略：每个样本 3 × {flops:,} FLOPs × {samples:,} 个样本，按本机另一网络实测的 {rate:.1f} GFLOP/s 估算。"
        "测量本网络可得到更准确的数值。",
    ),
    "est.time.assumed": tr(
        "Rough: 3 x {flops:,} FLOPs per sample x {samples:,} samples at an assumed {rate:.1f} GFLOP/s. Measure "
        "this network's speed for a real figure.",
        "粗略：每个样本 3 × {flops:,} FLOPs × {samples:,} 个样本，按假定的 {rate:.1f} GFLOP/s 估算。测量本网络的"
        "速度可得到真实数值。",
    ),
    "train.calibrate": tr("Measure speed", "测量速度"),
    "train.calibrate.help": tr(
        "Times a few training steps of this design at batch {batch} in a worker (about 10 s with TensorFlow's "
        "start); the estimate then comes from this machine. Kept for this design and batch size.",
        "在后台进程中对本设计以 batch {batch} 计时若干训练步（连同 TensorFlow 启动约 10 秒）；之后的估计来自本机实测。"
        "结果按设计与批大小保留。",
    ),
    "train.calibrating": tr("Measuring the speed: {stage}", "正在测量速度：{stage}"),
    "train.calibrate.failed": tr("Measuring the speed failed: {message}", "测量速度失败：{message}"),
    "train.other_design": tr(
        "The last run of this session trained the design '{name}', not this one: open '{name}' to see its results.",
        "本次会话最近一次训练的是设计“{name}”，不是当前设计：打开“{name}”查看其结果。",
    ),
    "train.other_running": tr(
        "The design '{name}' is training in this session: open '{name}' to follow it or stop it.",
        "本次会话正在训练设计“{name}”：打开“{name}”查看进度或停止。",
    ),
    "est.free": tr("Free memory on the server", "服务器可用内存"),
    "est.unknown": tr("unknown", "未知"),
    "est.refuse": tr(
        "Training would need about {need} but the server has {free} free. Lower the batch size, the resolution "
        "or the width.",
        "训练大约需要 {need}，但服务器只剩 {free} 可用。请减小批大小、分辨率或宽度。",
    ),
    "train.not_started": tr("Training did not start: {error}", "训练没有开始：{error}"),
    "curve.loss": tr("Loss", "损失 (loss)"),
    "curve.accuracy": tr("Accuracy", "准确率 (accuracy)"),
    "curve.epoch": tr("epoch", "轮 (epoch)"),
    "curve.batches": tr("training, by batches", "训练（按批）"),
    "curve.train_epoch": tr("training, epoch mean", "训练（每轮均值）"),
    "curve.validation": tr("validation, end of epoch", "验证（每轮结束）"),
    "queue.waiting": tr(
        "Waiting for a free worker: {running} job(s) are running on this server (limit {limit}); you are "
        "number {position} in the queue.",
        "正在等待空闲的工作进程：本服务器有 {running} 个任务在运行（上限 {limit}）；你排在队列第 {position} 位。",
    ),
    "progress.text": tr(
        "Epoch {epoch}/{epochs} · batch {batch}/{batches} · {rate:.0f} samples/s · about {eta} left",
        "Epoch {epoch}/{epochs} · batch {batch}/{batches} · 每秒 {rate:.0f} 个样本 · 约剩 {eta}",
    ),
    "progress.starting": tr("Starting the worker…", "正在启动工作进程…"),
    # a worker's stage (messages.Stage), a job's state (messages.JobState)
    "job.stage.loading_tensorflow": tr("Loading TensorFlow…", "正在加载 TensorFlow…"),
    "job.tensorflow.ready": tr(
        "TensorFlow is loaded in a waiting worker: a run starts at once.",
        "TensorFlow 已在待命的工作进程中加载：运行会立即开始。",
    ),
    "job.tensorflow.loading": tr(
        "A worker is loading TensorFlow in the background (about 10 s); a run started now begins when it is ready.",
        "一个工作进程正在后台加载 TensorFlow（约 10 秒）；现在开始的运行会在它就绪后开始。",
    ),
    "job.tensorflow.cold": tr(
        "Each run loads TensorFlow first (about 10 s; LIGHTDESIGN_WARM_WORKERS keeps a worker loaded).",
        "每次运行都先加载 TensorFlow（约 10 秒；LIGHTDESIGN_WARM_WORKERS 可让工作进程预先加载）。",
    ),
    "job.stage.preparing_data": tr("Preparing the data…", "正在准备数据…"),
    "job.stage.building_model": tr("Building the model…", "正在构建模型…"),
    "job.stage.training": tr("Training…", "正在训练…"),
    "job.stage.evaluating": tr("Evaluating on the test set…", "正在测试集上评估…"),
    "job.stage.measuring_keras": tr("Measuring Keras latency…", "正在测量 Keras 延迟…"),
    "job.stage.converting_float32": tr("Converting to TFLite float32…", "正在转换为 TFLite float32…"),
    "job.stage.measuring_float32": tr("Measuring TFLite float32 latency…", "正在测量 TFLite float32 延迟…"),
    "job.stage.converting_int8": tr("Converting to TFLite int8…", "正在转换为 TFLite int8…"),
    "job.stage.measuring_int8": tr("Measuring TFLite int8 latency…", "正在测量 TFLite int8 延迟…"),
    "job.stage.timing_steps": tr("Timing training steps…", "正在计时训练步…"),
    "job.stage.recalibrating_batchnorm": tr(
        "Re-estimating the BatchNorm statistics on training batches…", "正在用训练批次重新估计批归一化统计量…"
    ),
    "job.stage.measuring_arena": tr(
        "Measuring the TFLite Micro arena of the int8 model…", "正在测量 int8 模型的 TFLite Micro 内存区…"
    ),
    "job.state.queued": tr("queued", "排队中"),
    "job.state.starting": tr("starting", "启动中"),
    "job.state.running": tr("running", "运行中"),
    "job.state.stopping": tr("stopping", "停止中"),
    "job.state.finished": tr("finished", "已完成"),
    "job.state.stopped": tr("stopped", "已停止"),
    "job.state.failed": tr("failed", "失败"),
    "job.message.on_request": tr("stopped at your request", "按你的要求停止"),
    "train.stop": tr("Stop", "停止"),
    "train.failed": tr("Training failed: {message}", "训练失败：{message}"),
    "train.stopped": tr("Training stopped: {message}.", "训练已停止：{message}。"),
    "result.accuracy": tr("Test accuracy", "测试准确率"),
    "result.loss": tr("Test loss", "测试损失"),
    "result.time": tr("Training time", "训练时间"),
    "result.throughput": tr("Throughput", "吞吐量"),
    "result.samples_per_s": tr("{rate:.0f} samples/s", "每秒 {rate:.0f} 个样本"),
    "result.note": tr("Note: {note}", "说明：{note}"),
    "result.batchnorm": tr(
        "BatchNorm statistics were re-estimated on {samples:,} training samples after training (precise BN): the "
        "test figures above are the downloaded model's, in inference mode (test loss {loss:.3f}; with each batch's "
        "own statistics, as during training, it is {batch_loss:.3f}).",
        "训练后用 {samples:,} 个训练样本重新估计了批归一化统计量（precise BN）：上面的测试数值就是下载的模型在推理模式下的"
        "数值（测试损失 {loss:.3f}；像训练时那样使用每批自身统计量时为 {batch_loss:.3f}）。",
    ),
    "result.epoch_time": tr(
        "Time per epoch: estimated {estimate}, took {actual} (mean of {epochs}; {ratio:.2f}x the estimate).",
        "每轮时间：估计 {estimate}，实际 {actual}（{epochs} 轮的平均；为估计的 {ratio:.2f} 倍）。",
    ),
    "result.kept": tr(
        "The trained model is kept for the Export page ({name}).", "训练好的模型已保留，可在导出页使用（{name}）。"
    ),
    "result.confusion": tr("Confusion matrix (test set)", "混淆矩阵（测试集）"),
    "result.predicted": tr("predicted", "预测"),
    "result.true": tr("true", "真实"),
    "result.samples": tr("Sample predictions", "样本预测"),
    "result.true_label": tr("true {label}", "真实 {label}"),
    "result.sample_line": tr("sample {index}: {label} ({confidence:.0%})", "样本 {index}：{label}（{confidence:.0%}）"),
    "train.file_weights.all": tr(
        "Training starts from the weights of **{file}** (fine-tuning): all {kept} layers with weights keep the file's weights.",
        "训练从 **{file}** 的权重开始（微调）：全部 {kept} 个带权重的层都沿用文件中的权重。",
    ),
    "train.file_weights.some": tr(
        "Training starts from the weights of **{file}** for {kept} of {total} layers; the structure was edited, "
        "so these start from new weights: {fresh}.",
        "训练从 **{file}** 的权重开始，{total} 个层中有 {kept} 个沿用；结构已修改，以下层从新权重开始：{fresh}。",
    ),
}
