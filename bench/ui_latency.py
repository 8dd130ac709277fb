"""Designer responsiveness in a real browser, against a trivial Streamlit app in the same run.

    python bench/ui_latency.py [--edits 15] [--starts 3]

Measures (median):
- cold start: from launching `streamlit run` to the first rendered Designer page;
- edit to update: from committing a new `filters` value in the form to the updated
  params figure on the page.
The baseline is a one-widget Streamlit app measured the same way, so the ratio says how
much LightDesign adds to Streamlit's own cost. Needs /usr/bin/chromium and Playwright.
The package is byte-compiled first, as any start after the first finds it: with
PYTHONDONTWRITEBYTECODE set (as on the CI machines) every start would compile it again.
"""

from __future__ import annotations

import argparse
import compileall
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lightdesign import edits, presets  # noqa: E402
from lightdesign.analysis import analyze  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, free_port, wait_idle  # noqa: E402

BASELINE_APP = """
import streamlit as st
value = st.number_input("filters", min_value=1, max_value=512, value=32, step=1)
st.caption(f"Exact: {value * 2:,} params")
"""


def launch(script: Path, cwd: Path):
    import subprocess

    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
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
    ]
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), port


def wait_for_caption(page, prefix: str) -> None:
    """Return as soon as a caption starting with ``prefix`` is on the page.

    Checked on every animation frame: a locator's ``wait_for`` backs off to 500 ms between
    checks, which would add up to half a second to whatever it measures.
    """
    page.wait_for_function(
        "want => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')]"
        ".some(e => e.innerText.startsWith(want))",
        arg=prefix,
        polling="raf",
        timeout=60000,
    )


def wait_listening(port: int, timeout: float = 60) -> None:
    """Return once the server accepts connections, as `streamlit run` does before it opens
    the browser (loading a page from a closed port would time error pages instead)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def cold_start(browser, script: Path, cwd: Path) -> float:
    """Seconds from launching the server to the rendered page (browser already running)."""
    page = browser.new_page()
    start = time.perf_counter()
    process, port = launch(script, cwd)
    try:
        wait_listening(port)
        page.goto(f"http://127.0.0.1:{port}", wait_until="commit")
        wait_for_caption(page, "Exact: ")
        return time.perf_counter() - start
    finally:
        page.close()
        process.terminate()
        process.wait(timeout=10)


def edit_latencies(browser, script: Path, cwd: Path, edits_count: int, expected) -> list[float]:
    """Seconds from pressing Enter in the filters field to the new params figure."""
    process, port = launch(script, cwd)
    page = browser.new_page(viewport={"width": 1500, "height": 1400})
    try:
        time.sleep(1)
        for _ in range(100):
            try:
                page.goto(f"http://127.0.0.1:{port}", timeout=2000)
                break
            except Exception:
                time.sleep(0.1)
        page.get_by_text("Exact:").first.wait_for(timeout=60000)
        wait_idle(page)
        times = []
        for i in range(edits_count):
            filters = 33 + i
            field = page.get_by_label("filters", exact=True)
            field.fill(str(filters))
            start = time.perf_counter()
            field.press("Enter")
            wait_for_caption(page, f"Exact: {expected(filters):,} params")
            times.append(time.perf_counter() - start)
            wait_idle(page)
            page.wait_for_timeout(700)  # let the drawings of this edit settle, as a person would pause
        return times
    finally:
        page.close()
        process.terminate()
        process.wait(timeout=10)


def seed_params(filters: int) -> int:
    design = presets.build("seed_cnn")
    return analyze(edits.set_param(design, design.blocks[0].id, "filters", filters)).params


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "lightdesign", quiet=1)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        baseline = Path(tmp) / "baseline.py"
        baseline.write_text(BASELINE_APP)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        ours_start = statistics.median(cold_start(browser, ROOT / "app.py", ROOT) for _ in range(args.starts))
        base_start = statistics.median(cold_start(browser, baseline, Path(tmp)) for _ in range(args.starts))
        ours_edit = statistics.median(edit_latencies(browser, ROOT / "app.py", ROOT, args.edits, seed_params))
        base_edit = statistics.median(edit_latencies(browser, baseline, Path(tmp), args.edits, lambda f: 2 * f))
        browser.close()
    print(f"{'':<28}{'LightDesign':>12}{'baseline app':>14}{'ratio':>8}")
    print(f"{'cold start (median)':<28}{ours_start:>11.2f}s{base_start:>13.2f}s{ours_start / base_start:>8.2f}")
    print(
        f"{'edit -> updated params':<28}{ours_edit * 1000:>10.0f}ms{base_edit * 1000:>12.0f}ms"
        f"{ours_edit / base_edit:>8.2f}"
    )


if __name__ == "__main__":
    main()
