"""The latency calibration job (runs in a worker process): time single TensorFlow Lite
operations on this machine, fit one predictor per operation and precision, time a few
whole models (in rounds among the kernels, ``latency_probes``) to learn how kernel times
add up inside a model, and keep the result in the
work folder (``analysis.latency_model``), keyed by this machine, TensorFlow version and
thread count.

The kernels timed come from two sources, interleaved: the operations of preset variants at
random widths (0.1-2x) and resolutions (32-320), lowered as the analysis lowers them (the
sizes designs really have), and random operations over the same ranges (kernels 1-7,
strides 1-2, groups, channel multipliers, expansions up to 6x; some on 1-3 channels, as on a
grey or RGB input; a few convolutions up to 2.5 G multiply-adds; dense layers reading a
flattened map, up to 16 M weights), so that other designs are covered too. A kernel the
runtime will not run is left out. Every operation the latency model knows gets a few
kernels first, however long they take; then the job times kernels until its time is up
and fits what it has.

Single operations find their weights in the cache; inside a model whose weights outgrow
it they are read from memory on every run. Chains of 1x1 convolutions on a 7x7 map, 1 MB
of weights per link, 1 to 64 links, are timed against a link timed alone: the extra
milliseconds per megabyte, by the chain's megabytes, are kept as the streaming curve.

One thread is timed by the invoking thread's CPU time (the kernel runs on it; a busy
machine's other processes do not count), several threads by wall time. The time allowed
for kernels is the job's own CPU time, so a busy machine takes longer rather than fitting
on fewer kernels. The empty model's
time (one ``invoke()``) is taken off every kernel and added once per model.
"""

from __future__ import annotations

import dataclasses
import random
import statistics
import time
from math import prod

from lightdesign.analysis import latency, latency_model
from lightdesign.analysis.latency import FEATURES, Kernel
from lightdesign.analysis.lowering import Geometry
from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.core.design import DesignError
from lightdesign.explore import scaling
from lightdesign.jobs import latency_probes
from lightdesign.jobs.messages import (
    Finished,
    LatencyResult,
    LatencySpec,
    Measurement,
    Progress,
    Stage,
    Status,
    Stopped,
)
from lightdesign.jobs.tflite_timing import REFUSED, interpreter, reading_cost
from lightdesign.jobs.train import STOPPED_ON_REQUEST

PRECISIONS = latency.PRECISIONS
IMAGE_PRESETS = tuple(name for name, p in presets.PRESETS.items() if p.resolution_label == "resolution")
FIRST_PER_OPERATION = 5  # kernels of every operation, timed first whatever the time allowed
COVERING = FIRST_PER_OPERATION * len(FEATURES)
MAX_MACS = 400e6  # larger kernels take too long to time often; designs rarely have them
# ... but a few of them are timed (a share of those up to LARGE_MACS), so that the large
# designs the fuzzer and wide presets make are not predicted from the largest timed kernel
LARGE_MACS, LARGE_SHARE = 2.5e9, 0.3
FEW_CHANNELS_SHARE = 0.12  # random kernels on 1-3 channels: the operations on a grey or RGB input
# Dense layers after a Flatten read a whole map (a 1 M-input one ran at 3x the rate per
# multiply-add that the forest had learnt from dense layers of at most 4096 inputs)
FLATTENED_SHARE = 0.35
# ... with at most this many weights (64 MB in float32; one of 1.4 G weights had XNNPACK's
# runtime fail to build, taking the calibration with it)
MAX_DENSE_WEIGHTS = 16_000_000
MAX_ELEMENTS = 6_000_000
# ... and a few up to this many (a depthwise convolution doubling 96 channels at 224 px writes
# 9.6 M: timed 53 ms where the forest, knowing nothing above 6 M, said 9 ms)
LARGE_ELEMENTS = 16_000_000
KERNEL_BUDGET_S = 0.03  # timing one kernel in one precision: about this long
MOST_RUNS, LEAST_RUNS = 25, 5
REFERENCE_EVERY = 24  # kernels between two timings of the reference (about 1.5 s on a quiet machine)
MIN_STEPS = 20  # reference timings a spread needs (a full calibration makes about 300)
PLANNED = 12_000  # more than two minutes of a quiet machine times: the time allowed ends the timing
STREAMING_SIDE = 7  # the map the chains run on: each weight used 49 times, as in a network's last stages
STREAMING_BUDGET_S = 0.4
STREAMING_PASSES, STREAMING_PAIRS = 3, 5


# -- which kernels --------------------------------------------------------------------------


def preset_kernels(rng: random.Random, designs: int) -> list[Kernel]:
    """The operations of ``designs`` preset variants at random widths and resolutions."""
    found: dict[Kernel, None] = {}
    for _ in range(designs):
        name = rng.choice(IMAGE_PRESETS)
        alpha = round(2 ** rng.uniform(-3.3, 1), 2)
        side = 8 * rng.randint(4, 40)
        try:
            design = scaling.width_and_resolution(presets.build(name), alpha, side)
        except DesignError:
            continue
        result = analyze(design)
        if result.errors or not result.deployment.supported:
            continue
        for kernel in latency.kernels(result.deployment.ops, result.deployment.sizes()):
            if kernel.op in FEATURES:
                found.setdefault(kernel)
    kernels = list(found)
    rng.shuffle(kernels)
    return kernels


def _channels(rng: random.Random, low: int, high: int) -> int:
    value = int(round(2 ** rng.uniform(low.bit_length() - 1, high.bit_length() - 1)))
    value = min(max(value, low), high)
    return max(8, 8 * round(value / 8)) if rng.random() < 0.6 else value


def _side(rng: random.Random, high: int) -> int:
    return max(1, int(round(2 ** rng.uniform(0, high.bit_length() - 1))))


def random_kernel(rng: random.Random, op: str) -> Kernel:
    """One random kernel of ``op`` over the ranges presets and the scaling search produce."""
    h = _side(rng, 320)  # the resolutions presets and the scaling search reach
    c = rng.choice((1, 1, 2, 3)) if rng.random() < FEW_CHANNELS_SHARE else _channels(rng, 3, 1280)
    image = (h, h, c)
    elements = prod(image)
    activation = rng.choice((None, "relu", "relu6"))
    if op == "CONV_2D":
        k = rng.choice((1, 1, 1, 3, 3, 5, 7))
        s = rng.choice((1, 1, 2)) if h > 1 else 1
        groups = rng.choice((1,) * 8 + (2, 3, 4, 8))
        cin = max(groups, c // groups * groups)
        cout = max(groups, _channels(rng, 8, 1280) // groups * groups)
        padding, side = _padded(rng, h, k, s)
        out = (side, side, cout)
        g = Geometry((h, h, cin), out, (k, k), (s, s), groups)
        return Kernel(op, (h * h * cin,), (prod(out),), g, activation, padding)
    if op == "DEPTHWISE_CONV_2D":
        k = rng.choice((1, 3, 3, 3, 5, 7))  # 1x1: a strided one subsamples (fuzzer designs have them)
        s = rng.choice((1, 1, 2)) if h > 1 else 1
        multiplier = rng.choice((1, 1, 1, 2))  # doubling runs 4-5x slower per multiply-add: its own region
        padding, side = _padded(rng, h, k, s)
        out = (side, side, c * multiplier)
        g = Geometry(image, out, (k, k), (s, s), c)
        return Kernel(op, (elements,), (prod(out),), g, activation, padding)
    if op == "FULLY_CONNECTED":
        rows = 1 if rng.random() < 0.85 else rng.randint(2, 128)
        cin, cout = _channels(rng, 16, 4096), _channels(rng, 2, 1280)
        if rows == 1 and rng.random() < FLATTENED_SHARE:
            cin = min(max(16, elements), MAX_DENSE_WEIGHTS)
            cout = max(1, min(_channels(rng, 2, 256), MAX_DENSE_WEIGHTS // cin))
        g = Geometry((rows, cin) if rows > 1 else (cin,), (rows, cout) if rows > 1 else (cout,))
        return Kernel(op, (rows * cin,), (rows * cout,), g, activation)
    if op in ("MAX_POOL_2D", "AVERAGE_POOL_2D"):
        h = max(h, 2)
        k = rng.choice((2, 3))
        s = rng.choice((1, 2, k))
        valid = rng.random() < 0.5 and h >= k
        side = (h - k) // s + 1 if valid else -(-h // s)
        g = Geometry((h, h, c), (side, side, c), (k, k), (s, s))
        return Kernel(op, (h * h * c,), (side * side * c,), g, activation, "valid" if valid else "same")
    if op in ("MEAN", "REDUCE_MAX"):
        out = (c,) if rng.random() < 0.5 else (1, 1, c)
        return Kernel(op, (h * h * c,), (c,), Geometry((h, h, c), out))
    if op in ("ADD", "MUL"):
        shape = rng.random()
        if shape < 0.4:
            return Kernel(op, (elements, elements), (elements,), None, activation)
        if shape < 0.7:  # a channel vector broadcast (a BatchNormalization's multiply and add)
            return Kernel(op, (elements, c), (elements,), None, activation)
        return Kernel(op, (elements,), (elements,), None, activation)
    if op == "SOFTMAX":
        n = rng.randint(2, 1000)
        return Kernel(op, (n,), (n,))
    if op in ("CONCATENATION", "SPLIT", "TRANSPOSE", "PAD", "SPACE_TO_BATCH_ND", "BATCH_TO_SPACE_ND"):
        return _copy_kernel(rng, op, h, c)
    if op in ("SHAPE", "STRIDED_SLICE", "PACK"):  # int32 shape vectors of a few entries
        sizes = {"SHAPE": (elements, 16), "STRIDED_SLICE": (16, 4), "PACK": (4, 4 * rng.randint(2, 4))}[op]
        return Kernel(op, (sizes[0],), (sizes[1],))
    return Kernel(op, (elements,), (elements,))


def _padded(rng: random.Random, side: int, kernel: int, stride: int) -> tuple[str, int]:
    """'same' padding mostly, 'valid' for a quarter of the windows that fit (as small CNNs
    and 1-D networks use it): the padding and the output's side."""
    if kernel > 1 and side >= kernel and rng.random() < 0.25:
        return "valid", (side - kernel) // stride + 1
    return "same", -(-side // stride)


def _copy_kernel(rng: random.Random, op: str, h: int, c: int) -> Kernel:
    if op == "CONCATENATION":
        parts = [_channels(rng, 8, 640) for _ in range(rng.choice((2, 2, 2, 3, 4)))]
        g = Geometry((h, h, parts[0]), (h, h, sum(parts)))
        return Kernel(op, tuple(h * h * p for p in parts), (h * h * sum(parts),), g)
    if op == "SPLIT":
        c = 2 * max(4, c // 2)
        return Kernel(op, (h * h * c,), (h * h * c // 2,) * 2, Geometry((h, h, c), (h, h, c // 2)))
    if op == "TRANSPOSE":
        groups = rng.choice((2, 3, 4, 8))
        c = groups * max(1, c // groups)
        return Kernel(op, (h * h * c,), (h * h * c,), Geometry((h, h, c), (h, h, c), groups=groups))
    if op == "PAD":  # each axis on its own: a ZeroPadding2D may pad only the rows or only the columns
        rows, columns = rng.sample(((0, 0), (1, 1), (0, 1), (2, 2), (3, 3), (1, 2)), 2)
        high, wide = h + sum(rows), h + sum(columns)
        return Kernel(op, (h * h * c,), (high * wide * c,), Geometry((h, h, c), (high, wide, c)))
    rate = rng.choice((2, 2, 3, 4))
    blocks = rate * rate
    packed = -(-max(h, rate) // rate)
    if op == "SPACE_TO_BATCH_ND":
        g = Geometry((h, h, c), (blocks * packed, packed, c), strides=(rate, rate))
        return Kernel(op, (h * h * c,), (blocks * packed * packed * c,), g)
    g = Geometry((blocks * packed, packed, c), (packed * rate, packed * rate, c), strides=(rate, rate))
    return Kernel(op, (blocks * packed * packed * c,), (blocks * packed * packed * c,), g)


def _affordable(kernel: Kernel, rng: random.Random | None = None) -> bool:
    """Whether to time ``kernel``: not too large, or (with ``rng``) one of the few large ones."""
    made = latency.features(kernel)
    if made is None:
        return False
    elements = max(sum(kernel.inputs), sum(kernel.outputs))
    macs = made[1] if kernel.op in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED") else 0
    if elements <= MAX_ELEMENTS and macs <= MAX_MACS:
        return True
    return rng is not None and elements <= LARGE_ELEMENTS and macs <= LARGE_MACS and rng.random() < LARGE_SHARE


def plan_kernels(rng: random.Random, count: int) -> list[Kernel]:
    """The kernels to time, in order: a few of every operation, then preset and random
    kernels alternately (in the preset kernels' proportions, each operation at least 2%)."""
    operations = list(FEATURES)
    first = [_affordable_kernel(rng, op) for op in operations for _ in range(FIRST_PER_OPERATION)]
    from_presets = preset_kernels(rng, max(48, count // 80))
    weights = dict.fromkeys(operations, 0)
    for kernel in from_presets:
        weights[kernel.op] = weights.get(kernel.op, 0) + 1
    floor = max(1, len(from_presets) // 50)  # rare operations (a few in a design) still get timed often
    weights = {op: max(count, floor) for op, count in weights.items()}
    drawn = rng.choices(operations, [weights[op] for op in operations], k=count)
    randoms = [random_kernel(rng, op) for op in drawn]
    mixed = [k for pair in zip(from_presets, randoms, strict=False) for k in pair]
    mixed += randoms[len(from_presets) :]
    return first + [k for k in mixed if _affordable(k, rng)][: count - len(first)]


def _affordable_kernel(rng: random.Random, op: str) -> Kernel:
    while True:
        kernel = random_kernel(rng, op)
        if _affordable(kernel):
            return kernel


# -- timing -----------------------------------------------------------------------------------


def clock(threads: int):
    """The clock that times ``threads`` threads: the invoking thread's CPU time for one."""
    return time.thread_time if threads == 1 else time.perf_counter


def time_kernel(tf, content: bytes, threads: int, budget_s: float = KERNEL_BUDGET_S) -> float:
    """Median microseconds of one ``invoke()`` of a single-operation model (of as many runs,
    5 to 25, as fit in about ``budget_s``), the clock's own reading cost taken off."""
    runner = interpreter(tf, content, threads)
    now = clock(threads)
    runner.invoke()  # the first call prepares the delegate's operators
    start = now()
    runner.invoke()
    first = now() - start
    runs = int(min(MOST_RUNS, max(LEAST_RUNS, budget_s / max(first, 1e-7))))
    times = []
    for _ in range(runs):
        start = now()
        runner.invoke()
        times.append(now() - start)
    return 1e6 * max(statistics.median(times) - reading_cost(now), 0.0)


EMPTY = Kernel("RELU", (1,), (1,))
# 14 M MACs (about 0.3 ms on a fast core), timed again and again while kernels are timed: how steady the machine was.
# (Timing each kernel in 3 passes some seconds apart, the median kept, was tried on a VM whose
# speed moved 1.6x: no closer to its measurements, and a third of the kernels in the same time.)
REFERENCE = Kernel("CONV_2D", (14 * 14 * 64,), (14 * 14 * 128,), Geometry((14, 14, 64), (14, 14, 128), (3, 3)), "relu")
# A link of next to no work: chains of it time what running one more operation costs
TINY = Kernel("CONV_2D", (8,), (8,), Geometry((1, 1, 8), (1, 1, 8)), None, "same")
TINY_LINKS = 64
EMPTY_TIMINGS = 9


def empty_invoke_us(tf, precision: str, threads: int) -> float:
    """Microseconds of one ``invoke()`` of the empty model, the median of ``EMPTY_TIMINGS``
    timings: it is taken off every kernel and added once per model, a tenth of a tiny model's
    time, and the first timing of a process can be a third high (0.79 us against 0.59 usually)."""
    from lightdesign.jobs import kernel_models

    content = kernel_models.model(EMPTY, precision == "int8")
    return statistics.median(time_kernel(tf, content, threads) for _ in range(EMPTY_TIMINGS))


def time_operation_overhead(tf, threads: int, invoke_us: dict[str, float]) -> dict[str, float]:
    """By precision, the microseconds each further operation of a model costs beyond its own
    work (the delegate's call into it), which a single operation timed against the empty
    model (itself one operation) cannot show: a chain of ``TINY_LINKS`` tiny convolutions
    against one of them. About 0.04 us here: 13% of a 3 us model of a dozen operations."""
    from lightdesign.jobs import kernel_models

    found = {}
    for precision in PRECISIONS:
        int8 = precision == "int8"

        def timed(content: bytes) -> float:
            return statistics.median(time_kernel(tf, content, threads, STREAMING_BUDGET_S) for _ in range(5))

        one = timed(kernel_models.model(TINY, int8))
        chained = timed(kernel_models.chain([TINY] * TINY_LINKS, int8))
        work = max(one - invoke_us[precision], 0.0)
        found[precision] = max((chained - one) / (TINY_LINKS - 1) - work, 0.0)
    return found


def streaming_link(int8: bool) -> Kernel:
    """One link of the streaming chains: a 1x1 convolution with 1 MiB of weights."""
    channels = 1024 if int8 else 512
    side = STREAMING_SIDE
    geometry = Geometry((side, side, channels), (side, side, channels))
    return Kernel("CONV_2D", (side * side * channels,), (side * side * channels,), geometry, "relu")


def time_streaming(
    tf, threads: int, invoke_us: dict[str, float], links: tuple[int, ...]
) -> dict[str, list[list[float]]]:
    """By precision, [megabytes of weights, extra milliseconds per megabyte] of chains of
    ``links`` 1x1 convolutions against their links timed alone. The extra is a few percent
    of a chain's time and the cache is shared with the machine's other work, so each chain
    is timed in pairs with a link alone, one right after the other, in ``STREAMING_PASSES``
    passes some seconds apart, and the median difference kept (timed apart, a drift of the
    machine between them once made 8 MB of weights look 4x as costly as it is)."""
    from lightdesign.jobs import kernel_models

    extra: dict[tuple[str, int], list[float]] = {}
    models = {}
    for precision in PRECISIONS:
        int8, link = precision == "int8", streaming_link(precision == "int8")
        models[precision] = (kernel_models.model(link, int8), [kernel_models.chain([link] * n, int8) for n in links])
    for _ in range(STREAMING_PASSES):
        for precision, (alone, chains) in models.items():
            for count, content in zip(links, chains, strict=True):
                for _ in range(STREAMING_PAIRS):
                    one = time_kernel(tf, alone, threads, STREAMING_BUDGET_S) - invoke_us[precision]
                    chained = time_kernel(tf, content, threads, STREAMING_BUDGET_S) - invoke_us[precision]
                    extra.setdefault((precision, count), []).append(chained - count * one)
    curves: dict[str, list[list[float]]] = {}
    for precision in PRECISIONS:
        link = streaming_link(precision == "int8")
        megabytes = latency.weight_elements(link) * latency.WEIGHT_BYTES[precision] / 1e6
        rates = [statistics.median(extra[precision, n]) / 1000 / (n * megabytes) for n in links]
        curves[precision] = [[n * megabytes, rate] for n, rate in zip(links, rising(rates), strict=True)]
    return curves


def rising(values: list[float]) -> list[float]:
    """The closest non-decreasing sequence (least squares, pooling adjacent violators): the
    cost per byte of weights can only grow as more of them miss the cache, so a dip between
    two chains is noise."""
    blocks: list[list[float]] = []  # [mean, count]
    for value in values:
        blocks.append([value, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (mean_a, n_a), (mean_b, n_b) = blocks[-2], blocks.pop()
            blocks[-1] = [(mean_a * n_a + mean_b * n_b) / (n_a + n_b), n_a + n_b]
    return [mean for mean, count in blocks for _ in range(int(count))]


# -- the job ----------------------------------------------------------------------------------


def run(spec: LatencySpec, emit, stop_flag) -> None:
    started = time.monotonic()
    threads = max(1, spec.threads)
    machine = latency_model.this_machine(threads)
    path = latency_model.path_for(machine)
    rng = random.Random(spec.seed)
    # the kernels drawn do not depend on the models; a refit times others than the calibration it refits
    probe_rng = random.Random(f"whole models {spec.seed} {spec.refit}")
    tf = None
    probes: list[latency_probes.Probe] = []
    if spec.refit:  # the kernels this machine timed before, fitted again (and refined with the measurements)
        meta = latency_model.load_meta(path)
        samples, invoke_us, streaming = latency_model.samples_of(path), meta["invoke_us"], meta.get("streaming", {})
        # a calibration from before the reference was timed says 1.0: not known to have moved
        operation_us, steadiness = meta.get("operation_us", {}), meta.get("spread", 1.0)
        timed = sum(len(rows) for key, rows in samples.items() if key.startswith("fp32/"))
    else:
        emit(Status(stage=Stage.LOADING_TENSORFLOW))
        import tensorflow as tf

        probes = latency_probes.convert(tf, probe_rng, spec.models, emit, stop_flag)
        timed_kernels = time_kernels(tf, spec, threads, rng, emit, stop_flag, probes)
        if timed_kernels is None:
            emit(Stopped(message=STOPPED_ON_REQUEST, on_request=True))
            return
        samples, invoke_us, timed, steadiness = timed_kernels
        emit(Status(stage=Stage.TIMING_STREAMING))
        streaming = time_streaming(tf, threads, invoke_us, spec.streaming_links)
        operation_us = time_operation_overhead(tf, threads, invoke_us)
    emit(Status(stage=Stage.FITTING_LATENCY))
    forests, errors = {}, {}
    for key, rows in samples.items():
        fitted = latency_model.fit_forest(rows, seed=spec.seed)
        if fitted is not None:
            forests[key], errors[key] = fitted
    calibration = latency_model.Calibration(
        machine=dataclasses.asdict(machine),
        samples={key: len(rows) for key, rows in samples.items()},
        invoke_us=invoke_us,
        operation_us=operation_us,
        streaming=streaming,
        errors={p: _median([e for k, found in errors.items() if k.startswith(p) for e in found]) for p in PRECISIONS},
        spread=steadiness,
    )
    model = latency_model.LatencyModel(calibration, forests)
    measured = list(spec.measurements)

    def keep() -> None:
        calibration.scale, calibration.refined_from = latency_model.composition(
            model, observed(model, measured, machine)
        )
        calibration.seconds = time.monotonic() - started
        latency_model.save(path, calibration, forests, samples)

    keep()  # before the whole models' last rounds: stopping then loses nothing
    if spec.models and tf is None:  # a refit with whole models: timed in rounds one after another
        emit(Status(stage=Stage.LOADING_TENSORFLOW))
        import tensorflow as tf

        probes = latency_probes.convert(tf, probe_rng, spec.models, emit, stop_flag)
    latency_probes.time_remaining_rounds(tf, probes, threads, emit, stop_flag)
    timed_models = latency_probes.measurements(probes, machine)
    measured += timed_models
    keep()
    load = max((m.load for m in timed_models), default=0.0)
    result = LatencyResult(
        path=str(path),
        machine=machine.words(),
        kernels=timed,
        seconds=calibration.seconds,
        errors=calibration.errors,
        scale=calibration.scale,
        measurements=tuple(timed_models),  # this run's own (the kept ones are in the store already)
        load=load,
        spread=calibration.spread,
    )
    emit(Finished(result=result))


def time_kernels(tf, spec: LatencySpec, threads: int, rng: random.Random, emit, stop_flag, probes=()):
    """Time the planned kernels in both precisions until the CPU time allowed is spent (the
    first ``COVERING`` whatever the time): (samples by ``precision/operation``, the empty
    model's microseconds by precision, kernels timed, the ``spread`` of a reference
    convolution timed before every ``REFERENCE_EVERY`` kernels); None when stopped. The
    whole models in ``probes`` are timed in rounds spread evenly over the time allowed."""
    from lightdesign.jobs import kernel_models

    kernels = plan_kernels(rng, PLANNED)
    emit(Status(stage=Stage.TIMING_KERNELS))
    invoke_us = {p: empty_invoke_us(tf, p, threads) for p in PRECISIONS}
    reference = kernel_models.model(REFERENCE, False)
    steps: list[float] = []  # the reference's timings: how steady the machine's speed was
    samples: dict[str, list[tuple[tuple, float, float]]] = {}
    begun = time.process_time()  # the job's own CPU time: a busy machine takes longer, not fewer kernels
    deadline = begun + spec.seconds
    timed = reported = 0
    for index, kernel in enumerate(kernels):
        if stop_flag.is_set():
            return None
        if time.process_time() > deadline and index >= COVERING:  # every operation is covered, whatever the time
            break
        if index % REFERENCE_EVERY == 0:
            steps.append(time_kernel(tf, reference, threads))
            if latency_probes.round_due(probes, (time.process_time() - begun) / max(spec.seconds, 1e-9)):
                latency_probes.time_round(tf, probes, threads)
        row, work = latency.features(kernel)
        contents = {p: kernel_models.model(kernel, p == "int8", seed=index) for p in PRECISIONS}
        try:
            micros = {precision: time_kernel(tf, content, threads) for precision, content in contents.items()}
        except REFUSED:  # one kernel the runtime will not run must not lose the others
            continue
        for precision, us in micros.items():
            samples.setdefault(f"{precision}/{kernel.op}", []).append((row, work, max(us - invoke_us[precision], 0.0)))
        timed += 1
        elapsed = int(time.process_time() - begun)
        if elapsed >= reported + max(1, int(spec.seconds) // 10):
            reported = elapsed
            emit(Progress(stage=Stage.TIMING_KERNELS, done=min(elapsed, int(spec.seconds)), total=int(spec.seconds)))
    return samples, invoke_us, timed, spread(steps)


def spread(timings: list[float]) -> float:
    """How far the machine's speed moved while one kernel was timed again and again: its
    slowest tenth of timings over its fastest tenth (1.0: steady, and for fewer than
    ``MIN_STEPS`` timings, too few to tell one slow moment from a moving machine)."""
    if len(timings) < MIN_STEPS:
        return 1.0
    deciles = statistics.quantiles(timings, n=10, method="inclusive")  # within the timings, never beyond
    return deciles[-1] / deciles[0] if deciles[0] > 0 else 1.0


def observed(model, measured: list[Measurement], machine) -> list[tuple[str, list, float]]:
    """(precision, the design's predictor rows, milliseconds) of the measurements made on this
    machine with these threads: one thread by CPU time where it was kept, else wall time."""
    from lightdesign.core.design import from_dict

    found = []
    for measurement in measured:
        if measurement.machine != machine.key or measurement.threads != machine.threads:
            continue
        try:
            result = analyze(from_dict(measurement.design))
        except DesignError:
            continue
        rows, refusal = latency.rows(result.deployment, model.covers)
        if refusal is not None or result.errors:
            continue
        for precision in PRECISIONS:
            cpu = getattr(measurement, f"{precision}_cpu_ms") if machine.threads == 1 else None
            ms = cpu if cpu is not None else getattr(measurement, f"{precision}_ms")
            if ms:
                found.append((precision, rows, ms))
    return found


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
