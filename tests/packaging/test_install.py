"""The wheel, installed into a fresh virtual environment, works away from the clone: the
``lightdesign`` command gives the clone's answers and exit codes, and ``lightdesign app``
serves the app with its canvas bundle."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from lightdesign.analysis.network import analyze
from lightdesign.cli.commands import parser
from lightdesign.core import presets

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "static" / "lightdesign-canvas.js"
# What a copy of the clone leaves out: version control, caches and earlier builds.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", ".venv", "node_modules"
)


@dataclass
class Installed:
    wheel: Path
    python: Path
    command: Path
    env: dict


def run(command: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def succeed(command: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    done = run(command, cwd, env)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    """The wheel built from a copy of the clone (the build writes beside its sources) and
    installed without dependencies into a fresh environment that sees the installed ones."""
    work = tmp_path_factory.mktemp("install")
    shutil.copytree(ROOT, work / "src", ignore=NOT_SOURCES)
    pip_offline = ["--no-deps", "--no-index", "--disable-pip-version-check"]
    succeed(
        [sys.executable, "-m", "pip", "wheel", *pip_offline, "--no-build-isolation", "-w", work / "dist", "."],
        work / "src",
    )
    (wheel,) = (work / "dist").glob("lightdesign-*.whl")
    succeed([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", work / "venv"], work)
    bin_dir = work / "venv" / "bin"
    python = bin_dir / "python"
    succeed([python, "-m", "pip", "install", *pip_offline, wheel], work)
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}  # nothing points at the clone
    return Installed(wheel, python, bin_dir / "lightdesign", env)


def test_the_wheel_holds_every_module_and_the_app(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    library = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "lightdesign").rglob("*.py") if "node_modules" not in p.parts
    }
    app = {
        p.relative_to(ROOT).as_posix()
        for p in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "static").iterdir()]
    }
    expected = library | {f"lightdesign/app/{name}" for name in [*app, ".streamlit/config.toml"]}
    assert {name for name in names if not name.startswith("lightdesign-")} == expected
    assert zipfile.ZipFile(installed.wheel).read("lightdesign/app/static/lightdesign-canvas.js") == BUNDLE.read_bytes()


def test_the_installed_package_is_imported_from_the_environment(installed, tmp_path):
    probe = "import lightdesign, lightdesign.ui.canvas as c; print(lightdesign.__file__); print(c.BUNDLE)"
    package, bundle = succeed([installed.python, "-c", probe], tmp_path, installed.env).stdout.split()
    assert Path(package).is_relative_to(installed.python.parent.parent) and not Path(package).is_relative_to(ROOT)
    assert Path(bundle) == Path(package).parent / "app" / "static" / BUNDLE.name
    assert Path(bundle).read_bytes() == BUNDLE.read_bytes()


def test_the_command_has_every_cli_command(installed, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")  # the same line width for both help texts
    shown = succeed([installed.command, "--help"], tmp_path, {**installed.env, "COLUMNS": "100"}).stdout
    assert shown == parser("lightdesign").format_help()


@pytest.mark.parametrize(
    ("arguments", "status"),
    [
        (["presets"], 0),
        (["check", "--preset", "seed_cnn", "--max-macs", "{twice}"], 0),
        (["check", "--preset", "seed_cnn", "--max-macs", "{half}", "--max-params", "{twice}"], 1),
        (["check", "--preset", "seed_cnn"], 1),
        (["check", "--preset", "nope", "--max-macs", "1M"], 1),
    ],
)
def test_the_installed_command_answers_as_the_clone_does(installed, tmp_path, arguments, status):
    macs = analyze(presets.build("seed_cnn")).macs
    arguments = [a.format(twice=2 * macs, half=macs // 2) for a in arguments]
    there = run([installed.command, *arguments], tmp_path, installed.env)
    here = run([sys.executable, "-m", "lightdesign", *arguments], ROOT)
    assert (there.returncode, there.stdout, there.stderr) == (status, here.stdout, here.stderr)


def test_the_installed_command_names_itself_in_usage_errors(installed, tmp_path):
    done = run([installed.command, "check", "--preset", "seed_cnn", "--max-macs", "lots"], tmp_path, installed.env)
    assert done.returncode == 2 and "lightdesign check: error: argument --max-macs" in done.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes]:
    """The status and body of a GET; OSError when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while server.poll() is None and time.monotonic() < deadline:
        try:
            return fetch(url) == (200, b"ok")
        except OSError:
            time.sleep(0.3)
    return False


def test_app_command_serves_the_app_and_its_bundle_from_another_folder(installed, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **installed.env,
        "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
        "STREAMLIT_SERVER_HEADLESS": "true",
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
    }
    log = tmp_path / "app.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [installed.command, "app", "--port", str(port)], cwd=tmp_path, env=env, stdout=output, stderr=output
        )
    try:
        assert wait_healthy(f"{url}/_stcore/health", server), f"the app did not start: {log.read_text()[-2000:]}"
        assert fetch(f"{url}/app/static/{BUNDLE.name}") == (200, BUNDLE.read_bytes())
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    with pytest.raises(OSError):  # the server was the command's own process: nothing is left serving
        fetch(f"{url}/_stcore/health")
