"""Disk budgets: the oldest files of the workspace go first, then the
oldest of the server; a job larger than a budget is refused; the store forgets and deletes
what is removed."""

from lightdesign.core.workspace import Workspace
from lightdesign.store import disk, open_store

KB = 1024


def files():
    # (path, workspace, owner, bytes), oldest first
    return [
        ("/w/a1", "a", "r1", 400 * KB),
        ("/w/b1", "b", "r2", 300 * KB),
        ("/w/a2", "a", "r3", 400 * KB),
        ("/w/b2", "b", "r4", 300 * KB),
    ]


def test_the_workspace_budget_deletes_its_own_oldest_files_first():
    plan = disk.plan(files(), "a", 300 * KB, per_workspace=1000 * KB, per_server=10_000 * KB)
    assert plan.delete == ["/w/a1"] and plan.refusal is None


def test_the_server_budget_then_deletes_the_oldest_files_of_any_workspace():
    plan = disk.plan(files(), "a", 300 * KB, per_workspace=10_000 * KB, per_server=1500 * KB)
    assert plan.delete == ["/w/a1"]
    plan = disk.plan(files(), "a", 700 * KB, per_workspace=10_000 * KB, per_server=1500 * KB)
    assert plan.delete == ["/w/a1", "/w/b1"]


def test_a_job_larger_than_a_budget_is_refused():
    plan = disk.plan(files(), "a", 2000 * KB, per_workspace=1000 * KB, per_server=10_000 * KB)
    assert plan.refusal.startswith("this job's files would take about 1.95 MB, more than a workspace may keep")


def test_prepare_deletes_the_planned_files_through_the_store(tmp_path, monkeypatch):
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    ws = Workspace()
    store.create(ws, "w" * 22)
    old, new = tmp_path / "old", tmp_path / "new"
    for path in (old, new):
        path.mkdir()
        (path / "model.keras").write_bytes(b"\0" * 600 * KB)
        store.add_file(ws.id, path.name, path)
    monkeypatch.setenv(disk.WORKSPACE_BUDGET_ENV, "1.5")  # MB
    assert disk.prepare(store, ws.id, 500 * KB, tmp_path) is None
    assert not old.exists() and new.exists()
    assert [p for p, _, _ in store.files_of(ws.id)] == [str(new)]
