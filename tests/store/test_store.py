"""The store on SQLite and on a real PostgreSQL server: round trips, version conflicts,
migrations, interrupted writes, deletion and housekeeping."""

import json
import sqlite3

import pytest
from sqlalchemy import create_engine, inspect

from lightdesign.core import edits, presets
from lightdesign.core.workspace import Workspace
from lightdesign.store import (
    StaleWrite,
    Store,
    StoreError,
    describe_url,
    new_workspace_id,
    open_store,
    valid_workspace_id,
)
from lightdesign.store import schema as S


def first_conv(ws):
    return ws.design.blocks[0].id


def edited_workspace():
    """Two designs, three edits (one undone), a run, an export and settings."""
    ws = Workspace()
    ws.add(presets.build("mobilenet_v2", alpha=0.35, resolution=96), switch=False)
    for filters in (8, 16, 24):
        ws.apply(lambda d, f=filters: edits.set_param(d, d.blocks[0].id, "filters", f))
    ws.undo()
    ws.record_run("seed_cnn", {"id": "run1", "state": "finished", "history": [{"epoch": 1, "loss": 0.5}]})
    ws.record_export("seed_cnn", {"id": "exp1", "files": {"keras": {"bytes": 1234}}})
    ws.set_setting("budget", {"macs": 300_000_000})
    return ws


def snapshot(ws):
    """Everything a workspace holds, as comparable data."""
    return {
        "current": ws.current,
        "settings": ws.settings,
        "designs": [
            (e.id, e.design.to_dict(), list(e.undo), list(e.redo), e.runs, e.exports) for e in ws.entries.values()
        ],
    }


def test_round_trip_of_every_kind_of_record(database_url):
    store = open_store(database_url)
    ws = edited_workspace()
    wid = new_workspace_id()
    store.create(ws, wid)
    loaded = store.load(wid)
    assert snapshot(loaded) == snapshot(ws)
    assert loaded.design.blocks[0].params["filters"] == 16
    loaded.undo()  # undo survives the reload
    assert loaded.design.blocks[0].params["filters"] == 8
    loaded.redo()
    loaded.redo()
    assert loaded.design.blocks[0].params["filters"] == 24


def test_journal_writes_edits_renames_deletes_and_runs(database_url):
    store = open_store(database_url)
    ws = Workspace()
    wid = new_workspace_id()
    store.create(ws, wid)
    ws.apply(lambda d: edits.set_param(d, d.blocks[0].id, "filters", 12))
    squeeze = ws.add(presets.build("squeezenet_1_1"))
    ws.switch("seed_cnn")
    ws.rename("seed_cnn", "my cnn")
    ws.record_run("my cnn", {"id": "r1", "state": "running", "history": []})
    store.flush(ws)
    ws.record_run("my cnn", {"id": "r1", "state": "finished", "history": [{"epoch": 1}]})  # update in place
    ws.undo()
    ws.delete(squeeze)
    ws.set_setting("batch_size", 64)
    store.flush(ws)
    assert ws.journal == []
    loaded = store.load(wid)
    assert snapshot(loaded) == snapshot(ws)
    assert loaded.names == ["my cnn"] and loaded.settings == {"batch_size": 64}
    assert loaded.runs["my cnn"] == [{"id": "r1", "state": "finished", "history": [{"epoch": 1}]}]
    assert loaded.can_redo and not loaded.can_undo


def test_a_stale_copy_is_refused_and_nothing_of_it_is_written(database_url):
    store = open_store(database_url)
    wid = new_workspace_id()
    store.create(Workspace(), wid)
    tab_a, tab_b = store.load(wid), store.load(wid)
    tab_a.apply(lambda d: edits.set_param(d, first_conv(tab_a), "filters", 40))
    store.flush(tab_a)
    tab_b.apply(lambda d: edits.set_param(d, first_conv(tab_b), "filters", 50))
    tab_b.set_setting("batch_size", 8)
    with pytest.raises(StaleWrite, match="design 'seed_cnn' was changed in another tab"):
        store.flush(tab_b)
    fresh = store.load(wid)
    assert fresh.design.blocks[0].params["filters"] == 40
    assert fresh.settings == {} and len(fresh.entry.undo) == 1  # tab B's settings and history were rolled back
    # Edits to different designs do not conflict; adding designs in two stale tabs does.
    tab_c, tab_d = store.load(wid), store.load(wid)
    tab_c.add(presets.build("squeezenet_1_1"))
    store.flush(tab_c)
    tab_d.add(presets.build("mobilenet_v1"))
    with pytest.raises(StaleWrite, match="the list of designs"):
        store.flush(tab_d)


def test_interrupted_write_leaves_the_old_state(database_url, monkeypatch):
    store = open_store(database_url)
    wid = new_workspace_id()
    ws = Workspace()
    store.create(ws, wid)
    ws.apply(lambda d: edits.set_param(d, first_conv(ws), "filters", 77))
    ws.record_run("seed_cnn", {"id": "r9", "state": "finished"})

    def crash(*args):
        raise RuntimeError("power cut")

    monkeypatch.setattr(Store, "_write_bodies", crash)  # after history and runs were written
    with pytest.raises(RuntimeError):
        store.flush(ws)
    old = store.load(wid)
    assert old.design.blocks[0].params["filters"] == 32 and old.entry.undo == [] and old.entry.runs == []
    monkeypatch.undo()
    store.flush(ws)  # the journal was kept: retrying writes it
    assert store.load(wid).design.blocks[0].params["filters"] == 77


def test_migration_from_empty_and_from_the_previous_schema(database_url):
    # A database at schema 1 (an earlier release), holding a workspace.
    engine = create_engine(database_url)
    with engine.begin() as conn:
        S.meta.create(conn)
        S.MIGRATIONS[0](conn)
        conn.execute(S.meta.insert().values(key="schema_version", value="1"))
    wid = new_workspace_id()
    written = edited_workspace()
    with engine.begin() as conn:
        _write_as_schema_1(conn, written, wid)
    engine.dispose()
    assert _open_at(database_url, 1).schema_version() == 1
    upgraded = open_store(database_url)
    assert upgraded.schema_version() == S.LATEST
    assert {"files", "workspace_settings"} <= set(inspect(upgraded.engine).get_table_names())
    assert snapshot(upgraded.load(wid)) == snapshot(written)


def _write_as_schema_1(conn, ws, wid):
    """The rows a release at schema 1 or 2 wrote for ``ws``: its settings a JSON object in the
    workspace's row."""
    conn.execute(
        S.workspaces.insert().values(
            id=wid, created=1.0, touched=1.0, current_design=ws.current_id, settings=json.dumps(ws.settings), version=1
        )
    )
    for position, entry in enumerate(ws.entries.values()):
        body = entry.design.to_json(indent=None)
        conn.execute(
            S.designs.insert().values(
                id=entry.id,
                workspace_id=wid,
                position=position,
                name=entry.design.name,
                body=body,
                version=1,
                updated=1.0,
            )
        )
        for stack in ("undo", "redo"):
            for seq, text in enumerate(getattr(entry, stack)):
                conn.execute(S.history.insert().values(design_id=entry.id, stack=stack, seq=seq, body=text))
        for table, records in ((S.runs, entry.runs), (S.exports, entry.exports)):
            for seq, record in enumerate(records):
                conn.execute(
                    table.insert().values(
                        id=record["id"],
                        workspace_id=wid,
                        design_id=entry.id,
                        seq=seq,
                        created=1.0,
                        body=json.dumps(record),
                    )
                )


def _open_at(url, version):
    original = Store.migrate

    def migrate(self, target=version):
        original(self, target)

    Store.migrate = migrate
    try:
        return Store(url)
    finally:
        Store.migrate = original


def test_empty_database_gets_the_latest_schema(database_url):
    store = open_store(database_url)
    assert store.schema_version() == S.LATEST
    assert set(inspect(store.engine).get_table_names()) >= {"workspaces", "designs", "history", "runs", "exports"}
    assert store.load(new_workspace_id()) is None


def test_delete_and_cleanup_remove_rows_and_files(database_url, tmp_path):
    store = open_store(database_url)
    old_id, new_id = new_workspace_id(), new_workspace_id()
    store.create(edited_workspace(), old_id)
    store.create(Workspace(), new_id)
    weights = tmp_path / "model.keras"
    weights.write_bytes(b"x" * 1000)
    store.add_file(old_id, "run1", weights)
    assert store.files_of(old_id) == [(str(weights), "run1", 1000)]
    # Make the first workspace 100 days old.
    with store.engine.begin() as conn:
        conn.execute(S.workspaces.update().where(S.workspaces.c.id == old_id).values(touched=0.0))
    assert store.cleanup_due()
    assert store.cleanup(keep_days=90) == [old_id]
    assert not store.cleanup_due()
    assert store.load(old_id) is None and not weights.exists()
    assert store.load(new_id) is not None
    with store.engine.connect() as conn:
        for table in (S.designs, S.history, S.runs, S.exports, S.files):
            assert (
                conn.execute(
                    table.select().where(table.c.workspace_id == old_id)
                    if "workspace_id" in table.c
                    else table.select()
                ).all()
                == []
                or table is S.history
            )


def test_workspace_ids_are_unguessable_and_checked():
    ids = {new_workspace_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(len(i) == 22 and valid_workspace_id(i) for i in ids)
    for bad in ("", "short", "x" * 65, "../../etc/passwd____", "abc def ghi jkl mno", None, 42):
        assert not valid_workspace_id(bad)


def test_corrupt_and_foreign_files_get_a_clear_message(tmp_path):
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"corrupt\.db is damaged or not a database"):
        open_store(f"sqlite:///{corrupt}")
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("create table invoices (id integer)")
    with pytest.raises(StoreError, match="holds tables of another application \\(invoices\\)"):
        open_store(f"sqlite:///{foreign}")
    with pytest.raises(StoreError, match="not a database URL"):
        open_store("definitely not a url")


def test_read_only_folder_is_named(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        import os

        if os.geteuid() == 0:
            pytest.skip("root writes to read-only folders; the e2e test uses a read-only mount instead")
        with pytest.raises(StoreError, match="ro"):
            open_store(f"sqlite:///{folder / 'sub' / 'x.db'}")
    finally:
        folder.chmod(0o700)


def test_a_full_disk_is_named_and_leaves_the_saved_state(tmp_path):
    import subprocess

    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs: {mounted.stderr.decode().strip()}")
    try:
        store = open_store(f"sqlite:///{folder / 'x.db'}")
        ws = Workspace()
        wid = new_workspace_id()
        ws.add(presets.build("mobilenet_v2"))
        store.create(ws, wid)
        last_saved = ws.design.blocks[0].params["filters"]  # as created (the first edit may not fit)
        with pytest.raises(StoreError, match=r"the disk holding .*x\.db is full"):
            for i in range(2000):  # each edit adds a MobileNetV2 snapshot to the history
                ws.apply(lambda d, i=i: edits.set_param(d, d.blocks[0].id, "filters", 1 + i % 64))
                store.flush(ws)
                last_saved = ws.design.blocks[0].params["filters"]
        # The failed write left everything written before it.
        assert store.load(wid).design.blocks[0].params["filters"] == last_saved
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_stale_tab_writes_only_the_settings_it_changed(database_url):
    """Tab A sets the batch size and keeps an imported file's record; tab B, opened before,
    edits a design: both survive, and tab B's copy is seen to be stale."""
    store = open_store(database_url)
    wid = new_workspace_id()
    ws = Workspace()
    ws.set_setting("batch_size", 32)
    store.create(ws, wid)
    tab_a, tab_b = store.load(wid), store.load(wid)
    record = {"file": "base.keras", "format": "keras", "path": None, "weights": {}, "input_shape": None}
    tab_a.set_setting("batch_size", 64)
    tab_a.set_setting("model_files", {tab_a.current_id: record})
    store.flush(tab_a)
    tab_b.apply(lambda d: edits.set_param(d, first_conv(tab_b), "filters", 12))
    store.flush(tab_b)
    fresh = store.load(wid)
    assert fresh.settings == {"batch_size": 64, "model_files": {tab_a.current_id: record}}
    assert fresh.design.blocks[0].params["filters"] == 12
    assert store.versions(wid).settings != tab_b.setting_versions  # tab B's page reloads
    assert store.versions(wid).settings == tab_a.setting_versions


def test_a_stale_tab_changing_the_same_setting_is_refused(database_url):
    store = open_store(database_url)
    wid = new_workspace_id()
    ws = Workspace()
    ws.set_setting("batch_size", 32)
    store.create(ws, wid)
    tab_a, tab_b = store.load(wid), store.load(wid)
    tab_a.set_setting("batch_size", 64)
    store.flush(tab_a)
    tab_b.set_setting("batch_size", 16)
    with pytest.raises(StaleWrite, match="setting 'batch_size' was changed in another tab"):
        store.flush(tab_b)
    # A setting neither copy had when it read the workspace: the first writer wins.
    tab_d = store.load(wid)
    tab_a.set_setting("optimizer", "sgd")
    store.flush(tab_a)
    tab_c = store.load(wid)
    tab_d.set_setting("optimizer", "adam")
    with pytest.raises(StaleWrite, match="setting 'optimizer' was changed in another tab"):
        store.flush(tab_d)
    assert store.load(wid).settings == {"batch_size": 64, "optimizer": "sgd"}
    tab_c.set_setting("optimizer", "rmsprop")  # a fresh copy writes as before
    store.flush(tab_c)
    assert store.load(wid).settings["optimizer"] == "rmsprop"


def test_a_switch_of_the_current_design_is_kept_but_an_edit_elsewhere_does_not_undo_it(database_url):
    store = open_store(database_url)
    wid = new_workspace_id()
    ws = Workspace()
    other = ws.add(presets.build("squeezenet_1_1"), switch=False)
    store.create(ws, wid)
    tab_a, tab_b = store.load(wid), store.load(wid)
    tab_a.switch(other)
    store.flush(tab_a)
    tab_b.apply(lambda d: edits.set_param(d, first_conv(tab_b), "filters", 12))  # on seed_cnn
    store.flush(tab_b)
    assert store.load(wid).current == other


SECRET = "hunter2-secret"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://ld@127.0.0.1:1/ld?password={SECRET}",
        f"postgresql+psycopg://ld:{SECRET}@127.0.0.1:1/ld",
        f"postgresql+psycopg://ld@127.0.0.1:1/ld?sslpassword={SECRET}&sslkey=/srv/{SECRET}/client.key",
        f"postgresql+psycopg://ld@127.0.0.1:notaport/ld?password={SECRET}",
        "sqlite:///{tmp}/" + SECRET + "/blocked/lightdesign.db",
    ],
)
def test_no_credential_or_server_path_reaches_a_message(url, tmp_path):
    """Whatever form the password takes (in the user part, a query option, an SSL option),
    neither it nor a server path is in the database's description or in a failure's message."""
    (tmp_path / SECRET).mkdir()
    (tmp_path / SECRET / "blocked").write_text("a file where the database's folder would be")
    url = url.replace("{tmp}", str(tmp_path))
    try:
        store = Store(url)
    except StoreError as exc:
        message = str(exc)
    else:
        message = store.where
    assert message and SECRET not in message, message
    assert SECRET not in describe_url(url.replace("notaport", "5432"))


def test_the_database_is_described_without_its_folder(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'work' / 'lightdesign.db'}")
    assert store.where == "the SQLite database lightdesign.db"


def test_a_full_disk_is_named_without_the_server_path(tmp_path):
    import subprocess

    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs: {mounted.stderr.decode().strip()}")
    try:
        store = open_store(f"sqlite:///{folder / 'x.db'}")
        ws = Workspace()
        ws.add(presets.build("mobilenet_v2"))
        store.create(ws, new_workspace_id())
        with pytest.raises(StoreError) as failed:
            for i in range(2000):
                ws.apply(lambda d, i=i: edits.set_param(d, d.blocks[0].id, "filters", 1 + i % 64))
                store.flush(ws)
        assert str(failed.value) == "the disk holding the SQLite database x.db is full"
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
