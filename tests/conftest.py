"""Fixtures shared by every test layer, the markers that sort tests into lanes, and the
Hypothesis profiles."""

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# Every test (and every app or worker it starts) keeps its data in a fresh folder, never in
# the person's own LightDesign data; under pytest-xdist each worker has its own.
os.environ["LIGHTDESIGN_WORK_DIR"] = tempfile.mkdtemp(prefix="lightdesign-tests-")
os.environ.pop("LIGHTDESIGN_DATABASE_URL", None)
# The tests start job managers by the dozen: a warm worker each (TensorFlow loaded) would load
# the machine for nothing; the tests of warm workers ask for them.
os.environ["LIGHTDESIGN_WARM_WORKERS"] = "0"

from tests.postgres import PostgresServer, server_bin

# HYPOTHESIS_PROFILE=dev runs a tenth of the fuzz examples; "ci", the default, runs them all.
settings.register_profile("ci", max_examples=300, deadline=None)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TESTS = Path(__file__).resolve().parent
FOLDER_MARKS = ("keras", "e2e")  # every test in tests/keras and tests/e2e has its folder's mark
# A test with any of these marks needs TensorFlow, a browser, a server or minutes; the others
# are marked "fast": the development lane, `python -m pytest -m fast`.
HEAVY_MARKS = ("keras", "applications", "e2e", "ray", "postgres", "slow", "torch")
# Tests that share one expensive thing run on one pytest-xdist worker (--dist loadgroup):
# the Ray tests share a Ray head, the browser tests a Streamlit server and Chromium, and the
# tests of a module with a module-scoped fixture (built models, a built wheel) that fixture.
GROUPED_MARKS = ("ray", "e2e")


def _shares_a_module_fixture(item) -> bool:
    return any(defs[-1].scope == "module" for defs in item._fixtureinfo.name2fixturedefs.values())


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups and -m reads the marks
def pytest_collection_modifyitems(items):
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else None
        if folder in FOLDER_MARKS:
            item.add_marker(folder)
        if "ray_head" in item.fixturenames:
            item.add_marker(pytest.mark.ray)
        if "postgres_server" in item.fixturenames:
            item.add_marker(pytest.mark.postgres)
        for mark in GROUPED_MARKS:
            if item.get_closest_marker(mark):
                item.add_marker(pytest.mark.xdist_group(mark))
        if _shares_a_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
        if not any(item.get_closest_marker(mark) for mark in HEAVY_MARKS):
            item.add_marker(pytest.mark.fast)


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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
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
