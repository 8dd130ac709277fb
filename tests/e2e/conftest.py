"""A real `streamlit run app.py` on 127.0.0.1 and Debian's Chromium driven by Playwright."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    """Skip the browser tests (marked e2e by tests/conftest.py) when Chromium is missing."""
    if Path(CHROMIUM).exists():
        return
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} missing: apt-get install -y chromium"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_command(script: str, port: int, *options: str, python: tuple[str, ...] = ()) -> list[str]:
    """`streamlit run SCRIPT` on 127.0.0.1:PORT, headless, without usage stats or a file
    watcher, then ``options``; ``python`` replaces ``python -m streamlit`` (a launcher)."""
    return [
        *(python or (sys.executable, "-m", "streamlit")),
        "run",
        script,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *options,
    ]


def start_server(port: int, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        streamlit_command("app.py", port),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60, context=None) -> None:
    """Wait until the server answers its health check (``context``: TLS settings for https)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2, context=context) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not become healthy in time")


@pytest.fixture(scope="session")
def server():
    port = free_port()
    process = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def open_session(browser, server, timeout_ms: int = 30_000):
    """A fresh browser context (its own Streamlit session) showing the app."""
    context = browser.new_context(viewport={"width": 1500, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    page.goto(server)
    wait_for_app(page)
    return context, page


@pytest.fixture
def page(browser, server):
    context, page = open_session(browser, server)
    yield page
    context.close()


def wait_for_app(page) -> None:
    """The Design page is drawn: its figures and, after them in the script, the canvas with
    its nodes (the component draws them a moment after the figures arrive)."""
    page.get_by_text("Exact:").first.wait_for()
    page.locator(".ld-editor .react-flow__node").first.wait_for(state="attached")
    wait_idle(page)


def wait_idle(page, timeout: float = 30) -> None:
    """Wait until Streamlit finished the current run: its status widget absent at two looks
    a quarter second apart (Streamlit shows it only once a run has lasted a moment, so one
    look can fall before a rerun that a component's event has just asked for)."""
    page.wait_for_timeout(150)
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline and quiet < 2:
        quiet = quiet + 1 if page.locator('[data-testid="stStatusWidget"]').count() == 0 else 0
        page.wait_for_timeout(250 if quiet else 100)


def exact_text(page) -> str:
    return page.get_by_text("Exact:").first.inner_text()


def start_training(page, epochs: int) -> None:
    """Open the Train page of the seed CNN, set the epochs and press Start training."""
    page.get_by_role("link", name="Train").click()
    page.get_by_role("heading", name="Train · seed_cnn").wait_for()
    wait_idle(page)
    field = page.get_by_label("Epochs")
    field.fill(str(epochs))
    field.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Start training").click()
