"""Moving a workspace between servers: export to a zip, import into another database."""

import json
import os
import re
import time
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


def test_new_workspace_ids_never_start_with_a_dash(monkeypatch):
    import secrets

    from lightdesign import store

    drawn = iter(["-dashFirstAAAAAAAAAAAAA", "okFirstAAAAAAAAAAAAAAAA"])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: next(drawn))
    assert store.new_workspace_id() == "okFirstAAAAAAAAAAAAAAAA"


def test_cli_exports_an_older_id_that_starts_with_a_dash_after_a_double_dash(tmp_path, monkeypatch, capsys):
    from lightdesign.cli.commands import main

    monkeypatch.setenv("LIGHTDESIGN_WORK_DIR", str(tmp_path))
    wid = "-" + new_workspace_id()[1:]
    open_store().create(Workspace(), wid)
    archive = tmp_path / "dash.zip"
    assert main(["workspace", "export", "-o", str(archive), "--", wid]) == 0
    assert "1 designs" in capsys.readouterr().out
    assert archive.is_file()


def manifest_of(designs, settings=None, files=()):
    """A workspace.json as 'workspace export' writes it."""
    return {
        "format": "lightdesign-workspace",
        "version": 1,
        "current": designs[0]["id"] if designs else "",
        "settings": settings or {},
        "designs": designs,
        "files": list(files),
    }


def design_item(design_id="d1", undo=(), runs=(), design=None):
    return {
        "id": design_id,
        "design": (design or Workspace().design).to_dict(),
        "undo": list(undo),
        "redo": [],
        "runs": list(runs),
        "exports": [],
    }


def write_zip(path, manifest, members=(), compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as z:
        z.writestr("workspace.json", json.dumps(manifest))
        for name, data in members:
            z.writestr(name, data)
    return path


def left_behind(work_dir):
    folder = work_dir / "workspaces"
    return sorted(str(p.relative_to(work_dir)) for p in folder.rglob("*")) if folder.exists() else []


def test_relative_paths_in_an_archive_point_at_nothing(tmp_path):
    """A path the archive does not carry is dropped whatever its form: '../other/…' or
    '../../../../etc/passwd' would otherwise be read against the server's current folder."""
    from lightdesign.importers.weights import MODEL_FILES

    record = {"file": "base.keras", "format": "keras", "path": "../other/models/abc/base.keras", "weights": {}}
    runs = [{"id": "r1", "state": "finished", "model_path": "../../../../etc/passwd", "work_dir": "jobs/x"}]
    crafted = write_zip(tmp_path / "x.zip", manifest_of([design_item(runs=runs)], {MODEL_FILES: {"d1": record}}))
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    moved = store.load(import_workspace(store, crafted, tmp_path / "server"))
    (kept,) = moved.settings[MODEL_FILES].values()
    assert kept["path"] is None
    (run,) = moved.entry.runs
    assert run["model_path"] is None and run["work_dir"] is None


@pytest.mark.parametrize("members", [1, 200])
def test_a_zip_bomb_is_refused_before_anything_is_written(tmp_path, members):
    """One member of 200 MB of zeros (about 200 KB packed), or a job folder of 200 members of
    1 MB each: each of those passes alone, together they unpack more than 100-fold."""
    bomb = tmp_path / "bomb.zip"
    manifest = manifest_of([design_item()], files=[{"path": "/srv/jobs/1", "owner": "r1", "name": "files/0_1"}])
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("workspace.json", json.dumps(manifest))
        for i in range(members):
            with z.open(f"files/0_1/part{i}", "w") as member:
                member.write(bytes(200 * 2**20 // members))
    assert bomb.stat().st_size < 2**20
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    started = time.perf_counter()
    with pytest.raises(StoreError, match="looks like a zip bomb"):
        import_workspace(store, bomb, tmp_path / "server")
    assert time.perf_counter() - started < 5
    assert left_behind(tmp_path / "server") == []


def test_an_archive_over_the_workspace_disk_budget_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("LIGHTDESIGN_WORKSPACE_DISK_MB", "1")
    data = os.urandom(2 * 2**20)  # incompressible: no bomb, just too much
    crafted = write_zip(
        tmp_path / "big.zip",
        manifest_of(
            [design_item()], files=[{"path": "/srv/m/model.keras", "owner": "r1", "name": "files/0_model.keras"}]
        ),
        [("files/0_model.keras", data)],
    )
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(StoreError, match=r"holds 2\.00 MB of files; a workspace may keep 1\.00 MB"):
        import_workspace(store, crafted, tmp_path / "server")
    assert left_behind(tmp_path / "server") == []


@pytest.mark.parametrize(
    ("designs", "refusal"),
    [
        ([design_item(f"d{i}") for i in range(25)], "holds 25 designs; a workspace holds at most 24"),
        ([design_item(undo=[Workspace().design.to_json(indent=None)] * 1001)], "1,001 steps; at most 1,000"),
        ([design_item(undo=["hello"])], "undo history is not a valid design"),
        ([design_item(undo=[json.dumps({"x": 1})])], "undo history is not a valid design"),
        ([design_item(undo=[{"not": "text"}])], "undo history must be a list of designs' JSON texts"),
    ],
)
def test_an_archive_is_held_to_the_limits_of_the_apps_own_edits(tmp_path, designs, refusal):
    crafted = write_zip(tmp_path / "x.zip", manifest_of(designs))
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(StoreError, match=re.escape(refusal)):
        import_workspace(store, crafted, tmp_path / "server")
    assert left_behind(tmp_path / "server") == []


def test_duplicate_design_names_in_an_archive_get_unique_names(tmp_path):
    crafted = write_zip(tmp_path / "x.zip", manifest_of([design_item("d1"), design_item("d2")]))
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    assert store.load(import_workspace(store, crafted, tmp_path / "server")).names == ["seed_cnn", "seed_cnn (2)"]


@pytest.mark.parametrize("failure", ["file_then_folder", "damaged_member"])
def test_a_failed_import_leaves_nothing_behind_and_names_no_server_path(tmp_path, failure):
    work_dir = tmp_path / "server"
    files = [{"path": "/srv/a", "owner": "r1", "name": "files/a"}]
    members = [("files/a", b"first")]
    if failure == "file_then_folder":  # the same name as a file and as a folder
        files.append({"path": "/srv/b", "owner": "r1", "name": "files/a"})
        members.append(("files/a/inner", b"second"))
    else:  # the second member's bytes do not match its checksum
        files.append({"path": "/srv/b", "owner": "r1", "name": "files/b"})
        members.append(("files/b", b"S" * 100))
    crafted = write_zip(tmp_path / "x.zip", manifest_of([design_item()], files=files), members, zipfile.ZIP_STORED)
    if failure == "damaged_member":
        raw = crafted.read_bytes()
        crafted.write_bytes(raw.replace(b"S" * 100, b"S" * 99 + b"T"))
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(StoreError) as refused:
        import_workspace(store, crafted, work_dir)
    assert str(work_dir) not in str(refused.value) and str(tmp_path) not in str(refused.value)
    assert left_behind(work_dir) == []
    assert store.files_by_age() == []
