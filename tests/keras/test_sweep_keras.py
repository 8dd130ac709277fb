"""A sweep of 4 candidates of the seed CNN trains for real on the built-in digits, on the
local backend and on a local Ray head (skipped with the reason when Ray cannot start),
and its accuracy-against-MACs plot has 4 points."""

import pytest

from lightdesign.analysis import metrics
from lightdesign.core import presets
from lightdesign.data import builtin
from lightdesign.explore import scaling
from lightdesign.explore.budget import Budget
from lightdesign.jobs import JobManager
from lightdesign.jobs.backends import LocalBackend, RayBackend, RayConfig
from lightdesign.jobs.messages import TrainSettings
from lightdesign.jobs.specs import dataset_for_job
from lightdesign.jobs.sweep import Sweep, candidates

from ..waiting import job_processes, wait_until


@pytest.fixture(params=["local", pytest.param("ray", marks=pytest.mark.ray)])
def manager(request):
    backend = LocalBackend()
    if request.param == "ray":
        backend = RayBackend(RayConfig(address=request.getfixturevalue("ray_head").address))
    jobs = JobManager(max_running=2, timeout_s=300, backend=backend)
    yield jobs
    jobs.shutdown()
    wait_until(lambda: not job_processes(), timeout=30)


def test_four_candidates_train_on_the_digits(manager):
    from lightdesign.ui.sweep_view import figure

    design = presets.build("seed_cnn")
    budget = Budget({metrics.MACS.key: 1_500_000})
    chosen = candidates(design, budget, scaling.WIDTH_RESOLUTION, 4, (0.25, 0.5, 0.75, 1.0, 1.25), (12, 16, 20, 24, 28))
    assert len(chosen) == 4
    data = builtin.digits(8)
    settings = TrainSettings(epochs=2, max_samples=600)
    sweep = Sweep.start(
        manager, design, scaling.WIDTH_RESOLUTION, chosen, lambda w: dataset_for_job(data, w), data.name, settings
    )
    wait_until(lambda: sweep.refresh(manager) is not None and sweep.done, timeout=600, step=0.5)
    assert [o.state for o in sweep.outcomes] == ["finished"] * 4, [o.message for o in sweep.outcomes]
    for outcome, candidate in zip(sweep.outcomes, chosen, strict=True):
        assert 0.0 <= outcome.accuracy <= 1.0 and outcome.run["epochs"] == 2
        assert outcome.run[metrics.MACS.key] == candidate.macs
        assert outcome.run["model_path"].endswith("trained.keras")
    assert len(figure(sweep).data[0].x) == 4
    assert sweep.best().accuracy == max(o.accuracy for o in sweep.outcomes)
