"""Sweeps: train the candidate designs of a scaling search as a batch of jobs.

From a scan of the scaling search (width x resolution, or expansion x depth) the
candidates are the Pareto-optimal points under the budget: the variants that fit and that
no other fitting variant beats on both knobs (wider and higher-resolution, or more
expanded and deeper), at most ``MAX_CANDIDATES``, spread over the range of MACs when there
are more. Each is trained briefly with the same data and settings as one training job of
the job manager, so a sweep runs wherever jobs run (this server, or a Ray cluster), and
its accuracy-against-cost points fill in as the jobs finish.

A ``Sweep`` is plain data plus the ids of its jobs: ``record()`` is what the store keeps
(with the server that runs it, so that a restart shows it as interrupted, like a run), and
``Sweep.restore`` reads it back. No Streamlit, no TensorFlow.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lightdesign.analysis import metrics
from lightdesign.core.design import Design, DesignError, from_dict
from lightdesign.explore import scaling
from lightdesign.explore.budget import Budget
from lightdesign.explore.compare import pareto_front
from lightdesign.jobs.messages import DatasetRef, JobKind, JobState, RunRecord, TrainSettings

MAX_CANDIDATES = 16
RUNNING = "running"
INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class Candidate:
    """One point of the scan to train: its knobs, its design and its analysed figures."""

    label: str  # the knobs in words, e.g. "α0.75 112px"
    x: float
    y: float
    design: Design
    figures: dict[str, int | None]

    @property
    def macs(self) -> int | None:
        return self.figures.get(metrics.MACS.key)


def label(kind: str, x: float, y: float) -> str:
    if kind == scaling.WIDTH_RESOLUTION:
        return f"α{x:g} {int(y)}px"
    return f"exp×{x:g} depth×{y:g}"


def pareto(points: list[scaling.Point], rank: metrics.Metric = metrics.MACS) -> list[scaling.Point]:
    """The fitting points that no other fitting point beats on both knobs (>= on both,
    > on one), by rising MACs (or ``rank``: the predicted latency under a latency budget)."""
    fits = [p for p in points if p is not None and p.fits]
    front = [p for p in fits if not any(q.x >= p.x and q.y >= p.y and (q.x, q.y) != (p.x, p.y) for q in fits)]
    return sorted(front, key=lambda p: (p.value(rank) or 0, p.value(metrics.MACS) or 0, p.x, p.y))


def spread(points: list, count: int) -> list:
    """At most ``count`` of the points (sorted by cost), evenly spaced, both ends kept."""
    if len(points) <= count:
        return list(points)
    if count <= 1:
        return [points[-1]]
    picks = sorted({round(i * (len(points) - 1) / (count - 1)) for i in range(count)})
    return [points[i] for i in picks]


def candidates(
    design: Design,
    budget: Budget,
    kind: str = scaling.WIDTH_RESOLUTION,
    count: int = MAX_CANDIDATES,
    xs: tuple[float, ...] | None = None,
    ys: tuple[float, ...] | None = None,
) -> list[Candidate]:
    """The Pareto-optimal variants of ``design`` under ``budget`` (at most ``count``, at
    most MAX_CANDIDATES). ``xs`` and ``ys`` replace the scan's knob values."""
    if not budget.active:
        raise DesignError("set a budget first: the candidates are the best designs that fit it")
    default_xs, default_ys = scaling.axes(kind, design)
    grid = [scaling.compute_point(design, kind, x, y, budget) for y in (ys or default_ys) for x in (xs or default_xs)]
    return choose(design, kind, grid, count, budget.ranking)


def choose(
    design: Design,
    kind: str,
    points: list[scaling.Point],
    count: int = MAX_CANDIDATES,
    rank: metrics.Metric = metrics.MACS,
) -> list[Candidate]:
    """The candidates among the points of a scan already made (the Design page's), spread
    over the range of ``rank`` (``Budget.ranking``)."""
    chosen = spread(pareto(points, rank), max(1, min(count, MAX_CANDIDATES)))
    out = []
    for point in chosen:
        variant = scaling.variant(design, kind, point.x, point.y)
        text = label(kind, point.x, point.y)
        variant.name = f"{design.name} {text}"
        out.append(Candidate(text, point.x, point.y, variant, dict(point.figures)))
    return out


@dataclass
class Outcome:
    """One candidate's training, as far as it went."""

    label: str
    design: dict  # the candidate's design (to_dict), so a sweep can be read back and applied
    figures: dict[str, int | None]
    job: str | None = None
    state: str = JobState.QUEUED.value
    message: str = ""
    run: dict | None = None  # the finished run (RunRecord.to_dict)
    epochs_done: int = 0
    work_dir: str | None = None  # the job's folder (its data link, the trained model)

    @property
    def accuracy(self) -> float | None:
        return self.run.get("test_accuracy") if self.run else None

    @property
    def macs(self) -> int | None:
        return self.figures.get(metrics.MACS.key)


@dataclass
class Sweep:
    """A batch of training jobs, one per candidate, with the same data and settings."""

    base: str  # the design the candidates came from
    kind: str
    dataset: str  # the data, in words
    settings: TrainSettings
    outcomes: list[Outcome]
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    state: str = RUNNING
    server: dict | None = None
    started: float = field(default_factory=time.time)

    # -- running -----------------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        manager,
        base: Design,
        kind: str,
        chosen: list[Candidate],
        dataset: Callable[[Path], DatasetRef],
        dataset_title: str,
        settings: TrainSettings,
        server: dict | None = None,
    ) -> Sweep:
        """Submit one training job per candidate. ``dataset(work_dir)`` gives each job its
        data (written or linked into the job's folder)."""
        from lightdesign.jobs.specs import new_work_dir, train_spec

        sweep = cls(
            base.name,
            kind,
            dataset_title,
            settings,
            [Outcome(c.label, c.design.to_dict(), c.figures) for c in chosen],
            server=server,
        )
        for candidate, outcome in zip(chosen, sweep.outcomes, strict=True):
            try:
                work = new_work_dir()
                outcome.work_dir = str(work)
                spec = train_spec(candidate.design, dataset(work), settings, work)
                job = manager.submit(sweep.owner(candidate.label), JobKind.TRAIN, spec)
                outcome.job = job.id
            except (DesignError, OSError, RuntimeError) as exc:
                outcome.state, outcome.message = JobState.FAILED.value, str(exc)
        return sweep

    def owner(self, text: str) -> str:
        return f"sweep:{self.id}:{text}"

    def refresh(self, manager) -> bool:
        """Read the jobs' progress into the outcomes; True when something changed."""
        from lightdesign.jobs.messages import Epoch

        changed = False
        for outcome in self.outcomes:
            if outcome.run is not None or outcome.state in (JobState.FAILED, JobState.STOPPED):
                continue
            job = manager.get(outcome.job)
            if job is None:
                continue
            before = (outcome.state, outcome.epochs_done)
            outcome.state = job.state.value
            outcome.epochs_done = len(job.all(Epoch))
            if job.state is JobState.FINISHED and job.result is not None:
                outcome.run = RunRecord.of(job.id, job.spec, job.result).to_dict()
            elif not job.active:
                outcome.message = job.message
            changed |= before != (outcome.state, outcome.epochs_done) or outcome.run is not None
        if self.state == RUNNING and self.done:
            self.state = JobState.FINISHED.value
            changed = True
        return changed

    @property
    def done(self) -> bool:
        return all(
            o.state in {s.value for s in (JobState.FINISHED, JobState.STOPPED, JobState.FAILED)} for o in self.outcomes
        )

    def stop(self, manager) -> None:
        for outcome in self.outcomes:
            job = manager.get(outcome.job)
            if job is not None and job.active:
                manager.stop(job.id)

    # -- results ------------------------------------------------------------------------------
    def cost(self) -> metrics.Metric:
        """What the finished candidates are weighed by: their predicted float32 latency when
        every one has it (this machine is calibrated), else their MACs."""
        finished = [o for o in self.outcomes if o.accuracy is not None]
        timed = finished and all(o.figures.get(metrics.PREDICTED_FP32.key) is not None for o in finished)
        return metrics.PREDICTED_FP32 if timed else metrics.MACS

    def points(self) -> list[tuple[Outcome, float, float]]:
        """(outcome, cost, test accuracy) of every finished candidate, the cost by ``cost()``."""
        key = self.cost().key
        return [(o, o.figures.get(key) or 0, o.accuracy) for o in self.outcomes if o.accuracy is not None]

    def front(self) -> list[Outcome]:
        """The finished candidates no other beats (cheaper and more accurate), cheapest first."""
        points = self.points()
        return [points[i][0] for i in pareto_front([(m, a) for _, m, a in points])]

    def best(self) -> Outcome | None:
        """The most accurate finished candidate (the cheaper one on a tie)."""
        points = self.points()
        return max(points, key=lambda p: (p[2], -p[1]))[0] if points else None

    def design_of(self, outcome: Outcome) -> Design:
        return from_dict(outcome.design)

    # -- kept in the store ------------------------------------------------------------------------
    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "base": self.base,
            "kind": self.kind,
            "dataset": self.dataset,
            "settings": self.settings.to_dict(),
            "state": self.state,
            "server": self.server,
            "started": self.started,
            "outcomes": [o.__dict__.copy() for o in self.outcomes],
        }

    @classmethod
    def restore(cls, data: dict[str, Any]) -> Sweep:
        return cls(
            base=data["base"],
            kind=data["kind"],
            dataset=data["dataset"],
            settings=TrainSettings.from_dict(data["settings"]),
            outcomes=[Outcome(**o) for o in data["outcomes"]],
            id=data["id"],
            state=data.get("state", RUNNING),
            server=data.get("server"),
            started=data.get("started", 0.0),
        )

    def interrupted(self) -> None:
        """The server running it is gone: unfinished candidates are interrupted."""
        for outcome in self.outcomes:
            if outcome.run is None and outcome.state not in (JobState.FAILED.value, JobState.STOPPED.value):
                outcome.state = INTERRUPTED
        self.state = INTERRUPTED

    def table(self) -> str:
        """The candidates as text (the CLI's output)."""
        best = self.best()
        front = {id(o) for o in self.front()}
        lines = [f"{'candidate':<24} {'MACs':>10} {'params':>10} {'latency':>9} {'accuracy':>9}  state"]
        for o in self.outcomes:
            accuracy = f"{o.accuracy:.1%}" if o.accuracy is not None else "-"
            mark = " best" if o is best else (" front" if id(o) in front else "")
            state = o.state + (f": {o.message}" if o.message and o.run is None else "")
            lines.append(
                f"{o.label:<24} {metrics.MACS.show(o.macs):>10} "
                f"{metrics.PARAMS.show(o.figures.get(metrics.PARAMS.key)):>10} "
                f"{metrics.PREDICTED_FP32.show(o.figures.get(metrics.PREDICTED_FP32.key)):>9} {accuracy:>9}  {state}{mark}"
            )
        return "\n".join(lines) + "\n"
