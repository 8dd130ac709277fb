"""Sweeps train as a batch of jobs (here the TensorFlow-free training job of
tests/fake_jobs.py) on the local backend and on a local Ray head, Stop stops every
candidate, and the CLI's `sweep` prints every candidate and writes the best design.
tests/unit/test_sweep.py checks the candidates; tests/keras/test_sweep_keras.py trains real
candidates on the digits."""

import json

import pytest

from lightdesign import cli
from lightdesign.analysis import metrics
from lightdesign.core import presets
from lightdesign.core.design import from_json
from lightdesign.data import builtin
from lightdesign.explore import scaling
from lightdesign.jobs import JobManager
from lightdesign.jobs.backends import LocalBackend, RayBackend, RayConfig
from lightdesign.jobs.manager import JOB_KINDS
from lightdesign.jobs.messages import JobKind, TrainSettings
from lightdesign.jobs.specs import dataset_for_job
from lightdesign.jobs.sweep import Sweep, candidates

from ..unit.test_sweep import ALPHAS, BUDGET, RESOLUTIONS
from ..waiting import job_processes, wait_until

FAKE_TRAIN = {JobKind.TRAIN: "tests.fake_jobs:train"}


@pytest.fixture(params=["local", pytest.param("ray", marks=pytest.mark.ray)])
def manager(request):
    backend = LocalBackend()
    if request.param == "ray":
        head = request.getfixturevalue("ray_head")
        backend = RayBackend(RayConfig(address=head.address, health_timeout_s=10), grace_s=1.0)
    jobs = JobManager(max_running=2, timeout_s=120, grace_s=1.0, poll_s=0.02, kinds=FAKE_TRAIN, backend=backend)
    yield jobs
    jobs.shutdown()
    wait_until(lambda: not job_processes(), timeout=30)


def test_four_candidates_train_as_a_batch_and_the_plot_fills_in(manager):
    from lightdesign.ui.sweep_view import figure

    design = presets.build("seed_cnn")
    chosen = candidates(design, BUDGET, scaling.WIDTH_RESOLUTION, 4, ALPHAS, RESOLUTIONS)
    data = builtin.digits(8)
    sweep = Sweep.start(
        manager,
        design,
        scaling.WIDTH_RESOLUTION,
        chosen,
        lambda work: dataset_for_job(data, work),
        data.name,
        TrainSettings(epochs=2),
    )
    assert len({o.job for o in sweep.outcomes}) == 4  # one job per candidate, all submitted at once
    wait_until(lambda: sweep.refresh(manager) is not None and sweep.done, timeout=120)
    assert sweep.state == "finished"
    assert [o.state for o in sweep.outcomes] == ["finished"] * 4
    assert all(o.run["test_accuracy"] == 0.75 and o.run["epochs"] == 2 for o in sweep.outcomes)
    assert [o.run[metrics.MACS.key] for o in sweep.outcomes] == [c.macs for c in chosen]  # each run keeps its figures
    chart = figure(sweep)
    assert len(chart.data[0].x) == 4 and list(chart.data[0].x) == [c.macs for c in chosen]
    assert sweep.best() is not None and sweep.front()
    again = Sweep.restore(json.loads(json.dumps(sweep.record())))
    assert again.record() == sweep.record() and again.best().label == sweep.best().label


def test_stop_stops_every_candidate():
    jobs = JobManager(max_running=2, timeout_s=60, grace_s=1.0, poll_s=0.02, kinds=FAKE_TRAIN, backend=LocalBackend())
    try:
        design = presets.build("seed_cnn")
        chosen = candidates(design, BUDGET, scaling.WIDTH_RESOLUTION, 4, ALPHAS, RESOLUTIONS)
        data = builtin.digits(8)
        sweep = Sweep.start(
            jobs, design, "width_resolution", chosen, lambda w: dataset_for_job(data, w), "d", TrainSettings(epochs=50)
        )
        wait_until(lambda: sweep.refresh(jobs) is not None and any(o.epochs_done for o in sweep.outcomes), timeout=60)
        sweep.stop(jobs)
        wait_until(lambda: sweep.refresh(jobs) is not None and sweep.done, timeout=30)
        assert {o.state for o in sweep.outcomes} == {"stopped"} and sweep.best() is None
    finally:
        jobs.shutdown()


def test_cli_sweep_prints_every_candidate_and_writes_the_best(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(JOB_KINDS, JobKind.TRAIN, "tests.fake_jobs:train")
    monkeypatch.delenv("LIGHTDESIGN_RAY_ADDRESS", raising=False)
    out, best = tmp_path / "sweep.json", tmp_path / "best.json"
    argv = ["sweep", "--preset", "seed_cnn", "--data", "digits", "--epochs", "2", "--max-macs", "1.5M"]
    argv += ["--alphas", "0.25,0.5,0.75,1,1.25", "--resolutions", "12,16,20,24,28", "--candidates", "4"]
    assert cli.main([*argv, "--json", str(out), "--save-best", str(best)]) == 0
    printed = capsys.readouterr().out
    assert "4 candidates of seed_cnn on digits 8x8, 2 epoch(s), on this server" in printed
    for label in ("α0.5 28px", "α1.25 16px", "α0.75 24px", "α1 20px"):
        assert label in printed
    assert "best: " in printed
    record = json.loads(out.read_text())
    assert len(record["outcomes"]) == 4 and record["state"] == "finished"
    assert from_json(best.read_text()).name.startswith("seed_cnn α")


def test_cli_sweep_exits_with_status_1_when_a_candidate_fails(tmp_path, capsys, monkeypatch):
    """A candidate that failed left the sweep's exit status 0."""
    monkeypatch.setitem(JOB_KINDS, JobKind.TRAIN, "tests.fake_jobs:train_unless_small")
    monkeypatch.delenv("LIGHTDESIGN_RAY_ADDRESS", raising=False)
    best = tmp_path / "best.json"
    argv = ["sweep", "--preset", "seed_cnn", "--data", "digits", "--epochs", "1", "--max-macs", "1.5M"]
    argv += ["--alphas", "0.25,0.5,0.75,1,1.25", "--resolutions", "12,16,20,24,28", "--candidates", "4"]
    assert cli.main([*argv, "--save-best", str(best)]) == 1
    printed = capsys.readouterr()
    assert "α1.25 16px: failed: ValueError: this test's training fails below 20 pixels (16)" in printed.out
    assert "best: α" in printed.out and from_json(best.read_text()).input_shape[0] >= 20
    assert printed.err.strip() == (
        "error: 1 of 4 candidates did not finish training (α1.25 16px); the best is among the others"
    )


def _client_connections(head) -> int:
    """The Ray Client connections the head took so far (its proxy starts a server process for
    each; one whose server failed to start does not count: its client tries again)."""
    from pathlib import Path

    log = (Path(head.folder) / "session_latest" / "logs" / "ray_client_server.err").read_text(errors="replace")
    return log.count("-- New data connection from client") - log.count("-- Server startup failed for client")


def test_a_sweep_through_ray_client_makes_one_connection_and_prints_none_of_rays_noise(
    ray_head, tmp_path, capfd, monkeypatch
):
    """Each candidate opened its own Ray Client connection (a server
    process on the head each; on a busy machine one gave up), and Ray's "SIGTERM handler is
    not set ..." reached the command's output."""
    monkeypatch.setitem(JOB_KINDS, JobKind.TRAIN, "tests.fake_jobs:train")
    monkeypatch.delenv("LIGHTDESIGN_RAY_ADDRESS", raising=False)
    before = _client_connections(ray_head)
    argv = ["sweep", "--preset", "seed_cnn", "--data", "digits", "--epochs", "2", "--max-macs", "1.5M"]
    argv += ["--alphas", "0.25,0.5,0.75,1,1.25", "--resolutions", "12,16,20,24,28", "--candidates", "4"]
    argv += ["--ray", ray_head.client_address, "--json", str(tmp_path / "sweep.json")]
    assert cli.main(argv) == 0
    printed = capfd.readouterr()
    record = json.loads((tmp_path / "sweep.json").read_text())
    assert [o["state"] for o in record["outcomes"]] == ["finished"] * 4
    assert _client_connections(ray_head) - before == 1, "one connection for the whole sweep"
    assert printed.err == "", printed.err
    assert printed.out.startswith(
        f"4 candidates of seed_cnn on digits 8x8, 2 epoch(s), on the Ray cluster at {ray_head.client_address}\n"
    )
    assert "SIGTERM" not in printed.out and "INFO" not in printed.out and "WARNING" not in printed.out
