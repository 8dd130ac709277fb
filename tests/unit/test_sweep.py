"""Sweeps: the candidates are the Pareto-optimal points of a scan under the budget, the
record survives a server's death as interrupted, and the CLI's `sweep` refuses what it
cannot run. tests/jobs/test_sweep_training.py trains candidates as jobs."""

import pytest

from lightdesign import cli
from lightdesign.analysis import metrics
from lightdesign.core import presets
from lightdesign.core.design import DesignError
from lightdesign.data.dataset import Dataset
from lightdesign.explore import scaling
from lightdesign.explore.budget import Budget
from lightdesign.jobs.messages import TrainSettings
from lightdesign.jobs.sweep import MAX_CANDIDATES, Sweep, candidates, pareto, spread

ALPHAS = (0.25, 0.5, 0.75, 1.0, 1.25)
RESOLUTIONS = (12, 16, 20, 24, 28)
BUDGET = Budget({metrics.MACS.key: 1_500_000})  # four points on the seed CNN's frontier


def test_the_candidates_are_the_pareto_optimal_points_that_fit():
    design = presets.build("seed_cnn")
    chosen = candidates(design, BUDGET, scaling.WIDTH_RESOLUTION, 16, ALPHAS, RESOLUTIONS)
    assert [c.label for c in chosen] == ["α0.5 28px", "α1.25 16px", "α0.75 24px", "α1 20px"]
    assert all(c.macs <= 1_500_000 for c in chosen)
    macs = [c.macs for c in chosen]
    assert macs == sorted(macs)
    for c in chosen:  # each is the scan's variant, named after its knobs
        assert c.design.name == f"seed_cnn {c.label}"
        assert c.design.input_shape[0] == int(c.y)
    grid = [scaling.compute_point(design, scaling.WIDTH_RESOLUTION, a, r, BUDGET) for r in RESOLUTIONS for a in ALPHAS]
    front = pareto(grid)
    for p in front:  # no fitting point is at least as wide and as large
        assert not any(q.fits and q.x >= p.x and q.y >= p.y and (q.x, q.y) != (p.x, p.y) for q in grid)


def test_at_most_sixteen_spread_over_the_costs():
    assert spread(list(range(40)), 16)[0] == 0 and spread(list(range(40)), 16)[-1] == 39
    assert len(spread(list(range(40)), 16)) == 16 and spread([1, 2], 16) == [1, 2]
    design = presets.build("mobilenet_v2", alpha=0.35, resolution=96)
    wide = candidates(design, Budget({metrics.MACS.key: 60_000_000}), count=40)
    assert 1 <= len(wide) <= MAX_CANDIDATES


def test_a_sweep_needs_a_budget():
    with pytest.raises(DesignError, match="budget"):
        candidates(presets.build("seed_cnn"), Budget({}))


def test_a_sweep_whose_server_died_is_interrupted():
    design = presets.build("seed_cnn")
    chosen = candidates(design, BUDGET, scaling.WIDTH_RESOLUTION, 2, ALPHAS, RESOLUTIONS)
    sweep = Sweep("seed_cnn", "width_resolution", "d", TrainSettings(), [])
    sweep = Sweep.restore(
        {
            **sweep.record(),
            "outcomes": [{"label": c.label, "design": c.design.to_dict(), "figures": c.figures} for c in chosen],
        }
    )
    sweep.interrupted()
    assert sweep.state == "interrupted" and {o.state for o in sweep.outcomes} == {"interrupted"}
    assert sweep.done is False  # not finished: interrupted


def test_cli_sweep_refuses_without_a_budget_or_with_unknown_data(capsys):
    assert cli.main(["sweep", "--preset", "seed_cnn", "--data", "digits"]) == 1
    assert "give a budget" in capsys.readouterr().err
    assert cli.main(["sweep", "--preset", "seed_cnn", "--data", "nope", "--max-macs", "10M"]) == 1
    assert "unknown dataset 'nope'" in capsys.readouterr().err


def test_cli_dataset_writes_a_builtin_dataset_for_train_py(tmp_path, capsys):
    target = tmp_path / "shapes.npz"
    assert cli.main(["dataset", "shapes", "-o", str(target)]) == 0
    data = Dataset.from_npz(str(target))
    assert data.input_shape == (32, 32, 1) and "wrote" in capsys.readouterr().out


def _finished(label: str, macs: int, ms: float | None, accuracy: float):
    from lightdesign.jobs.sweep import Outcome

    figures = {metrics.MACS.key: macs, metrics.PREDICTED_FP32.key: ms}
    return Outcome(label, {}, figures, state="finished", run={"test_accuracy": accuracy})


def test_a_sweep_weighs_its_candidates_by_predicted_latency_when_every_one_has_it():
    from lightdesign.ui.sweep_view import figure

    # by MACs "few" and "most" are the front; by time "fast" beats both of the others
    outcomes = [_finished("few", 100, 3.0, 0.80), _finished("fast", 200, 1.0, 0.85), _finished("mid", 150, 2.0, 0.70)]
    sweep = Sweep("net", "width_resolution", "digits", TrainSettings(), outcomes)
    assert sweep.cost() is metrics.PREDICTED_FP32
    assert [o.label for o in sweep.front()] == ["fast"]
    chart = figure(sweep)
    assert list(chart.data[0].x) == [3.0, 1.0, 2.0] and chart.layout.xaxis.title.text == "Predicted latency fp32"
    outcomes[2].figures[metrics.PREDICTED_FP32.key] = None  # one not predicted: all are weighed by MACs
    assert sweep.cost() is metrics.MACS
    assert [o.label for o in sweep.front()] == ["few", "fast"]
    assert list(figure(sweep).data[0].x) == [100, 200, 150]
