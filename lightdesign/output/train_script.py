"""A standalone ``train.py`` for a design: the generated model code (the very source of
``lightdesign.output.codegen``, rule 5), data read with ``tf.data``, and training under a
``tf.distribute`` strategy chosen on the command line, with checkpoints and resume.

    python train.py --data digits --epochs 5
    python train.py --data my_arrays.npz --strategy mirrored        # all local GPUs
    TF_CONFIG='{...}' python train.py --data images/ --strategy multiworker

The script needs TensorFlow and Keras only (scikit-learn for ``--data digits``); the
other built-in datasets of the Train page come from ``python -m lightdesign dataset NAME``
as ``.npz`` files, or directly when LightDesign itself is installed.
"""

from __future__ import annotations

import re

from lightdesign import __version__
from lightdesign.analysis.network import analyze, ends_with_softmax
from lightdesign.core.design import Design, DesignError
from lightdesign.output.codegen import generate, model_name

STRATEGIES = ("default", "mirrored", "multiworker")

_STDLIB = ("argparse", "json", "os", "sys", "tempfile", "zipfile")
_THIRD_PARTY = ("keras", "numpy as np", "tensorflow as tf")

_TRAINING = '''
FROM_LOGITS = {from_logits!r}  # True when the model ends without softmax/sigmoid: the loss applies it
MODEL_FILE = {model_file!r}
KERAS_DATASETS = ("mnist", "fashion_mnist", "cifar10")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=f"Train {{DESIGN_NAME}} under a tf.distribute strategy.")
    parser.add_argument(
        "--data",
        required=True,
        help="mnist, fashion_mnist or cifar10 (downloaded by Keras); digits (scikit-learn's 8x8 digits); "
        "a .npz with x_train, y_train (and x_test, y_test); a folder of class folders of images, or a .zip of one",
    )
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32, help="per replica; the global batch grows with replicas")
    parser.add_argument("--optimizer", choices=("adam", "sgd", "rmsprop"), default="adam")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--validation-split", type=float, default=0.1)
    parser.add_argument("--max-samples", type=int, default=0, help="train on at most this many samples (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--strategy",
        choices={strategies!r},
        default="default",
        help="default: one device; mirrored: every local GPU (or --cpu-replicas); multiworker: the machines "
        "listed in the TF_CONFIG environment variable",
    )
    parser.add_argument("--cpu-replicas", type=int, default=0, help="split the CPU into N devices (try mirrored without GPUs)")
    parser.add_argument("--mixed-precision", action="store_true", help="float16 compute (GPUs)")
    parser.add_argument("--checkpoint-dir", default="checkpoints", help="training state for resume, and best.keras")
    parser.add_argument("--no-resume", action="store_true", help="start afresh even when a checkpoint exists")
    parser.add_argument("--output", default=None, help=f"the trained model (default: {{MODEL_FILE}})")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or not 0 <= args.validation_split < 1:
        parser.error("--epochs and --batch-size must be at least 1, --validation-split between 0 and 1")
    return args


# -- the strategy -----------------------------------------------------------------------------


def make_strategy(name, cpu_replicas=0):
    """The tf.distribute strategy; multiworker reads the cluster from TF_CONFIG."""
    if cpu_replicas > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * cpu_replicas)
    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        cpus = tf.config.list_logical_devices("CPU")
        devices = [d.name for d in gpus] or [d.name for d in cpus[: max(1, cpu_replicas)]]
        return tf.distribute.MirroredStrategy(devices)
    if name == "multiworker":
        if not os.environ.get("TF_CONFIG"):
            sys.exit(
                "--strategy multiworker needs the TF_CONFIG environment variable, e.g. "
                \'{{"cluster": {{"worker": ["host1:12345", "host2:12345"]}}, "task": {{"type": "worker", "index": 0}}}}\'
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.get_strategy()


def task():
    """(type, index) of this process in TF_CONFIG; ("worker", 0) without one."""
    config = json.loads(os.environ.get("TF_CONFIG") or "{{}}")
    info = config.get("task", {{}})
    return info.get("type", "worker"), int(info.get("index", 0))


def is_chief():
    """The process that writes the model: the chief, or worker 0 when there is no chief."""
    kind, index = task()
    cluster = json.loads(os.environ.get("TF_CONFIG") or "{{}}").get("cluster", {{}})
    return kind == "chief" or (kind == "worker" and index == 0 and "chief" not in cluster)


# -- the data ---------------------------------------------------------------------------------


def normalise(x):
    """Integer images to floats in [0, 1], a channel axis on (N, H, W); token ids stay."""
    if x.ndim == 2 and x.dtype.kind in "iu":
        return x.astype(np.int32)
    if x.ndim == 3 and x.dtype.kind in "iub" and len(INPUT_SHAPE) == 3:
        x = x[..., None]
    if x.dtype.kind in "iub":
        return x.astype(np.float32) / (255.0 if x.max(initial=0) > 1 else 1.0)
    if x.ndim == 3 and len(INPUT_SHAPE) == 3:
        x = x[..., None]
    return x.astype(np.float32)


def split(x, y, fraction, seed):
    order = np.random.default_rng(seed).permutation(len(y))
    cut = len(y) - max(1, round(len(y) * fraction))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def load_arrays(data, seed):
    """(x_train, y_train, x_test, y_test) from a named dataset or a .npz file."""
    if data in KERAS_DATASETS:
        (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, data).load_data()
    elif data in ("digits", "digits8"):
        from sklearn.datasets import load_digits

        digits = load_digits()
        x_train, y_train, x_test, y_test = split(digits.images / 16.0, digits.target, 0.2, seed)
    elif data.endswith(".npz"):
        with np.load(data, allow_pickle=False) as arrays:
            x_train, y_train = arrays["x_train"], arrays["y_train"]
            if "x_test" in arrays.files:
                x_test, y_test = arrays["x_test"], arrays["y_test"]
            else:
                x_train, y_train, x_test, y_test = split(x_train, y_train, 0.2, seed)
    else:
        try:
            from lightdesign.data import sources
        except ImportError:
            sys.exit(
                f"unknown dataset {{data!r}}: give mnist, fashion_mnist, cifar10, digits, a .npz file or an "
                "image folder; save LightDesign's other datasets with `python -m lightdesign dataset NAME`"
            )
        built = sources.load_builtin(data)
        x_train, y_train, x_test, y_test = built.x_train, built.y_train, built.x_test, built.y_test
    labels = [np.asarray(y).reshape(-1).astype(np.int64) for y in (y_train, y_test)]
    return normalise(np.asarray(x_train)), labels[0], normalise(np.asarray(x_test)), labels[1]


def fit_shape(x):
    """Resize images and convert gray <-> RGB to the model's input (a tf.data map)."""
    if len(INPUT_SHAPE) != 3:
        return x
    height, width, channels = INPUT_SHAPE
    if x.shape[-3] != height or x.shape[-2] != width:
        x = tf.image.resize(x, (height, width))
    if x.shape[-1] == 1 and channels == 3:
        x = tf.image.grayscale_to_rgb(x)
    elif x.shape[-1] == 3 and channels == 1:
        x = tf.reduce_mean(x, axis=-1, keepdims=True)
    return x


def even(count, replicas):
    """Samples kept so that every batch splits evenly over the replicas (Keras cannot
    train or evaluate a batch that splits unevenly): fewer than ``replicas`` are left out."""
    return count - count % replicas


def from_arrays(x, y, batch, shuffle, seed, replicas):
    keep = even(len(y), replicas)
    data = tf.data.Dataset.from_tensor_slices((x[:keep], y[:keep]))
    if shuffle:
        data = data.shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
    return data.batch(batch).map(lambda a, b: (fit_shape(a), b), num_parallel_calls=tf.data.AUTOTUNE)


def image_folder(data):
    """The folder of class folders (a .zip is unpacked first)."""
    if data.endswith(".zip"):
        target = tempfile.mkdtemp(prefix="train-images-")
        with zipfile.ZipFile(data) as archive:
            for member in archive.namelist():
                if member.startswith("/") or ".." in member.split("/"):
                    sys.exit(f"{{data}}: unsafe path {{member!r}} in the archive")
            archive.extractall(target)
        entries = [e for e in os.listdir(target) if not e.startswith((".", "__"))]
        return os.path.join(target, entries[0]) if len(entries) == 1 and not _has_images(target) else target
    return data


def _has_images(folder):
    return any(name.lower().endswith(IMAGE_SUFFIXES) for _, _, names in os.walk(folder) for name in names[:1])


def folder_datasets(folder, batch, validation, seed, replicas):
    """Train, validation and test sets from class folders: 20% held out for testing."""
    height, width, channels = INPUT_SHAPE
    train, test = keras.utils.image_dataset_from_directory(
        folder,
        image_size=(height, width),
        color_mode="rgb" if channels == 3 else "grayscale",
        batch_size=None,
        validation_split=0.2,
        subset="both",
        seed=seed,
    )
    scale = keras.layers.Rescaling(1 / 255.0)
    train, test = (d.map(lambda a, b: (scale(a), b)) for d in (train, test))
    count = int(train.cardinality())
    held = even(int(count * validation), replicas)
    train = train.shuffle(count, seed=seed, reshuffle_each_iteration=False)
    validation_data = train.take(held).batch(batch) if held else None
    train = train.skip(held).take(even(count - held, replicas))
    test = test.take(even(int(test.cardinality()), replicas))
    return train.shuffle(count, seed=seed).batch(batch), validation_data, test.batch(batch)


def make_datasets(args, batch, replicas):
    """tf.data pipelines (train, validation or None, test) with the global batch size."""
    if os.path.isdir(args.data) or args.data.endswith(".zip"):
        sets = folder_datasets(image_folder(args.data), batch, args.validation_split, args.seed, replicas)
    else:
        x_train, y_train, x_test, y_test = load_arrays(args.data, args.seed)
        if args.max_samples and len(y_train) > args.max_samples:
            keep = np.random.default_rng(args.seed).permutation(len(y_train))[: args.max_samples]
            x_train, y_train = x_train[keep], y_train[keep]
        if args.validation_split:
            x_train, y_train, x_val, y_val = split(x_train, y_train, args.validation_split, args.seed)
            validation = from_arrays(x_val, y_val, batch, False, args.seed, replicas)
        else:
            validation = None
        sets = (
            from_arrays(x_train, y_train, batch, True, args.seed, replicas),
            validation,
            from_arrays(x_test, y_test, batch, False, args.seed, replicas),
        )
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return [None if d is None else d.with_options(options).prefetch(tf.data.AUTOTUNE) for d in sets]


# -- training ---------------------------------------------------------------------------------


def make_optimizer(name, learning_rate):
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=0.9)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate)
    return keras.optimizers.Adam(learning_rate)


def writable_dir(path):
    """The chief writes to ``path``; other workers to a folder of their own."""
    if is_chief():
        return path
    kind, index = task()
    return os.path.join(path, f"{{kind}}_{{index}}")


def main(argv=None):
    args = parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    if args.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_float16")
    strategy = make_strategy(args.strategy, args.cpu_replicas)
    replicas = strategy.num_replicas_in_sync
    batch = args.batch_size * replicas
    train, validation, test = make_datasets(args, batch, replicas)
    with strategy.scope():
        model = build_model()
        loss = (
            keras.losses.BinaryCrossentropy(from_logits=FROM_LOGITS)
            if NUM_CLASSES == 1
            else keras.losses.SparseCategoricalCrossentropy(from_logits=FROM_LOGITS)
        )
        model.compile(optimizer=make_optimizer(args.optimizer, args.learning_rate), loss=loss, metrics=["accuracy"])
    checkpoints = writable_dir(args.checkpoint_dir)
    backup = os.path.join(checkpoints, "backup")
    if args.no_resume and os.path.isdir(backup):
        for name in os.listdir(backup):
            os.remove(os.path.join(backup, name))
    state = os.path.join(backup, "training_metadata.json")
    done = 0
    if os.path.exists(state):
        with open(state) as handle:
            done = json.load(handle).get("epoch", 0)
    if done:
        print(f"resuming after epoch {{done}} from {{backup}}")
    callbacks = [keras.callbacks.BackupAndRestore(backup, delete_checkpoint=False)]
    if validation is not None:
        best = os.path.join(checkpoints, "best.keras")
        callbacks.append(keras.callbacks.ModelCheckpoint(best, monitor="val_accuracy", save_best_only=True))
    print(f"{{DESIGN_NAME}}: strategy {{args.strategy}}, {{replicas}} replica(s), global batch {{batch}}")
    history = model.fit(
        train, validation_data=validation, epochs=args.epochs, callbacks=callbacks, verbose=2, shuffle=False
    )
    test_loss, test_accuracy = model.evaluate(test, verbose=0)
    output = args.output or MODEL_FILE
    if is_chief():
        model.save(output)
    else:
        model.save(os.path.join(tempfile.mkdtemp(), os.path.basename(output)))  # every worker takes part
    summary = {{
        "design": DESIGN_NAME,
        "strategy": args.strategy,
        "replicas": replicas,
        "epochs_run": len(history.history.get("loss", [])),
        "resumed_after": done,
        "test_loss": float(test_loss),
        "test_accuracy": float(test_accuracy),
        "model": output if is_chief() else None,
    }}
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
'''


def _model_part(source: str) -> tuple[list[str], str]:
    """The generated model module without its docstring, imports and example tail: its
    top-level import lines and the rest."""
    body = source
    if body.startswith('"""'):
        body = body[body.index('"""', 3) + 3 :]
    for marker in ("\n# Training example", '\nif __name__ == "__main__":'):
        if marker in body:
            body = body[: body.index(marker)]
    imports = [line for line in body.splitlines() if re.match(r"(import|from) \S", line)]
    rest = "\n".join(line for line in body.splitlines() if line not in imports)
    return imports, rest.strip("\n")


def _imports(model_imports: list[str]) -> str:
    """One sorted import block (ruff's isort order: stdlib, then third party; plain
    imports before from-imports in each section)."""
    plain = {f"import {name}" for name in _THIRD_PARTY} | {i for i in model_imports if i.startswith("import ")}
    from_imports = sorted(i for i in model_imports if i.startswith("from "))
    stdlib = "\n".join(f"import {name}" for name in _STDLIB)
    third = "\n".join(sorted(plain, key=lambda line: line.split()[1].lower()) + from_imports)
    return f"{stdlib}\n\n{third}"


def generate_train(design: Design) -> str:
    """The training script of a valid design; DesignError names the first problem."""
    result = analyze(design)
    if result.errors:
        raise DesignError(f"cannot generate the training script: {result.errors[0].text}")
    imports, model = _model_part(generate(design))
    docstring = (
        f'"""Training script for {model_name_comment(design)}, generated by LightDesign {__version__}.\n\n'
        "The model is built by build_model() below (the same code as the model file); the data is read\n"
        "with tf.data and the model trained under a tf.distribute strategy:\n\n"
        "    python train.py --data digits --epochs 5\n"
        "    python train.py --data arrays.npz --strategy mirrored      # every local GPU\n"
        "    python train.py --data images/ --strategy multiworker      # the machines in TF_CONFIG\n\n"
        "Training state is kept in --checkpoint-dir after every epoch: run the same command again to\n"
        "resume after an interruption, or with a larger --epochs to train on.\n"
        '"""'
    )
    training = _TRAINING.format(
        from_logits=not ends_with_softmax(result), strategies=STRATEGIES, model_file=f"{model_name(design)}.keras"
    )
    return f"{docstring}\n\n{_imports(imports)}\n\n{model}\n\n{training.rstrip()}\n"


def model_name_comment(design: Design) -> str:
    """The design's name as it may appear in the docstring (printable, no quotes)."""
    return re.sub(r"[^\w .,()+-]+", "_", design.name)[:80] or "the design"
