"""Workspaces kept in the store across sessions (AppTest): a second session with the same
``?w=`` sees the first one's designs, edits, undo history and settings; a stale session's
write is refused and it reloads."""

import time

from lightdesign.store import open_store, valid_workspace_id

from .conftest import new_app, workspace


def check(at):
    assert not at.exception, at.exception
    return at


def open_session(workspace_id=None):
    at = new_app()
    if workspace_id:
        at.query_params["w"] = workspace_id
    at.run()
    return check(at)


def first_filters(at):
    return workspace(at).design.blocks[0].params["filters"]


def test_a_new_session_gets_a_workspace_link_and_the_same_link_opens_it():
    first = open_session()
    wid = first.query_params["w"][0] if isinstance(first.query_params["w"], list) else first.query_params["w"]
    assert valid_workspace_id(wid) and len(wid) == 22
    assert any("Saved" in c.value for c in first.caption), [c.value for c in first.caption]
    first.button(key="ws_new").click().run()  # a second design
    check(first)
    first.session_state["batch_size"] = 64
    first.run()
    second = open_session(wid)
    assert workspace(second).names == workspace(first).names == ["seed_cnn", "untitled"]
    assert workspace(second).id == wid
    assert second.session_state["batch_size"] == 64
    # The store holds it too, outside any session.
    assert open_store().load(wid).names == ["seed_cnn", "untitled"]


def test_edits_and_undo_survive_a_new_session():
    first = open_session()
    wid = workspace(first).id
    workspace(first)  # seed_cnn; conv1 has 32 filters
    first.session_state["workspace"].apply(
        lambda d: __import__("lightdesign.core.edits", fromlist=["set_param"]).set_param(
            d, d.blocks[0].id, "filters", 12
        )
    )
    first.run()
    check(first)
    second = open_session(wid)
    assert first_filters(second) == 12
    second.button(key="undo").click().run()
    assert first_filters(check(second)) == 32
    third = open_session(wid)
    assert first_filters(third) == 32 and workspace(third).can_redo


def test_a_stale_tab_does_not_overwrite_and_reloads():
    tab_a = open_session()
    wid = workspace(tab_a).id
    tab_b = open_session(wid)
    from lightdesign.core import edits

    tab_a.session_state["workspace"].apply(lambda d: edits.set_param(d, d.blocks[0].id, "filters", 40))
    tab_a.run()
    # Tab B edits the design it read before tab A's change (as a widget callback would).
    tab_b.session_state["workspace"].apply(lambda d: edits.set_param(d, d.blocks[0].id, "filters", 50))
    tab_b.run()
    check(tab_b)
    assert first_filters(tab_b) == 40
    assert any("changed in another tab" in w.value for w in tab_b.warning), [w.value for w in tab_b.warning]
    assert open_store().load(wid).design.blocks[0].params["filters"] == 40


def test_a_tab_picks_up_changes_made_in_another_tab():
    tab_a = open_session()
    wid = workspace(tab_a).id
    tab_b = open_session(wid)
    tab_a.button(key="ws_new").click().run()
    tab_b.run()
    assert workspace(check(tab_b)).names == ["seed_cnn", "untitled"]


def test_an_unknown_or_malformed_link_starts_a_new_workspace_with_a_message():
    at = open_session("A" * 22)
    assert any("No workspace is kept under this link" in w.value for w in at.warning)
    assert workspace(at).id != "A" * 22
    at = open_session("../../etc/passwd")
    assert any("not valid" in e.value for e in at.error)


def test_a_broken_database_keeps_the_app_working_with_a_banner(tmp_path, monkeypatch):
    corrupt = tmp_path / "broken.db"
    corrupt.write_bytes(b"garbage" * 1000)
    monkeypatch.setenv("LIGHTDESIGN_DATABASE_URL", f"sqlite:///{corrupt}")
    at = open_session()
    banners = [e.value for e in at.error]
    assert any("Not saved" in b and "broken.db is damaged or not a database" in b for b in banners), banners
    at.button(key="ws_new").click().run()  # still usable, in memory
    assert workspace(check(at)).names == ["seed_cnn", "untitled"]
    # The database comes back: the next run saves everything made meanwhile.
    corrupt.unlink()
    at.run()
    wid = workspace(check(at)).id
    assert wid and open_store(f"sqlite:///{corrupt}").load(wid).names == ["seed_cnn", "untitled"]


def test_a_run_whose_server_died_is_shown_as_interrupted_with_its_last_epoch():
    from lightdesign.core.workspace import Workspace
    from lightdesign.jobs import liveness
    from lightdesign.store import new_workspace_id

    dead_server = {**liveness.this_server(), "pid": 2**22 + 7}  # no such process
    ws = Workspace()
    history = [{"epoch": 1, "seconds": 2.0, "loss": 0.9}, {"epoch": 2, "seconds": 2.0, "loss": 0.4567}]
    ws.record_run(
        "seed_cnn",
        {
            "id": new_workspace_id(),  # record ids are unique in the database
            "state": "running",
            "job": "j1",
            "server": dead_server,
            "dataset": "digits 28x28",
            "epochs": 5,
            "history": history,
        },
    )
    wid = new_workspace_id()
    open_store().create(ws, wid)
    at = open_session(wid)
    at.switch_page("pages/train.py").run()
    check(at)
    texts = [w.value for w in at.warning]
    assert any("interrupted by a server restart" in w and "epoch 2 of 5 finished, loss 0.457" in w for w in texts), (
        texts
    )
    (run,) = open_store().load(wid).entry.runs
    assert run["state"] == "interrupted" and run["history"] == history
    assert workspace(at).runs["seed_cnn"] == []  # not offered as a trained model


def test_a_run_of_a_live_server_stays_running():
    from lightdesign.core.workspace import Workspace
    from lightdesign.jobs import liveness
    from lightdesign.store import new_workspace_id

    ws = Workspace()
    ws.record_run(
        "seed_cnn", {"id": new_workspace_id(), "state": "running", "server": liveness.this_server(), "history": []}
    )
    wid = new_workspace_id()
    open_store().create(ws, wid)
    open_session(wid)
    assert open_store().load(wid).entry.runs[0]["state"] == "running"


def test_opening_a_session_runs_the_daily_cleanup_of_old_workspaces(monkeypatch):
    from lightdesign.core.workspace import Workspace
    from lightdesign.store import new_workspace_id
    from lightdesign.store import schema as S

    monkeypatch.setenv("LIGHTDESIGN_KEEP_DAYS", "30")
    store = open_store()
    old = new_workspace_id()
    store.create(Workspace(), old)
    with store.engine.begin() as conn:  # untouched for 31 days, and no cleanup for two days
        conn.execute(S.workspaces.update().where(S.workspaces.c.id == old).values(touched=time.time() - 31 * 86400))
    store.set_meta("last_cleanup", repr(time.time() - 2 * 86400))
    open_session()
    assert store.load(old) is None


def test_a_stale_tab_keeps_the_settings_another_tab_saved():
    """Tab A sets the batch size ("Saved"); tab B, opened before, edits a design: the
    database keeps both, and tab B shows tab A's batch size."""
    from lightdesign.core import edits

    tab_a = open_session()
    wid = workspace(tab_a).id
    tab_b = open_session(wid)
    tab_a.session_state["batch_size"] = 64
    tab_a.run()
    assert open_store().load(wid).settings["batch_size"] == 64
    tab_b.session_state["workspace"].apply(lambda d: edits.set_param(d, d.blocks[0].id, "filters", 12))
    tab_b.run()
    check(tab_b)
    stored = open_store().load(wid)
    assert stored.settings["batch_size"] == 64 and stored.design.blocks[0].params["filters"] == 12
    assert tab_b.session_state["batch_size"] == 64 and first_filters(tab_b) == 12


def test_the_saved_tooltip_names_the_database_without_a_server_path():
    from lightdesign import config

    at = open_session()
    saved = next(c for c in at.caption if "Saved" in c.value)
    assert "the SQLite database lightdesign.db" in saved.help, saved.help
    assert str(config.work_dir()) not in saved.help


def test_settings_no_widget_could_have_written_fall_back_to_the_defaults():
    """An imported archive's settings may hold anything: the pages keep working with the
    defaults instead of failing on every run."""
    from lightdesign.core.workspace import Workspace
    from lightdesign.store import new_workspace_id

    hostile = {
        "batch_size": "abc",
        "optimizer": "nope",
        "budget": "x",
        "budget_min_resolution": [1],
        "guide_dismissed": {"a": 1},
    }
    ws = Workspace()
    for key, value in hostile.items():
        ws.set_setting(key, value)
    wid = new_workspace_id()
    open_store().create(ws, wid)
    at = open_session(wid)
    assert at.session_state["batch_size"] == 32 and at.session_state["budget"] == {}
    assert at.session_state["optimizer"] == "adam" and at.session_state["budget_min_resolution"] == 0
    for page in ("pages/train.py", "pages/compare.py", "pages/export.py"):
        at.switch_page(page).run()
        check(at)
