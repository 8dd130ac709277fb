"""The latency model of this machine: which machine it describes, where its calibration is
kept, and the per-kernel predictors it holds (random forests, as nn-Meter fits them).

A calibration (``lightdesign calibrate``, the job in ``jobs.latency_calibration``) times
single TFLite operations on this machine, fits one forest per operation and precision on
their features (``analysis.latency.features``), and keeps them in the work folder under a
key naming the CPU model, its core count, the TensorFlow version and the threads: another
machine, another TensorFlow or another thread count is another calibration, never silently
reused.

Each forest predicts log(microseconds per unit of work); the trees are kept as flat arrays
and evaluated here with NumPy, all kernels of an analysis in one pass over the tree depth,
so the analysis needs neither scikit-learn nor TensorFlow and stays fast.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import re
import time
import warnings
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from lightdesign import config

# The stored file's layout, feature definitions and timing; another value is not read (2: PAD's
# features, the matrix operations' channel tiles, the windowed operations' element counts;
# 3: the empty invoke without the CPU clock's 0.56 us reading cost).
FORMAT = 3
MEMO_SIZE = 200_000  # kernels remembered per model
FOLDER = "latency"


@dataclass(frozen=True)
class Machine:
    """What a calibration is valid for."""

    cpu: str
    cores: int
    tensorflow: str  # the installed version; "" when TensorFlow is not installed
    threads: int = 1

    @functools.cached_property
    def key(self) -> str:
        """The calibration's file name stem."""
        cpu = re.sub(r"[^A-Za-z0-9]+", "-", self.cpu).strip("-").lower()[:60] or "cpu"
        return f"{cpu}_{self.cores}cores_tf{self.tensorflow or 'none'}_{self.threads}thread"

    def words(self) -> str:
        """The machine for people (the threads are said beside it)."""
        return f"{self.cpu}, {self.cores} cores, TensorFlow {self.tensorflow or '–'}"


@functools.cache
def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


@functools.cache
def _tensorflow() -> str:
    from importlib import metadata

    for name in ("tensorflow", "tensorflow-cpu", "tf-nightly"):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return ""


@functools.cache
def this_machine(threads: int = 1) -> Machine:
    return Machine(_cpu(), os.cpu_count() or 1, _tensorflow(), threads)


@functools.cache
def _user_data_folder() -> Path:
    return config.work_dir()  # the per-user data folder: asked once (every analysis looks for a calibration)


def _work() -> Path:
    return config.value("LIGHTDESIGN_WORK_DIR") or _user_data_folder()


def folder() -> Path:
    """Where calibrations are kept: ``latency/`` in the work folder."""
    return _work() / FOLDER


def path_for(machine: Machine) -> Path:
    return _path(_work(), machine.key)


@functools.lru_cache(maxsize=64)
def _path(work: Path, key: str) -> Path:
    return work / FOLDER / f"{key}.npz"


def calibrated_machines() -> list[Machine]:
    """Every machine with a calibration in the work folder (this one or others sharing it)."""
    found = []
    for path in sorted(folder().glob("*.npz")):
        try:
            found.append(Machine(**load_meta(path)["machine"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found


# -- the stored forests ---------------------------------------------------------------------


@dataclass
class Calibration:
    """What a calibration keeps besides the trees."""

    machine: dict
    created: float = field(default_factory=time.time)
    seconds: float = 0.0  # how long it took
    samples: dict[str, int] = field(default_factory=dict)  # kernels timed, by precision/operation
    invoke_us: dict[str, float] = field(default_factory=dict)  # one invoke() of an empty model, by precision
    operation_us: dict[str, float] = field(default_factory=dict)  # each further operation's call, by precision
    scale: dict[str, float] = field(default_factory=dict)  # measured / predicted of whole models, by precision
    refined_from: int = 0  # whole-model measurements the scale was fitted on
    errors: dict[str, float] = field(default_factory=dict)  # out-of-bag kernels' median relative error, by precision
    # by precision: [total weight MB, extra ms per MB] of chains of convolutions, by rising MB
    streaming: dict[str, list[list[float]]] = field(default_factory=dict)
    spread: float = 1.0  # a reference kernel's slow tenth of timings over its fast tenth while kernels were timed
    format: int = FORMAT


def save(
    path: Path, calibration: Calibration, forests: dict[str, dict], samples: dict[str, list] | None = None
) -> None:
    """Write the calibration (``forests``: ``"fp32/CONV_2D"`` -> the arrays of
    ``fit_forest``) as one .npz, atomically, with the timed ``samples`` they were fitted on
    (``(features, work, microseconds)`` by the same keys) so that they can be studied or
    fitted again."""
    import numpy as np

    arrays = {"meta": np.frombuffer(json.dumps(asdict(calibration)).encode(), np.uint8)}
    for key, forest in forests.items():
        for name, values in forest.items():
            arrays[f"{key}|{name}"] = values
    for key, rows in (samples or {}).items():
        width = max(len(row) for row, _, _ in rows)
        table = np.zeros((len(rows), width + 2), np.float64)
        for i, (row, work, micros) in enumerate(rows):
            table[i, : len(row)], table[i, -2], table[i, -1] = row, work, micros
        arrays[f"samples:{key}"] = table
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part.npz")
    np.savez_compressed(temporary, **arrays)
    os.replace(temporary, path)


def load_meta(path: Path) -> dict:
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        return json.loads(data["meta"].tobytes().decode())


class LatencyModel:
    """The loaded forests of one calibration, evaluated together."""

    def __init__(self, calibration: Calibration, forests: dict[str, dict]):
        import numpy as np

        self.calibration = calibration
        self.np = np
        self.roots: dict[str, np.ndarray] = {}
        features, thresholds, left, right, values = [], [], [], [], []
        offset = 0
        depth = 0
        for key, forest in forests.items():
            self.roots[key] = forest["roots"].astype(np.int64) + offset
            features.append(forest["feature"].astype(np.int64))
            thresholds.append(forest["threshold"].astype(np.float64))
            left.append(forest["left"].astype(np.int64) + offset)
            right.append(forest["right"].astype(np.int64) + offset)
            values.append(forest["value"].astype(np.float64))
            depth = max(depth, int(forest["depth"][0]))
            offset += len(forest["feature"])
        self.feature = np.concatenate(features) if features else np.zeros(0, np.int64)
        self.threshold = np.concatenate(thresholds) if thresholds else np.zeros(0)
        self.left = np.concatenate(left) if left else np.zeros(0, np.int64)
        self.right = np.concatenate(right) if right else np.zeros(0, np.int64)
        self.value = np.concatenate(values) if values else np.zeros(0)
        self.depth = depth
        self.children = np.stack([self.left, self.right], axis=1).ravel()  # node n: left at 2n, right at 2n + 1
        self._memo: dict[tuple, float] = {}
        self._streaming = {  # by precision: log(MB) of each chain, its ms per MB (read on every analysis)
            precision: (np.log([max(mb, 1e-9) for mb, _ in curve]), np.array([rate for _, rate in curve]))
            for precision, curve in calibration.streaming.items()
            if curve
        }
        self.width = 1 + max((int(f.max()) for f in features if len(f)), default=0)

    def forget(self) -> None:
        """Drop the remembered kernels (benchmarks time the forests afresh)."""
        self._memo.clear()

    def covers(self, op: str) -> bool:
        return all(f"{precision}/{op}" in self.roots for precision in ("fp32", "int8"))

    def scale(self, precision: str) -> float:
        return self.calibration.scale.get(precision, 1.0)

    def invoke_ms(self, precision: str) -> float:
        return self.calibration.invoke_us.get(precision, 0.0) / 1000

    def operation_ms(self, precision: str) -> float:
        """What running one more operation costs beyond its work (the empty model whose
        ``invoke_ms`` every kernel was timed against holds one operation already)."""
        return self.calibration.operation_us.get(precision, 0.0) / 1000

    def fixed_ms(self, precision: str, operations: int) -> float:
        """A model's time besides its kernels' work: one ``invoke()`` and the calls into
        its ``operations`` operations."""
        return self.invoke_ms(precision) + max(operations - 1, 0) * self.operation_ms(precision)

    def streaming_ms_per_byte(self, precision: str, total_bytes: float) -> float:
        """The extra milliseconds each weight byte costs inside a model holding
        ``total_bytes`` of weights (read from memory rather than the cache, as the
        calibration's chains measured): interpolated on the log of the total between the
        measured points, the nearest point's rate outside them, never below 0."""
        curve = self._streaming.get(precision)
        if curve is None or total_bytes <= 0:
            return 0.0
        rate = float(self.np.interp(self.np.log(total_bytes / 1e6), *curve))
        return max(rate, 0.0) / 1e6

    def streaming_ms(self, precision: str, rows) -> float:
        """The whole extra time of a model's weights (``rows``: ``latency.Rows``)."""
        total = rows.streamed_bytes(precision)
        return total * self.streaming_ms_per_byte(precision, total)

    def kernel_us(self, precision: str, rows: list[tuple[str, tuple, float]]) -> list[float]:
        """Microseconds of each kernel (``(op, features, work)`` rows, as
        ``analysis.latency.features`` makes them), as the micro-benchmarks timed them."""
        return self.times({precision: rows})[precision]

    def times(self, wanted: dict[str, list[tuple[str, tuple, float]]]) -> dict[str, list[float]]:
        """``kernel_us`` of several precisions' rows in one pass over the trees; a kernel seen
        before is answered from memory (designs and their variants repeat most kernels)."""
        keys = [(precision, op, row) for precision, rows in wanted.items() for op, row, _ in rows]
        missing = list(dict.fromkeys(k for k in keys if k not in self._memo))
        if missing:
            if len(self._memo) > MEMO_SIZE:
                self._memo.clear()
            rates = self._log_rates(missing)
            self._memo.update(zip(missing, rates, strict=True))
        out: dict[str, list[float]] = {}
        for precision, rows in wanted.items():
            out[precision] = [work * self._memo[(precision, op, row)] for op, row, work in rows]
        return out

    def _log_rates(self, keys: list[tuple[str, str, tuple]]) -> list[float]:
        """exp of the forests' mean prediction (microseconds per unit of work) for each key:
        every (kernel, tree) pair walks down its tree together, one level per step."""
        np = self.np
        width = max(self.width, max(len(row) for _, _, row in keys))
        x = np.zeros((len(keys), width))
        groups: dict[str, list[int]] = {}
        for i, (precision, op, row) in enumerate(keys):
            x[i, : len(row)] = row
            groups.setdefault(f"{precision}/{op}", []).append(i)
        pair_rows, pair_nodes, weights = [], [], []
        for key, members in groups.items():
            roots = self.roots[key]
            pair_rows.append(np.repeat(members, len(roots)))
            pair_nodes.append(np.tile(roots, len(members)))
            weights.append(np.full(len(members) * len(roots), 1 / len(roots)))
        row_of = np.concatenate(pair_rows)
        node = np.concatenate(pair_nodes)
        flat, offset = x.ravel(), row_of * width
        for _ in range(self.depth):  # a leaf points to itself, so pairs that arrived stay
            right = flat.take(offset + self.feature.take(node)) > self.threshold.take(node)
            node = self.children.take(2 * node + right)
        log_rate = np.bincount(row_of, weights=self.value.take(node) * np.concatenate(weights), minlength=len(keys))
        return list(np.exp(log_rate))

    def predict(self, precision: str, rows: list[tuple[str, tuple, float]]) -> list[float]:
        """Milliseconds of each kernel inside a whole model (the micro-benchmarks' times,
        scaled by what whole-model measurements said)."""
        factor = self.scale(precision) / 1000
        return [factor * us for us in self.kernel_us(precision, rows)]

    def predict_all(self, rows: list[tuple[str, tuple, float]]) -> dict[str, list[float]]:
        """``predict`` for every precision at once."""
        times = self.times(dict.fromkeys(("fp32", "int8"), rows))
        return {p: [self.scale(p) / 1000 * us for us in micros] for p, micros in times.items()}


def load(path: Path) -> LatencyModel:
    """The model stored at ``path`` (ValueError when it is not a calibration of this format)."""
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(data["meta"].tobytes().decode())
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path.name} is a calibration of another format ({meta.get('format')})")
        forests: dict[str, dict] = {}
        for name in data.files:
            if "|" in name and not name.startswith("samples:"):
                key, array = name.split("|", 1)
                forests.setdefault(key, {})[array] = data[name]
    known = {f.name for f in fields(Calibration)}  # a later version's added facts: read past them
    return LatencyModel(Calibration(**{k: v for k, v in meta.items() if k in known}), forests)


_LOADED: dict[Path, tuple[float, LatencyModel]] = {}


def current(threads: int = 1) -> tuple[LatencyModel | None, Machine]:
    """This machine's model for ``threads`` threads (None when not calibrated), loaded once
    per file version."""
    machine = this_machine(threads)
    path = path_for(machine)
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None, machine
    cached = _LOADED.get(path)
    if cached is None or cached[0] != stamp:
        try:
            cached = (stamp, load(path))
        except (OSError, ValueError, KeyError, TypeError):
            return None, machine
        _LOADED[path] = cached
    return cached[1], machine


# -- fitting (in the calibration job) -----------------------------------------------------------

# 32 bagged trees of at most 512 leaves and depth 16: on 1,750 timed convolutions of this
# machine their out-of-fold median error was 7.5% (24 trees of 96 leaves, 10.6%), and the
# depth bounds the analysis's pass over the trees.
TREES = 32
LEAVES = 512
DEPTH = 16
# a kernel timed at nothing still costs something: about the timing noise of one invoke
# (0.05 us had put 0.6 us into a 1.4 us model of 12 reshapes, pools and small convolutions)
MIN_MICROS = 0.01


def fit_forest(samples: list[tuple[tuple, float, float]], seed: int = 0) -> tuple[dict, list[float]] | None:
    """A forest predicting log(microseconds / work) from the features of ``samples``
    (``(features, work, microseconds)``), as flat arrays, and the relative errors of its
    out-of-bag predictions (the samples each tree did not see; none for a small sample);
    None for fewer than two samples."""
    import numpy as np
    from sklearn.ensemble import RandomForestRegressor

    if len(samples) < 2:
        return None
    x = np.array([row for row, _, _ in samples], np.float32)
    work = np.array([w for _, w, _ in samples])
    y = np.log(np.maximum([us for _, _, us in samples], MIN_MICROS) / work)
    oob = len(samples) >= 12
    forest = RandomForestRegressor(
        n_estimators=TREES, max_leaf_nodes=LEAVES, max_depth=DEPTH, oob_score=oob, random_state=seed, n_jobs=1
    )
    with warnings.catch_warnings():  # a small sample leaves some kernels without out-of-bag trees
        warnings.simplefilter("ignore", UserWarning)
        forest.fit(x, y)
    arrays = {name: [] for name in ("feature", "threshold", "left", "right", "value", "roots")}
    offset = depth = 0
    for tree in (estimator.tree_ for estimator in forest.estimators_):
        index = np.arange(tree.node_count) + offset
        leaf = tree.children_left == -1
        arrays["roots"].append([offset])
        arrays["feature"].append(np.where(leaf, 0, tree.feature))
        arrays["threshold"].append(np.where(leaf, np.inf, tree.threshold))
        arrays["left"].append(np.where(leaf, index, tree.children_left + offset) - offset)
        arrays["right"].append(np.where(leaf, index, tree.children_right + offset) - offset)
        arrays["value"].append(tree.value[:, 0, 0])
        arrays["left"][-1] += offset
        arrays["right"][-1] += offset
        offset += tree.node_count
        depth = max(depth, tree.max_depth)
    exported = {
        "feature": np.concatenate(arrays["feature"]).astype(np.int16),
        "threshold": np.concatenate(arrays["threshold"]),  # float64, as scikit-learn compares
        "left": np.concatenate(arrays["left"]).astype(np.int32),
        "right": np.concatenate(arrays["right"]).astype(np.int32),
        "value": np.concatenate(arrays["value"]).astype(np.float32),
        "roots": np.concatenate(arrays["roots"]).astype(np.int32),
        "depth": np.array([depth], np.int32),
    }
    held_out = np.isfinite(forest.oob_prediction_) if oob else np.zeros(len(y), bool)
    errors = [float(e) for e in np.abs(np.exp(forest.oob_prediction_[held_out] - y[held_out]) - 1)] if oob else []
    return exported, errors


def composition(model: LatencyModel, measured: list[tuple[str, object, float]]) -> tuple[dict[str, float], int]:
    """How kernel times add up inside whole models: by precision, the median of (measured
    time - one invoke and the operations' calls - the weights' streaming) / the kernels'
    predicted sum over
    ``measured`` (``(precision, latency.Rows, milliseconds)``); 1 where nothing was
    measured. Returns the scales and how many measurements they rest on."""
    import numpy as np

    ratios: dict[str, list[float]] = {}
    for precision, rows, ms in measured:
        timed = model.kernel_us(precision, rows.rows)
        total = sum(us for index, us in enumerate(timed) if index not in rows.free) / 1000
        if total > 0 and ms > 0:
            operations = len(rows.rows) - len(rows.free)
            rest = ms - model.fixed_ms(precision, operations) - model.streaming_ms(precision, rows)
            ratios.setdefault(precision, []).append(rest / total)
    scales = {p: float(np.median(r)) for p, r in ratios.items()}
    return scales, max((len(r) for r in ratios.values()), default=0)


def samples_of(path: Path) -> dict[str, list[tuple[tuple, float, float]]]:
    """The timed samples a calibration kept, by ``precision/operation``."""
    import numpy as np

    found = {}
    with np.load(path, allow_pickle=False) as data:
        for name in data.files:
            if name.startswith("samples:"):
                found[name.removeprefix("samples:")] = [(tuple(r[:-2]), float(r[-2]), float(r[-1])) for r in data[name]]
    return found
