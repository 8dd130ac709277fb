"""Moving a whole workspace between servers: one zip with its designs (and their edit
history), runs, export results, settings and the files those records own.

Import reads the zip as data only (JSON and plain files, sizes checked) and creates a new
workspace with a new id; file paths inside the records are rewritten to where the files
land in this server's work folder, and settings keyed by design id (an imported model file
kept with its design) follow the designs to their new ids.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath

from lightdesign.core.design import DesignError, from_dict
from lightdesign.core.workspace import Entry, Workspace, new_id
from lightdesign.store import Store, StoreError, new_workspace_id

FORMAT = "lightdesign-workspace"
VERSION = 1
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_BYTES = 4 * 1024**3


def export_workspace(store: Store, workspace_id: str, target: Path) -> dict[str, int]:
    """Write the workspace to ``target`` (a .zip); returns counts of what went in."""
    ws = store.load(workspace_id)
    if ws is None:
        raise StoreError(f"there is no workspace {workspace_id!r} in {store.where}")
    files = [(path, owner) for path, owner, _ in store.files_of(workspace_id) if Path(path).exists()]
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "settings": ws.settings,
        "current": ws.current_id,
        "designs": [
            {
                "id": e.id,
                "design": e.design.to_dict(),
                "undo": e.undo,
                "redo": e.redo,
                "runs": e.runs,
                "exports": e.exports,
            }
            for e in ws.entries.values()
        ],
        "files": [
            {"path": path, "owner": owner, "name": f"files/{i}_{Path(path).name}"}
            for i, (path, owner) in enumerate(files)
        ],
    }
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("workspace.json", json.dumps(manifest))
        for item in manifest["files"]:
            source = Path(item["path"])
            if source.is_dir():  # a job's folder: every file in it
                for inner in sorted(p for p in source.rglob("*") if p.is_file()):
                    archive.write(inner, f"{item['name']}/{inner.relative_to(source).as_posix()}")
            else:
                archive.write(source, item["name"])
    return {
        "designs": len(ws.entries),
        "runs": sum(len(e.runs) for e in ws.entries.values()),
        "exports": sum(len(e.exports) for e in ws.entries.values()),
        "files": len(files),
    }


def import_workspace(store: Store, source: Path, work_dir: Path) -> str:
    """Create a new workspace from an exported zip; returns its id."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise StoreError(f"{source} is not a workspace archive ({exc})") from None
    with archive:
        manifest = _manifest(archive, source)
        workspace_id = new_workspace_id()
        folder = work_dir / "workspaces" / workspace_id
        moved = _unpack_files(archive, manifest, folder, source)
        owners: dict[str, str] = {}
        try:
            ws = _workspace(manifest, moved, owners, source)
            store.create(ws, workspace_id)
            for new_path, owner in moved.values():
                store.add_file(workspace_id, owners.get(owner, owner), Path(new_path))
        except Exception:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    return workspace_id


def _manifest(archive: zipfile.ZipFile, source: Path) -> dict:
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_ARCHIVE_BYTES:
        raise StoreError(f"{source} unpacks to {total:,} bytes; at most {MAX_ARCHIVE_BYTES:,} are accepted")
    try:
        info = archive.getinfo("workspace.json")
    except KeyError:
        raise StoreError(f"{source} has no workspace.json; it was not written by 'workspace export'") from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise StoreError(f"{source}: workspace.json is larger than {MAX_MANIFEST_BYTES:,} bytes")
    try:
        manifest = json.loads(archive.read(info))
    except (ValueError, UnicodeDecodeError) as exc:
        raise StoreError(f"{source}: workspace.json is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise StoreError(f"{source} is not a LightDesign workspace archive")
    if manifest.get("version") != VERSION:
        raise StoreError(f"{source} has archive version {manifest.get('version')!r}; this LightDesign reads {VERSION}")
    return manifest


def _unpack_files(archive: zipfile.ZipFile, manifest: dict, folder: Path, source: Path) -> dict[str, tuple[str, str]]:
    """old path -> (new path, owner id); a folder's files come back into a folder."""
    moved: dict[str, tuple[str, str]] = {}
    members = archive.namelist()
    for item in manifest.get("files", []):
        name = PurePosixPath(str(item.get("name", "")))
        if name.parts[:1] != ("files",) or ".." in name.parts or len(name.parts) != 2:
            raise StoreError(f"{source}: file entry {str(name)!r} is not under files/")
        target = folder / name.parts[1]
        inside = [m for m in members if m.startswith(f"{name}/")]
        if str(name) not in members and not inside:
            raise StoreError(f"{source}: {name} is listed but missing")
        for member in inside or [str(name)]:
            relative = PurePosixPath(member).relative_to(name) if inside else PurePosixPath()
            if ".." in relative.parts:
                raise StoreError(f"{source}: {member!r} leaves its folder")
            destination = target.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, open(destination, "wb") as dst:
                shutil.copyfileobj(src, dst)
        moved[str(item["path"])] = (str(target), str(item.get("owner", "")))
    return moved


def _rewrite(value, moved: dict[str, tuple[str, str]]):
    """The record with every file path that was moved replaced by its new path, and every
    other absolute path dropped (None): an archive may only point at the files it carries,
    never at a file already on this server (another workspace's model, say)."""
    if isinstance(value, str):
        if value in moved:
            return moved[value][0]
        for old, (new, _) in moved.items():  # a file inside a moved folder
            if value.startswith(old.rstrip("/") + "/"):
                return new + value[len(old.rstrip("/")) :]
        return None if PurePosixPath(value).is_absolute() or PureWindowsPath(value).drive else value
    if isinstance(value, list):
        return [_rewrite(v, moved) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite(v, moved) for k, v in value.items()}
    return value


def _rekeyed(value, ids: dict[str, str]):
    """``value`` with every dict key that is an old design id renamed to the design's new id
    (design ids are random, so no other key collides with one)."""
    if isinstance(value, list):
        return [_rekeyed(v, ids) for v in value]
    if isinstance(value, dict):
        return {ids.get(k, k): _rekeyed(v, ids) for k, v in value.items()}
    return value


def _renumbered(records: list, moved: dict[str, tuple[str, str]], owners: dict[str, str]) -> list[dict]:
    """Records with new ids (ids are unique per database) and moved file paths."""
    out = []
    for record in records:
        if not isinstance(record, dict):
            raise TypeError("a run or export record is not an object")
        record = _rewrite(record, moved)
        old = str(record.get("id", ""))
        record["id"] = owners.setdefault(old, new_id()) if old else new_id()
        out.append(record)
    return out


def _workspace(manifest: dict, moved: dict[str, tuple[str, str]], owners: dict[str, str], source: Path) -> Workspace:
    from lightdesign.store.store import _empty_workspace

    ws = _empty_workspace()
    current = manifest.get("current")
    for item in manifest.get("designs", []):
        try:
            design = from_dict(item["design"])
            entry = Entry(
                new_id(),
                design,
                undo=[str(s) for s in item.get("undo", [])],
                redo=[str(s) for s in item.get("redo", [])],
                runs=_renumbered(item.get("runs", []), moved, owners),
                exports=_renumbered(item.get("exports", []), moved, owners),
            )
        except (DesignError, KeyError, TypeError) as exc:
            raise StoreError(f"{source}: a design cannot be read ({exc})") from None
        ws.entries[entry.id] = entry
        if item.get("id"):
            owners[str(item["id"])] = entry.id  # files a design owns follow it
        if item.get("id") == current:
            current = entry.id
    if not ws.entries:
        raise StoreError(f"{source} holds no designs")
    ws.current_id = current if current in ws.entries else next(iter(ws.entries))
    settings = manifest.get("settings", {})
    designs = {old: new for old, new in owners.items() if new in ws.entries}
    ws.settings = _rekeyed(_rewrite(settings, moved), designs) if isinstance(settings, dict) else {}
    return ws
