"""Fixtures shared by every test layer."""

import os
import subprocess
import tempfile

import pytest

# Every test (and every app or worker it starts) keeps its data in a fresh folder, never in
# the person's own LightDesign data.
os.environ["LIGHTDESIGN_WORK_DIR"] = tempfile.mkdtemp(prefix="lightdesign-tests-")
os.environ.pop("LIGHTDESIGN_DATABASE_URL", None)
# The tests start job managers by the dozen: a warm worker each (TensorFlow loaded) would load
# the machine for nothing; the tests of warm workers ask for them.
os.environ["LIGHTDESIGN_WARM_WORKERS"] = "0"

from tests.postgres import PostgresServer, server_bin


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the session; skipped with the reason when it cannot start."""
    bin_dir = server_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binary not found (apt-get install -y postgresql)")
    try:
        server = PostgresServer(bin_dir)
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        pytest.skip(f"PostgreSQL did not start: {exc} {detail.decode(errors='replace')[-300:]}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh empty database URL on SQLite and on a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_server").new_database()


@pytest.fixture(scope="session")
def ray_head():
    """A local Ray head (2 CPUs) for the session; skipped with the reason when it cannot start."""
    from tests.ray_cluster import RayHead, why_not

    reason = why_not()
    if reason:
        pytest.skip(reason)
    try:
        head = RayHead()
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"the Ray head did not start: {exc}")
    yield head
    head.stop()
