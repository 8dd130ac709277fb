"""Moving a whole workspace between servers: one zip with its designs (and their edit
history), runs, export results, settings and the files those records own.

Import reads the zip as data only (JSON and plain files) and creates a new workspace with a
new id. Everything is checked before anything is written: the members' sizes against the
zip-bomb ratio, the workspace's and the server's disk budgets and the free disk; the designs,
their undo and redo steps and the settings against the limits the app's own edits keep. The
files land in the workspace's own folder (``workspaces/<id>`` in the work folder); file paths
in the records are rewritten to where they landed, and a path the archive does not carry is
dropped. Settings keyed by design id (an imported model file kept with its design) follow
the designs to their new ids. A failed import leaves nothing behind, and its message names
no path of this server.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from lightdesign.core.design import DesignError, from_dict
from lightdesign.core.format import size
from lightdesign.core.workspace import MAX_DESIGNS, MAX_SETTING_KEY, Entry, Workspace, check_history, new_id
from lightdesign.data.free_space import DiskFull, check_free
from lightdesign.data.uploads import MAX_COMPRESSION_RATIO
from lightdesign.importers.weights import MODEL_FILES, checked_record
from lightdesign.store import Store, StoreError, disk, new_workspace_id

FORMAT = "lightdesign-workspace"
VERSION = 1
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_BYTES = 4 * 1024**3
RATIO_FLOOR = 2**20  # members below this size are not held to the ratio (tiny files compress well)
PATH_KEYS = ("path", "work_dir")  # record keys holding a file path (and any key ending in _path)


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
    """Create a new workspace from an exported zip; returns its id. StoreError names what is
    wrong (and nothing is left behind)."""
    name = source.name
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise StoreError(f"{name} is not a workspace archive ({getattr(exc, 'strerror', None) or exc})") from None
    with archive:
        _check_members(archive, name)
        manifest = _manifest(archive, name)
        workspace_id = new_workspace_id()
        folder = work_dir / "workspaces" / workspace_id
        unpacked = _plan_files(archive, manifest, folder, name)
        _check_room(store, sum(f.bytes for f in unpacked), work_dir, name)
        moved = {f.old: (str(f.target), f.owner) for f in unpacked}
        owners: dict[str, str] = {}
        ws = _workspace(manifest, moved, owners, name)
        try:
            for item in unpacked:
                _unpack(archive, item, name)
            store.create(ws, workspace_id, [(f.target, owners.get(f.owner, f.owner)) for f in unpacked])
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    return workspace_id


def _check_members(archive: zipfile.ZipFile, name: str) -> None:
    """The zip's declared sizes, before anything is read: a total cap, and the bomb ratio for
    each file and for the files together (many small members that each pass); workspace.json,
    text that packs well, has a cap of its own."""
    total = packed = unpacked = 0
    for info in archive.infolist():
        total += info.file_size
        if not info.filename.startswith("files/"):
            continue
        packed, unpacked = packed + info.compress_size, unpacked + info.file_size
        if _bomb(info.file_size, info.compress_size):
            raise StoreError(
                f"{name}: {info.filename!r:.120} unpacks to {info.file_size:,} bytes from {info.compress_size:,} "
                f"(more than {MAX_COMPRESSION_RATIO}x); this looks like a zip bomb and is refused"
            )
    if _bomb(unpacked, packed):
        raise StoreError(
            f"{name}: its files unpack to {unpacked:,} bytes from {packed:,} (more than {MAX_COMPRESSION_RATIO}x); "
            "this looks like a zip bomb and is refused"
        )
    if total > MAX_ARCHIVE_BYTES:
        raise StoreError(f"{name} unpacks to {total:,} bytes; at most {MAX_ARCHIVE_BYTES:,} are accepted")


def _bomb(unpacked: int, packed: int) -> bool:
    return unpacked > RATIO_FLOOR and unpacked > MAX_COMPRESSION_RATIO * max(packed, 1)


def _manifest(archive: zipfile.ZipFile, name: str) -> dict:
    try:
        info = archive.getinfo("workspace.json")
    except KeyError:
        raise StoreError(f"{name} has no workspace.json; it was not written by 'workspace export'") from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise StoreError(f"{name}: workspace.json is larger than {MAX_MANIFEST_BYTES:,} bytes")
    try:
        manifest = json.loads(archive.read(info))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise StoreError(f"{name}: workspace.json is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise StoreError(f"{name} is not a LightDesign workspace archive")
    if manifest.get("version") != VERSION:
        raise StoreError(f"{name} has archive version {manifest.get('version')!r}; this LightDesign reads {VERSION}")
    return manifest


@dataclass(frozen=True)
class _Unpacked:
    """One file (or job folder) of the archive and where it lands."""

    old: str  # its path on the server it was exported from, as the records name it
    owner: str  # the record (or design) that owns it, by its old id
    target: Path  # where it lands in the new workspace's folder
    members: tuple[tuple[str, PurePosixPath], ...]  # (zip member, path below target)
    bytes: int


def _plan_files(archive: zipfile.ZipFile, manifest: dict, folder: Path, name: str) -> list[_Unpacked]:
    """Where each listed file lands, checked before anything is written."""
    items = manifest.get("files", [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise StoreError(f"{name}: workspace.json's files must be a list of objects")
    infos = {info.filename: info for info in archive.infolist()}
    planned: list[_Unpacked] = []
    taken: set[str] = set()
    for item in items:
        entry = PurePosixPath(str(item.get("name", "")))
        if entry.parts[:1] != ("files",) or ".." in entry.parts or len(entry.parts) != 2:
            raise StoreError(f"{name}: file entry {str(entry)!r:.120} is not under files/")
        if entry.parts[1] in taken:
            raise StoreError(f"{name}: file entry {str(entry)!r:.120} is listed twice")
        taken.add(entry.parts[1])
        inside = [m for m in infos if m.startswith(f"{entry}/") and not m.endswith("/")]
        if str(entry) not in infos and not inside:
            raise StoreError(f"{name}: {entry} is listed but missing")
        members = []
        for member in inside or [str(entry)]:
            relative = PurePosixPath(member).relative_to(entry) if inside else PurePosixPath()
            if ".." in relative.parts:
                raise StoreError(f"{name}: {member!r:.120} leaves its folder")
            members.append((member, relative))
        target = folder / entry.parts[1]
        total = sum(infos[member].file_size for member, _ in members)
        planned.append(_Unpacked(str(item.get("path", "")), str(item.get("owner", "")), target, tuple(members), total))
    return planned


def _check_room(store: Store, need: int, work_dir: Path, name: str) -> None:
    """The archive's files against the workspace's and the server's disk budgets and the free disk."""
    per_workspace, per_server = disk.workspace_budget(), disk.server_budget()
    if need > per_workspace:
        raise StoreError(
            f"{name} holds {size(need)} of files; a workspace may keep {size(per_workspace)} "
            f"({disk.WORKSPACE_BUDGET_ENV} changes the budget)"
        )
    used = sum(nbytes for *_, nbytes in store.files_by_age())
    if used + need > per_server:
        raise StoreError(
            f"{name} holds {size(need)} of files and the server keeps {size(used)} of its {size(per_server)} "
            f"already ({disk.SERVER_BUDGET_ENV} changes the budget)"
        )
    try:
        check_free(work_dir, need, f"the files of {name}")
    except DiskFull as exc:
        raise StoreError(str(exc)) from None
    except OSError as exc:
        raise StoreError(f"the work folder cannot be used ({exc.strerror or type(exc).__name__})") from None


def _unpack(archive: zipfile.ZipFile, item: _Unpacked, name: str) -> None:
    for member, relative in item.members:
        destination = item.target.joinpath(*relative.parts)
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, open(destination, "xb") as dst:
                shutil.copyfileobj(src, dst)
        except OSError as exc:  # the message of an OSError names the server's path: say it without
            raise StoreError(f"{name}: {member!r:.120} cannot be unpacked ({exc.strerror or exc})") from None
        except zipfile.BadZipFile as exc:
            raise StoreError(f"{name}: {member!r:.120} is damaged ({exc})") from None


def _moved_to(value: str, moved: dict[str, tuple[str, str]]) -> str | None:
    """Where a path the archive carries landed (a file, or a file inside a moved folder)."""
    if value in moved:
        return moved[value][0]
    for old, (new, _) in moved.items():
        if old and value.startswith(old.rstrip("/") + "/"):
            return new + value[len(old.rstrip("/")) :]
    return None


def _is_path_key(key: object) -> bool:
    return isinstance(key, str) and (key in PATH_KEYS or key.endswith("_path"))


def _rewrite(value, moved: dict[str, tuple[str, str]], path: bool = False):
    """The record with every file path that was moved replaced by its new path, every value
    of a path key (``path``, ``model_path``, ``work_dir``, ...) that was not moved dropped
    (None), relative ones included, and any other absolute path dropped: an archive may only
    point at the files it carries, never at a file already on this server (another
    workspace's model, say)."""
    if isinstance(value, str):
        landed = _moved_to(value, moved)
        if landed is not None:
            return landed
        return None if path or PurePosixPath(value).is_absolute() or PureWindowsPath(value).drive else value
    if isinstance(value, list):
        return [_rewrite(v, moved, path) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite(v, moved, _is_path_key(k)) for k, v in value.items()}
    return value


def _rekeyed(value, ids: dict[str, str]):
    """``value`` with every dict key that is an old design id renamed to the design's new id
    (design ids are random, so no other key collides with one)."""
    if isinstance(value, list):
        return [_rekeyed(v, ids) for v in value]
    if isinstance(value, dict):
        return {ids.get(k, k): _rekeyed(v, ids) for k, v in value.items()}
    return value


def _renumbered(records: object, moved: dict[str, tuple[str, str]], owners: dict[str, str]) -> list[dict]:
    """Records with new ids (ids are unique per database) and moved file paths."""
    if not isinstance(records, list):
        raise TypeError("the runs and exports of a design must be lists")
    out = []
    for record in records:
        if not isinstance(record, dict):
            raise TypeError("a run or export record is not an object")
        record = _rewrite(record, moved)
        old = str(record.get("id", ""))
        record["id"] = owners.setdefault(old, new_id()) if old else new_id()
        out.append(record)
    return out


def _workspace(manifest: dict, moved: dict[str, tuple[str, str]], owners: dict[str, str], name: str) -> Workspace:
    """The workspace the manifest describes, kept to the limits the app's own edits keep."""
    from lightdesign.store.store import _empty_workspace

    items = manifest.get("designs", [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise StoreError(f"{name}: workspace.json's designs must be a list of objects")
    if not items:
        raise StoreError(f"{name} holds no designs")
    if len(items) > MAX_DESIGNS:
        raise StoreError(f"{name} holds {len(items)} designs; a workspace holds at most {MAX_DESIGNS}")
    ws = _empty_workspace()
    current = manifest.get("current")
    for position, item in enumerate(items, 1):
        try:
            design = from_dict(item["design"])
            ws.add(design, switch=False)  # the app's own checks: limits, a unique name
            entry: Entry = list(ws.entries.values())[-1]
            entry.undo = check_history(item.get("undo", []), "undo")
            entry.redo = check_history(item.get("redo", []), "redo")
            entry.runs = _renumbered(item.get("runs", []), moved, owners)
            entry.exports = _renumbered(item.get("exports", []), moved, owners)
        except (DesignError, KeyError, TypeError) as exc:
            raise StoreError(f"{name}: design {position} cannot be read ({exc})") from None
        if item.get("id"):
            owners[str(item["id"])] = entry.id  # files a design owns follow it
        if item.get("id") == current:
            current = entry.id
    ws.current_id = current if current in ws.entries else next(iter(ws.entries))
    ws.journal.clear()
    designs = {old: new for old, new in owners.items() if new in ws.entries}
    ws.settings = _settings(manifest.get("settings", {}), moved, designs, name)
    return ws


def _settings(settings: object, moved: dict[str, tuple[str, str]], designs: dict[str, str], name: str) -> dict:
    """The archive's settings with moved paths and designs' new ids; an imported model
    file's record is kept only for a design of the archive, and only in the form the app writes."""
    if not isinstance(settings, dict):
        raise StoreError(f"{name}: workspace.json's settings must be an object")
    for key in settings:
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_SETTING_KEY:
            raise StoreError(f"{name}: a setting's name must be 1 to {MAX_SETTING_KEY} characters, not {key!r:.80}")
    out = _rekeyed(_rewrite(settings, moved), designs)
    if MODEL_FILES in out:
        records = out[MODEL_FILES] if isinstance(out[MODEL_FILES], dict) else {}
        out[MODEL_FILES] = {
            design_id: checked
            for design_id, record in records.items()
            if design_id in designs.values() and (checked := checked_record(record)) is not None
        }
    return out
