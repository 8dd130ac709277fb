"""Moving a workspace between servers: export to a zip, import into another database."""

import json
import zipfile

import pytest

from lightdesign.core import edits
from lightdesign.core.workspace import Workspace
from lightdesign.store import StoreError, new_workspace_id, open_store
from lightdesign.store.archive import export_workspace, import_workspace


def test_export_then_import_into_another_database(database_url, tmp_path):
    source = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    ws = Workspace()
    ws.apply(lambda d: edits.set_param(d, d.blocks[0].id, "filters", 8))
    weights = tmp_path / "run" / "model.keras"
    weights.parent.mkdir()
    weights.write_bytes(b"weights" * 100)
    ws.record_run("seed_cnn", {"id": "r1", "state": "finished", "model_path": str(weights), "test_accuracy": 0.9})
    ws.set_setting("batch_size", 16)
    wid = new_workspace_id()
    source.create(ws, wid)
    source.add_file(wid, "r1", weights.parent)  # a job's folder, as runs keep them
    archive = tmp_path / "ws.zip"
    assert export_workspace(source, wid, archive) == {"designs": 1, "runs": 1, "exports": 0, "files": 1}

    target = open_store(database_url)
    new_wid = import_workspace(target, archive, tmp_path / "server2")
    assert new_wid != wid
    moved = target.load(new_wid)
    assert moved.design.to_dict() == ws.design.to_dict() and moved.entry.undo == ws.entry.undo
    assert moved.settings == {"batch_size": 16}
    (run,) = moved.runs["seed_cnn"]
    assert run["test_accuracy"] == 0.9 and run["model_path"].startswith(str(tmp_path / "server2"))
    with open(run["model_path"], "rb") as handle:
        assert handle.read() == b"weights" * 100
    assert [owner for _, owner, _ in target.files_of(new_wid)] == [run["id"]]
    assert target.files_of(new_wid)[0][2] == 700  # the folder's size
    # Importing twice gives two independent workspaces (ids never clash).
    assert import_workspace(target, archive, tmp_path / "server2") != new_wid


def test_an_imported_model_file_follows_its_design_to_the_new_server(tmp_path):
    from lightdesign.importers.weights import MODEL_FILES, file_record, file_weights, layer_sizes

    source = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    ws = Workspace()
    kept = tmp_path / "server1" / "models" / "abc" / "mine.keras"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"keras zip" * 10)
    shapes = {name: [(size,) for size in sizes] for name, sizes in layer_sizes(ws.design)}
    ws.set_setting(MODEL_FILES, {ws.current_id: file_record("mine.keras", "keras", kept, shapes)})
    wid = new_workspace_id()
    source.create(ws, wid)
    source.add_file(wid, ws.current_id, kept.parent)  # as the Design page keeps it
    archive = tmp_path / "ws.zip"
    export_workspace(source, wid, archive)

    target = open_store(f"sqlite:///{tmp_path / 'b.db'}")
    new_wid = import_workspace(target, archive, tmp_path / "server2")
    moved = target.load(new_wid)
    assert moved.current_id != ws.current_id  # designs get new ids ...
    (record,) = moved.settings[MODEL_FILES].values()
    assert list(moved.settings[MODEL_FILES]) == [moved.current_id]  # ... and the record follows
    assert record["path"].startswith(str(tmp_path / "server2")) and record["path"].endswith("mine.keras")
    with open(record["path"], "rb") as handle:
        assert handle.read() == b"keras zip" * 10
    assert [owner for _, owner, _ in target.files_of(new_wid)] == [moved.current_id]  # deleted with its design
    lent = file_weights(moved.design, record, [path for path, _, _ in target.files_of(new_wid)])
    assert lent.source is not None and lent.source.path == record["path"] and lent.plan.unchanged


def test_an_archive_cannot_point_at_a_file_it_does_not_carry(tmp_path):
    """A crafted workspace.json naming another workspace's kept model (or any file on the
    server) gets no path: only files inside the archive are ever used."""
    from lightdesign.importers.weights import MODEL_FILES, file_weights

    elsewhere = tmp_path / "server" / "models" / "other" / "theirs.keras"
    elsewhere.parent.mkdir(parents=True)
    elsewhere.write_bytes(b"someone else's weights")
    ws = Workspace()
    manifest = {
        "format": "lightdesign-workspace",
        "version": 1,
        "current": "d1",
        "settings": {
            MODEL_FILES: {
                "d1": {
                    "file": "x.keras",
                    "format": "keras",
                    "path": str(elsewhere),
                    "weights": {"conv1": [[288], [32]]},
                }
            }
        },
        "designs": [
            {
                "id": "d1",
                "design": ws.design.to_dict(),
                "runs": [{"id": "r1", "state": "finished", "model_path": str(elsewhere)}],
                "exports": [{"id": "e1", "result": {"files": [{"path": "C:\\\\secret.tflite"}]}}],
            }
        ],
        "files": [],
    }
    crafted = tmp_path / "crafted.zip"
    with zipfile.ZipFile(crafted, "w") as z:
        z.writestr("workspace.json", json.dumps(manifest))
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    moved = store.load(import_workspace(store, crafted, tmp_path / "server"))
    (record,) = moved.settings[MODEL_FILES].values()
    assert record["path"] is None and file_weights(moved.design, record, [elsewhere.parent]).reason == "missing"
    (run,) = moved.runs[moved.current]
    assert run["model_path"] is None
    assert moved.entry.exports[0]["result"]["files"][0]["path"] is None


def test_bad_archives_are_refused_by_name(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    not_zip = tmp_path / "x.zip"
    not_zip.write_text("hello")
    with pytest.raises(StoreError, match="is not a workspace archive"):
        import_workspace(store, not_zip, tmp_path)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("workspace.json", json.dumps({"format": "something else"}))
    with pytest.raises(StoreError, match="is not a LightDesign workspace archive"):
        import_workspace(store, other, tmp_path)
    escape = tmp_path / "escape.zip"
    with zipfile.ZipFile(escape, "w") as z:
        manifest = {
            "format": "lightdesign-workspace",
            "version": 1,
            "designs": [],
            "files": [{"path": "/x", "owner": "r", "name": "files/../../evil"}],
        }
        z.writestr("workspace.json", json.dumps(manifest))
    with pytest.raises(StoreError, match="is not under files/"):
        import_workspace(store, escape, tmp_path)
    with pytest.raises(StoreError, match="there is no workspace"):
        from lightdesign.store.archive import export_workspace as export

        export(store, new_workspace_id(), tmp_path / "none.zip")


def test_cli_moves_a_workspace_between_two_servers(tmp_path, monkeypatch, capsys):
    from lightdesign.cli.commands import main

    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path / "server1"))
    ws = Workspace()
    ws.apply(lambda d: edits.set_param(d, d.blocks[0].id, "filters", 8))
    wid = new_workspace_id()
    open_store().create(ws, wid)
    archive = tmp_path / "moved.zip"
    assert main(["workspace", "export", wid, "-o", str(archive)]) == 0
    assert "1 designs" in capsys.readouterr().out
    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path / "server2"))
    assert main(["workspace", "import", str(archive)]) == 0
    new_wid = capsys.readouterr().out.split("?w=")[1].strip()
    assert open_store().load(new_wid).design.blocks[0].params["filters"] == 8
    assert main(["workspace", "export", "not-an-id"]) == 1
    assert "is not a workspace id" in capsys.readouterr().err
