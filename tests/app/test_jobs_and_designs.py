"""Jobs seen from the pages, with a TensorFlow-free training job
(``tests/fake_jobs.py:train``): a run is kept with its design when the design is renamed
while it trains; a job outlives the tab that started it and stays stoppable from the
workspace; exports that would not fit in memory are refused like training; a Start does
not write the dataset again."""

from contextlib import contextmanager

import pytest

from lightdesign.core.design import Design, new_block
from lightdesign.data import cache
from lightdesign.jobs.messages import JobKind, JobState
from lightdesign.ui import job_view, state, train_view

from .conftest import new_app, run_until, workspace


@contextmanager
def fake_training():
    manager = job_view.job_manager()
    before = manager.kinds[JobKind.TRAIN]
    manager.kinds[JobKind.TRAIN] = "tests.fake_jobs:train"
    try:
        yield manager
    finally:
        manager.kinds[JobKind.TRAIN] = before


@pytest.fixture
def trainer():
    with fake_training() as manager:
        app = new_app()
        app.run()
        app.switch_page("pages/train.py").run()  # the built-in 28x28 digits fit the seed design
        assert not app.exception, app.exception
        yield app, manager


def start(app, epochs: int):
    app.number_input(key="set_epochs").set_value(epochs).run()
    app.button(key="start_training").click().run()
    assert not app.exception, app.exception
    return job_view.job_manager().get(app.session_state[train_view.JOB_KEY])


def test_a_design_renamed_while_it_trains_keeps_its_run(trainer):
    """Renaming a design while it trains dropped the finished run."""
    app, _ = trainer
    job = start(app, epochs=5)
    app.switch_page("pages/design.py").run()
    app.text_input(key="ws_rename").set_value("renamed while training").run()
    assert workspace(app).current == "renamed while training"
    app.switch_page("pages/train.py").run()
    run_until(app, lambda a: not job.active and any(m.label == "Test accuracy" for m in a.metric), timeout=60)
    assert job.state is JobState.FINISHED
    ws = workspace(app)
    assert len(ws.runs["renamed while training"]) == 1, "the finished run is kept with the renamed design"
    assert not [r for r in ws.entry.runs if r.get("state") == "running"], "the running record was replaced"
    assert any("renamed while training" in c.value for c in app.caption), "the page names the design as it is now"


@pytest.mark.slow  # 70 reruns of the page
def test_last_valid_analyses_are_kept_by_design_id_and_bounded(app):
    """LAST_VALID was keyed by name and never pruned (60 renames of a 1,000-block
    design took the server from 193 to 1,063 MB)."""
    for i in range(60):
        app.text_input(key="ws_rename").set_value(f"name {i}").run()
    kept = app.session_state[state.LAST_VALID]
    assert list(kept) == [workspace(app).current_id]
    for _ in range(5):
        app.button(key="ws_new").click().run()
        app.button(key="add_block").click().run()
    assert len(app.session_state[state.LAST_VALID]) <= state.MAX_LAST_VALID


def test_a_job_outlives_its_tab_and_is_stopped_from_a_reopened_link(trainer):
    """Closing the tab mid-training left a worker holding a job slot with no way
    to stop it."""
    app, manager = trainer
    job = start(app, epochs=150)
    run_until(app, lambda a: job.state is JobState.RUNNING, timeout=60)
    link = workspace(app).id
    del app  # the tab is closed: its session (and its job id) are gone
    again = new_app()
    again.query_params["w"] = link
    again.run()
    again.switch_page("pages/train.py").run()
    assert not again.exception, again.exception
    assert again.session_state[train_view.JOB_KEY] == job.id, "the workspace finds its job again"
    again.button(key="stop_job").click().run()
    run_until(again, lambda a: not job.active, timeout=30)
    assert job.state is JobState.STOPPED


def test_a_start_links_the_dataset_instead_of_writing_it_again(trainer):
    """Every Start wrote the whole dataset again, uncompressed."""
    app, _ = trainer
    folder = cache.cache_dir()
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.npz")}
    for _ in range(3):
        job = start(app, epochs=1)
        run_until(app, lambda a, job=job: not job.active, timeout=60)
        data = job.spec.dataset.path
        assert data.endswith("data.npz")
        from pathlib import Path

        assert Path(data).stat().st_nlink >= 2, "a hard link to the one dataset file"
    after = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.npz")}
    assert set(after) == set(before), "no new dataset file was written"


def huge_design() -> Design:
    """250M parameters: 1 GB of fp32 weights."""
    blocks = [new_block("Flatten", "flat", "f1"), new_block("Dense", "fc", "d1", units=15_300)]
    return Design("huge", (128, 128, 1), 15_300, blocks)


def test_an_export_that_would_not_fit_in_memory_is_refused(app, monkeypatch):
    """A 250M-parameter design pushed the export worker to 15.7 GB."""
    from lightdesign.jobs import policy

    monkeypatch.setattr(policy, "available_memory_bytes", lambda: 8 * 2**30)
    workspace(app).add(huge_design())
    app.run()
    app.switch_page("pages/export.py").run()
    assert not app.exception, app.exception
    (message,) = [e.value for e in app.error if "Exporting this design" in e.value]
    assert (
        message.startswith("Exporting this design would need about 15.9 GB") and "a worker may use 8.00 GB" in message
    )
    assert app.button(key="start_export").disabled


def test_a_job_is_refused_when_the_workspace_disk_budget_cannot_hold_it(trainer, monkeypatch):
    """A per-workspace disk budget; a job that cannot fit is refused with the reason."""
    app, _ = trainer
    monkeypatch.setenv("LIGHTDESIGN_WORKSPACE_DISK_MB", "0.5")
    app.number_input(key="set_epochs").set_value(1).run()
    app.button(key="start_training").click().run()
    assert not app.exception, app.exception
    (message,) = [e.value for e in app.error if e.value.startswith("Training did not start")]
    assert "more than a workspace may keep" in message


def test_a_stage_shows_its_own_progress_not_the_last_stages():
    from lightdesign.jobs import Job
    from lightdesign.jobs.messages import Progress, Stage, Status

    job = Job(id="j", owner="o", kind=JobKind.LATENCY, spec=None, payload={})
    assert job_view.stage_share(job) == 0.0
    job.events += [Status(stage=Stage.CONVERTING_MODELS), Progress(stage=Stage.CONVERTING_MODELS, done=3, total=3)]
    assert job_view.stage_share(job) == 1.0
    job.events.append(Status(stage=Stage.TIMING_KERNELS))  # nothing timed yet: not 3/3
    assert job_view.stage_share(job) == 0.0
    job.events.append(Progress(stage=Stage.TIMING_KERNELS, done=31, total=155))
    assert job_view.stage_share(job) == pytest.approx(0.2)
