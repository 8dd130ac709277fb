"""The store: workspaces, design history, runs and exports in a SQL database, and the
latency measurements of this machine.

``Store.flush(ws)`` writes a workspace's journal of changes in one transaction, or
nothing: a design or a setting whose stored version moved on since this copy read it
(another tab wrote it) is refused with ``StaleWrite``, and the caller reloads. Settings are
written key by key: a tab writes only the settings it changed.

Messages name the database without credentials or server paths (``describe_url``): they
reach the people using the app.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from sqlalchemy import create_engine, delete, event, func, insert, inspect, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from lightdesign.core.design import DesignError, from_dict
from lightdesign.core.workspace import Entry, Workspace
from lightdesign.store import schema as S


class Versions(NamedTuple):
    """What a stored workspace is at: its row's version (the list of designs), each design's
    version and each setting's version."""

    workspace: int
    designs: dict[str, int]
    settings: dict[str, int]


class StoreError(Exception):
    """The database cannot be used; the message names the cause for people."""


class StaleWrite(StoreError):
    """Another copy of the workspace (another tab) wrote first."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across app crashes
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def describe_url(url: str) -> str:
    """The database for the people using the app: its kind and name, never a user, a password,
    a query option (``?password=``, ``?sslkey=``, ``?options=``, ...), a host or a server folder."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return (
            f"the SQLite database {Path(parsed.database).name}" if parsed.database else "an in-memory SQLite database"
        )
    return f"the {backend} database {parsed.database}" if parsed.database else f"the {backend} database"


SECRET_OPTIONS = ("pass", "key", "secret", "token", "cert", "file", "options", "service", "dsn")


def _secrets(url: str) -> list[str]:
    """What a message must never show: the password (as written and decoded), the value of
    every query option that may hold a credential or a path, and an SQLite database's folder."""
    parsed = make_url(url)
    found = [parsed.password, quote(parsed.password or "", safe="")] if parsed.password else []
    for key, values in parsed.query.items():
        if any(word in key.lower() for word in SECRET_OPTIONS):
            found += [values] if isinstance(values, str) else list(values)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        found.append(str(Path(parsed.database).resolve().parent))
        found.append(str(Path(parsed.database).parent))
    return sorted({s for s in found if s and s not in (".", "/")}, key=len, reverse=True)


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


class Store:
    def __init__(self, url: str):
        self.url = url
        try:
            parsed = make_url(url)
        except Exception:  # noqa: BLE001 - any malformed URL (its text, which may hold a password, is not repeated)
            raise StoreError(
                "LIGHTDESIGN_DATABASE_URL is not a database URL; give one like "
                "postgresql+psycopg://user@host/lightdesign or sqlite:////path/to/lightdesign.db"
            ) from None
        self.where = describe_url(url)
        self.secrets = _secrets(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        if self.sqlite and parsed.database:
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the work folder (LIGHTDESIGN_WORK_DIR): {exc.strerror}") from None
            if not os.access(folder, os.W_OK):
                raise StoreError("the work folder (LIGHTDESIGN_WORK_DIR) is read-only")
        try:
            self.engine: Engine = create_engine(url, pool_pre_ping=not self.sqlite)
        except Exception as exc:  # noqa: BLE001 - a missing driver or a bad option
            raise StoreError(f"cannot use {self.where}: {self.public(_reason(exc))}") from None
        if self.sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.migrate()

    def public(self, text: str) -> str:
        """``text`` (a driver's message, say) without the database's credentials or folder."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    # -- schema -----------------------------------------------------------------------
    def schema_version(self) -> int:
        with self._connect() as conn:
            return self._version(conn)

    def _version(self, conn) -> int:
        tables = set(inspect(conn).get_table_names())
        if S.meta.name not in tables:
            if tables:
                raise StoreError(
                    f"{self.where} holds tables of another application ({', '.join(sorted(tables)[:5])}); "
                    "point LIGHTDESIGN_DATABASE_URL or LIGHTDESIGN_WORK_DIR at an empty or LightDesign database"
                )
            return 0
        row = conn.execute(select(S.meta.c.value).where(S.meta.c.key == "schema_version")).first()
        return int(row[0]) if row else 0

    def migrate(self, target: int = S.LATEST) -> None:
        """Bring the database up to ``target`` (the latest schema by default)."""
        with self._connect() as conn:
            current = self._version(conn)
        if current > S.LATEST:
            raise StoreError(
                f"{self.where} was written by a newer LightDesign (schema {current}, this one knows {S.LATEST}); "
                "upgrade LightDesign"
            )
        for step in range(current, target):
            with self._begin() as conn:
                if step == 0:
                    S.meta.create(conn, checkfirst=True)
                S.MIGRATIONS[step](conn)
                self._set_meta(conn, "schema_version", str(step + 1))

    def _set_meta(self, conn, key: str, value: str) -> None:
        if conn.execute(update(S.meta).where(S.meta.c.key == key).values(value=value)).rowcount == 0:
            conn.execute(insert(S.meta).values(key=key, value=value))

    def get_meta(self, key: str) -> str | None:
        with self._connect() as conn:
            row = conn.execute(select(S.meta.c.value).where(S.meta.c.key == key)).first()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._begin() as conn:
            self._set_meta(conn, key, value)

    # -- connections with people-readable errors ------------------------------------------
    def _connect(self):
        return _Guard(self, self.engine.connect)

    def _begin(self):
        return _Guard(self, self.engine.begin)

    # -- workspaces ---------------------------------------------------------------------
    def create(self, ws: Workspace, workspace_id: str, files: list[tuple[Path, str]] = ()) -> None:
        """Keep a new workspace (all of it) under ``workspace_id``, with ``files`` (path,
        owner id) it owns already, in one transaction."""
        now = time.time()
        with self._begin() as conn:
            conn.execute(
                insert(S.workspaces).values(
                    id=workspace_id,
                    created=now,
                    touched=now,
                    current_design=ws.current_id,
                    settings="{}",
                    version=1,
                )
            )
            for key, value in ws.settings.items():
                conn.execute(
                    insert(S.settings).values(workspace_id=workspace_id, key=key, value=json.dumps(value), version=1)
                )
            for position, entry in enumerate(ws.entries.values()):
                self._insert_entry(conn, workspace_id, entry, position, now)
            for path, owner in files:
                self._insert_file(conn, workspace_id, owner, path)
        ws.id = workspace_id
        ws.stored_version = 1
        ws.setting_versions = dict.fromkeys(ws.settings, 1)
        for entry in ws.entries.values():
            entry.version = 1
        ws.journal.clear()

    def _insert_entry(self, conn, workspace_id: str, entry: Entry, position: int, now: float) -> None:
        conn.execute(
            insert(S.designs).values(
                id=entry.id,
                workspace_id=workspace_id,
                position=position,
                name=entry.design.name,
                body=entry.design.to_json(indent=None),
                version=1,
                updated=now,
            )
        )
        for stack in ("undo", "redo"):
            rows = [
                {"design_id": entry.id, "stack": stack, "seq": i, "body": b}
                for i, b in enumerate(getattr(entry, stack))
            ]
            if rows:
                conn.execute(insert(S.history), rows)
        for table, records in ((S.runs, entry.runs), (S.exports, entry.exports)):
            for seq, record in enumerate(records):
                conn.execute(insert(table).values(**self._record_row(workspace_id, entry.id, record, seq, now)))

    @staticmethod
    def _record_row(workspace_id: str, design_id: str, record: dict, seq: int, now: float) -> dict:
        return {
            "id": record["id"],
            "workspace_id": workspace_id,
            "design_id": design_id,
            "seq": seq,
            "created": now,
            "body": json.dumps(record),
        }

    def exists(self, workspace_id: str) -> bool:
        with self._connect() as conn:
            return conn.execute(select(S.workspaces.c.id).where(S.workspaces.c.id == workspace_id)).first() is not None

    def load(self, workspace_id: str) -> Workspace | None:
        """The workspace as stored, or None when there is none with this id."""
        with self._connect() as conn:
            row = conn.execute(select(S.workspaces).where(S.workspaces.c.id == workspace_id)).first()
            if row is None:
                return None
            design_rows = conn.execute(
                select(S.designs).where(S.designs.c.workspace_id == workspace_id).order_by(S.designs.c.position)
            ).all()
            ids = [d.id for d in design_rows]
            stacks = conn.execute(
                select(S.history.c.design_id, S.history.c.stack, S.history.c.body)
                .where(S.history.c.design_id.in_(ids))
                .order_by(S.history.c.design_id, S.history.c.stack, S.history.c.seq)
            ).all()
            records = {
                name: conn.execute(
                    select(table.c.design_id, table.c.body)
                    .where(table.c.workspace_id == workspace_id)
                    .order_by(table.c.design_id, table.c.seq)
                ).all()
                for name, table in (("runs", S.runs), ("exports", S.exports))
            }
            settings = conn.execute(
                select(S.settings.c.key, S.settings.c.value, S.settings.c.version)
                .where(S.settings.c.workspace_id == workspace_id)
                .order_by(S.settings.c.key)
            ).all()
        ws = _empty_workspace()
        for d in design_rows:
            try:
                design = from_dict(json.loads(d.body))
            except (DesignError, ValueError) as exc:
                raise StoreError(f"design {d.name!r} in {self.where} cannot be read: {exc}") from None
            design.name = d.name
            ws.entries[d.id] = Entry(d.id, design, version=d.version)
        for design_id, stack, body in stacks:
            if design_id in ws.entries:
                getattr(ws.entries[design_id], stack).append(body)
        for name, rows in records.items():
            for design_id, body in rows:
                if design_id in ws.entries:
                    getattr(ws.entries[design_id], name).append(json.loads(body))
        if not ws.entries:
            raise StoreError(f"workspace {workspace_id[:6]}… in {self.where} has no designs")
        ws.id = workspace_id
        ws.current_id = row.current_design if row.current_design in ws.entries else next(iter(ws.entries))
        ws.settings = {key: json.loads(value) for key, value, _ in settings}
        ws.setting_versions = {key: version for key, _, version in settings}
        ws.stored_version = row.version
        return ws

    def versions(self, workspace_id: str) -> Versions | None:
        """The stored versions of the workspace row, of every design and of every setting (a
        cheap freshness check)."""
        with self._connect() as conn:
            row = conn.execute(select(S.workspaces.c.version).where(S.workspaces.c.id == workspace_id)).first()
            if row is None:
                return None
            designs = conn.execute(
                select(S.designs.c.id, S.designs.c.version).where(S.designs.c.workspace_id == workspace_id)
            ).all()
            settings = conn.execute(
                select(S.settings.c.key, S.settings.c.version).where(S.settings.c.workspace_id == workspace_id)
            ).all()
        return Versions(row[0], dict(designs), dict(settings))

    def design_names(self, workspace_ids: list[str]) -> dict[str, list[str]]:
        """The design names of each of these workspaces that exists (for 'Recent workspaces')."""
        with self._connect() as conn:
            rows = conn.execute(
                select(S.designs.c.workspace_id, S.designs.c.name)
                .where(S.designs.c.workspace_id.in_(workspace_ids))
                .order_by(S.designs.c.workspace_id, S.designs.c.position)
            ).all()
        names: dict[str, list[str]] = {}
        for workspace_id, name in rows:
            names.setdefault(workspace_id, []).append(name)
        return names

    # -- writing changes --------------------------------------------------------------------
    def flush(self, ws: Workspace) -> None:
        """Write the workspace's journal in one transaction; StaleWrite when another copy
        wrote first (nothing is written then), StoreError when the database fails."""
        if ws.id is None:
            raise StoreError("this workspace was never created in the store")
        if not ws.journal:
            return
        now = time.time()
        journal = list(ws.journal)
        structural = any(op[0] in ("add", "rename", "delete") for op in journal)
        written = {op[1] for op in journal if op[0] in ("design", "rename")}
        added = {op[1] for op in journal if op[0] == "add"}
        deleted = {op[1] for op in journal if op[0] == "delete"}
        settings = sorted({op[1] for op in journal if op[0] == "setting"})
        with self._begin() as conn:
            # The workspace row first: the transaction holds it (SQLite's write lock, PostgreSQL's
            # row lock) before it reads the versions it compares.
            self._write_workspace_row(conn, ws, now, any(op[0] == "workspace" for op in journal))
            if structural:
                self._bump(conn, S.workspaces, ws.id, ws.stored_version, "the list of designs")
            for design_id in added - deleted:
                self._insert_entry_shell(conn, ws, design_id, now)
            for design_id in (written - added - deleted) & set(ws.entries):
                entry = ws.entries[design_id]
                self._bump(conn, S.designs, design_id, entry.version, f"design {entry.design.name!r}")
            for key in settings:
                self._write_setting(conn, ws, key)
            for op in journal:
                self._apply(conn, ws, op, now)
            for design_id in deleted - added:
                conn.execute(delete(S.designs).where(S.designs.c.id == design_id))
            self._write_bodies(conn, ws, (written | added) - deleted, now)
        if structural:
            ws.stored_version += 1
        for key in settings:
            ws.setting_versions[key] = ws.setting_versions.get(key, 0) + 1
        for design_id in (written - added - deleted) & set(ws.entries):
            ws.entries[design_id].version += 1
        for design_id in (added - deleted) & set(ws.entries):
            ws.entries[design_id].version = 1
        del ws.journal[: len(journal)]

    def _write_setting(self, conn, ws: Workspace, key: str) -> None:
        """Write one setting this copy changed, if no other copy wrote it since this one read it."""
        expected = ws.setting_versions.get(key, 0)
        mine = (S.settings.c.workspace_id == ws.id, S.settings.c.key == key)
        value = json.dumps(ws.settings[key])
        if expected == 0:  # absent when this copy read the workspace
            if conn.execute(select(S.settings.c.version).where(*mine)).first() is not None:
                raise StaleWrite(f"setting {key!r} was changed in another tab")
            conn.execute(insert(S.settings).values(workspace_id=ws.id, key=key, value=value, version=1))
            return
        result = conn.execute(
            update(S.settings).where(*mine, S.settings.c.version == expected).values(value=value, version=expected + 1)
        )
        if result.rowcount == 0:
            raise StaleWrite(f"setting {key!r} was changed in another tab")

    def _bump(self, conn, table, row_id: str, expected: int, what: str) -> None:
        result = conn.execute(
            update(table).where(table.c.id == row_id, table.c.version == expected).values(version=expected + 1)
        )
        if result.rowcount == 0:
            raise StaleWrite(f"{what} was changed in another tab")

    def _insert_entry_shell(self, conn, ws: Workspace, design_id: str, now: float) -> None:
        entry = ws.entries.get(design_id)
        if entry is None:
            return
        conn.execute(
            insert(S.designs).values(
                id=design_id,
                workspace_id=ws.id,
                position=0,
                name=entry.design.name,
                body=entry.design.to_json(indent=None),
                version=1,
                updated=now,
            )
        )

    def _apply(self, conn, ws: Workspace, op: tuple, now: float) -> None:
        kind, *args = op
        if kind == "push":
            design_id, stack, body = args
            if design_id in ws.entries:
                top = conn.execute(
                    select(func.max(S.history.c.seq)).where(
                        S.history.c.design_id == design_id, S.history.c.stack == stack
                    )
                ).scalar()
                conn.execute(insert(S.history).values(design_id=design_id, stack=stack, seq=(top or 0) + 1, body=body))
        elif kind == "pop":
            design_id, stack = args
            where = (S.history.c.design_id == design_id, S.history.c.stack == stack)
            top = conn.execute(select(func.max(S.history.c.seq)).where(*where)).scalar()
            if top is not None:
                conn.execute(delete(S.history).where(*where, S.history.c.seq == top))
        elif kind == "clear":
            design_id, stack = args
            conn.execute(delete(S.history).where(S.history.c.design_id == design_id, S.history.c.stack == stack))
        elif kind == "drop_oldest":
            design_id, stack, count = args
            where = (S.history.c.design_id == design_id, S.history.c.stack == stack)
            oldest = conn.execute(select(S.history.c.seq).where(*where).order_by(S.history.c.seq).limit(count)).all()
            if oldest:
                conn.execute(delete(S.history).where(*where, S.history.c.seq <= oldest[-1][0]))
        elif kind in ("run", "export"):
            design_id, record = args
            if design_id in ws.entries:
                self._upsert_record(conn, S.runs if kind == "run" else S.exports, ws.id, design_id, record, now)

    def _upsert_record(self, conn, table, workspace_id: str, design_id: str, record: dict, now: float) -> None:
        body = json.dumps(record)
        mine = (table.c.id == record["id"], table.c.workspace_id == workspace_id)
        if conn.execute(update(table).where(*mine).values(body=body)).rowcount:
            return
        seq = conn.execute(select(func.count()).where(table.c.design_id == design_id)).scalar() or 0
        conn.execute(insert(table).values(**self._record_row(workspace_id, design_id, record, seq, now)))

    def _write_workspace_row(self, conn, ws: Workspace, now: float, switched: bool) -> None:
        """Touch the workspace (for retention), and keep its current design when this copy changed it."""
        values = {"touched": now, **({"current_design": ws.current_id} if switched else {})}
        conn.execute(update(S.workspaces).where(S.workspaces.c.id == ws.id).values(**values))

    def _write_bodies(self, conn, ws: Workspace, design_ids: set[str], now: float) -> None:
        positions = {design_id: i for i, design_id in enumerate(ws.entries)}
        for design_id in design_ids & set(ws.entries):
            entry = ws.entries[design_id]
            conn.execute(
                update(S.designs)
                .where(S.designs.c.id == design_id)
                .values(
                    name=entry.design.name,
                    body=entry.design.to_json(indent=None),
                    position=positions[design_id],
                    updated=now,
                )
            )

    # -- latency measurements ------------------------------------------------------------------
    def add_measurement(self, measurement: dict) -> str:
        """Keep one latency measurement (``jobs.messages.Measurement.to_dict()``); returns its
        id. The same measurement kept again (another tab, another command) is kept once."""
        import secrets

        row_id = secrets.token_hex(8)
        body = json.dumps(measurement)
        created = float(measurement.get("at") or time.time())
        same = (S.measurements.c.machine == str(measurement["machine"])[:200]) & (S.measurements.c.created == created)
        with self._begin() as conn:
            for existing_id, existing in conn.execute(select(S.measurements.c.id, S.measurements.c.body).where(same)):
                if existing == body:
                    return existing_id
            conn.execute(
                insert(S.measurements).values(
                    id=row_id,
                    machine=str(measurement["machine"])[:200],
                    threads=int(measurement["threads"]),
                    created=created,
                    body=body,
                )
            )
        return row_id

    def measurements(self, machine: str | None = None, threads: int | None = None) -> list[dict]:
        """The kept measurements, oldest first: of one machine (its key) and thread count when given."""
        query = select(S.measurements.c.body).order_by(S.measurements.c.created, S.measurements.c.id)
        if machine is not None:
            query = query.where(S.measurements.c.machine == machine)
        if threads is not None:
            query = query.where(S.measurements.c.threads == threads)
        with self._connect() as conn:
            return [json.loads(row[0]) for row in conn.execute(query).all()]

    # -- deleting ---------------------------------------------------------------------------
    def add_file(self, workspace_id: str, owner_id: str, path: Path) -> None:
        """Remember a large file, or a job's folder of files, that belongs to a run or export
        (deleted with its workspace)."""
        with self._begin() as conn:
            self._insert_file(conn, workspace_id, owner_id, path)

    @staticmethod
    def _insert_file(conn, workspace_id: str, owner_id: str, path: Path) -> None:
        size = _size(path)
        conn.execute(delete(S.files).where(S.files.c.path == str(path)))
        conn.execute(
            insert(S.files).values(
                path=str(path), workspace_id=workspace_id, owner_id=owner_id, bytes=size, created=time.time()
            )
        )

    def files_of(self, workspace_id: str) -> list[tuple[str, str, int]]:
        """(path, owner id, bytes) of every file a workspace's records hold."""
        with self._connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(
                    select(S.files.c.path, S.files.c.owner_id, S.files.c.bytes).where(
                        S.files.c.workspace_id == workspace_id
                    )
                ).all()
            ]

    def files_by_age(self) -> list[tuple[str, str, str, int]]:
        """(path, workspace id, owner id, bytes) of every kept file, oldest first (disk budgets)."""
        with self._connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(
                    select(S.files.c.path, S.files.c.workspace_id, S.files.c.owner_id, S.files.c.bytes).order_by(
                        S.files.c.created, S.files.c.path
                    )
                ).all()
            ]

    def delete_files(self, paths: list[str]) -> int:
        """Forget these files and delete them from disk; returns how many were removed."""
        if not paths:
            return 0
        with self._begin() as conn:
            conn.execute(delete(S.files).where(S.files.c.path.in_(paths)))
        return _remove_files(paths)

    def delete_workspace(self, workspace_id: str) -> int:
        """Delete a workspace with every row and file it holds; returns the files removed."""
        paths = [p for p, _, _ in self.files_of(workspace_id)]
        with self._begin() as conn:
            design_ids = select(S.designs.c.id).where(S.designs.c.workspace_id == workspace_id)
            conn.execute(delete(S.history).where(S.history.c.design_id.in_(design_ids)))
            for table in (S.files, S.runs, S.exports, S.designs, S.settings):
                conn.execute(delete(table).where(table.c.workspace_id == workspace_id))
            conn.execute(delete(S.workspaces).where(S.workspaces.c.id == workspace_id))
        return _remove_files(paths)

    def cleanup(self, keep_days: float, now: float | None = None) -> list[str]:
        """Delete workspaces untouched for ``keep_days``; returns their ids."""
        now = time.time() if now is None else now
        with self._connect() as conn:
            old = [
                r[0]
                for r in conn.execute(
                    select(S.workspaces.c.id).where(S.workspaces.c.touched < now - keep_days * 86400)
                ).all()
            ]
        for workspace_id in old:
            self.delete_workspace(workspace_id)
        self.set_meta("last_cleanup", repr(now))
        return old

    def cleanup_due(self, now: float | None = None) -> bool:
        """Whether a day has passed since the last cleanup."""
        last = self.get_meta("last_cleanup")
        now = time.time() if now is None else now
        return last is None or now - float(last) >= 86400


def _empty_workspace() -> Workspace:
    ws = Workspace.__new__(Workspace)
    ws.id = None
    ws.entries = {}
    ws.current_id = ""
    ws.settings = {}
    ws.setting_versions = {}
    ws.version = 0
    ws.stored_version = 0
    ws.journal = []
    return ws


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.exists() else 0


def _remove_files(paths: list[str]) -> int:
    removed = 0
    for path in paths:
        try:
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
            removed += 1
        except FileNotFoundError:
            pass
        except OSError:
            continue
    return removed


class _Guard:
    """A connection context that turns driver errors into StoreError naming the cause."""

    def __init__(self, store: Store, opener):
        self.store = store
        self.opener = opener
        self.context = None

    def __enter__(self):
        try:
            self.context = self.opener()
            return self.context.__enter__()
        except DBAPIError as exc:
            raise StoreError(self._message(exc)) from None
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.store.where}: {self.store.public(_reason(exc))}") from None

    def __exit__(self, exc_type, exc, tb):
        try:
            self.context.__exit__(exc_type, exc, tb)
        except DBAPIError as error:  # the commit itself failed
            raise StoreError(self._message(error)) from None
        except SQLAlchemyError as error:
            raise StoreError(f"{self.store.where}: {self.store.public(_reason(error))}") from None
        if isinstance(exc, DBAPIError):
            raise StoreError(self._message(exc)) from None
        if isinstance(exc, SQLAlchemyError):
            raise StoreError(f"{self.store.where}: {self.store.public(_reason(exc))}") from None
        return False

    def _message(self, exc: DBAPIError) -> str:
        reason = self.store.public(_reason(exc))
        lowered = reason.lower()
        if "not a database" in lowered or "malformed" in lowered:
            return f"{self.store.where} is damaged or not a database ({reason}); move it away to start afresh"
        if "readonly" in lowered or "read-only" in lowered:
            return f"{self.store.where} is read-only ({reason})"
        if "disk" in lowered and "full" in lowered:
            return f"the disk holding {self.store.where} is full"
        return f"{self.store.where}: {reason}"
