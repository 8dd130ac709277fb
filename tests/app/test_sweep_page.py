"""Train the candidates from the scaling search (AppTest, with the TensorFlow-free
training job of tests/fake_jobs.py): 4 Pareto-optimal candidates train as a batch, the
plot gets 4 points, the sweep is kept with the workspace and the best design is added with
its run."""

from lightdesign.jobs.messages import JobKind
from lightdesign.ui import job_view, sweep_view

from .conftest import new_app, open_tab, run_until, workspace


def test_train_four_candidates_and_add_the_best():
    manager = job_view.job_manager()
    before = manager.kinds[JobKind.TRAIN]
    manager.kinds[JobKind.TRAIN] = "tests.fake_jobs:train"
    try:
        app = new_app()
        app.run()
        open_tab(app, "tab.budget")
        app.text_input(key="budget_macs").set_value("2M").run()  # 7 Pareto points at 12-32 px
        open_tab(app, "tab.scaling")
        app.toggle(key="w_show_scaling").set_value(True).run()
        run_until(app, lambda a: any(b.key == "sweep_start_width_resolution" for b in a.button), timeout=120)
        count = next(n for n in app.number_input if n.key.startswith("sweep_count_"))
        count.set_value(4).run()
        app.number_input(key="sweep_epochs").set_value(2).run()
        start = app.button(key="sweep_start_width_resolution")
        assert start.label == "Train the 4 candidates"
        start.click().run()
        assert not app.exception, app.exception
        record = workspace(app).settings[sweep_view.SWEEP]
        assert record["state"] == "running" and len(record["outcomes"]) == 4
        run_until(app, lambda a: workspace(a).settings[sweep_view.SWEEP]["state"] == "finished", timeout=120)
        run_until(app, lambda a: any(b.key.startswith("sweep_add_") for b in a.button), timeout=30)
        sweep = sweep_view.Sweep.restore(workspace(app).settings[sweep_view.SWEEP])
        assert len(sweep_view.figure(sweep).data[0].x) == 4
        names = set(workspace(app).names)
        next(b for b in app.button if b.key.startswith("sweep_add_")).click().run()
        ws = workspace(app)
        (added,) = set(ws.names) - names
        assert added.startswith("seed_cnn α") and len(ws.runs[added]) == 1
        assert ws.runs[added][0]["test_accuracy"] == 0.75
    finally:
        manager.kinds[JobKind.TRAIN] = before
