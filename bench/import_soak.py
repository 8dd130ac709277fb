"""Soak: concurrent imports of a 6 MB .keras whose weights unpack to 780 MB.

    python bench/import_soak.py [--sessions 4] [--rounds 3] [--member-mb 780]

One `streamlit run app.py` on 127.0.0.1 and Debian's Chromium through Playwright. The file
(written first: a Dense layer whose kernel in ``model.weights.h5`` is ``--member-mb`` MB
deflated about 130x) is imported once to warm the server up; then ``--sessions`` browser
sessions import it through the Design page's model uploader at the same time, ``--rounds``
times each, while the server's resident memory is sampled every 20 ms.

Printed: the server's peak memory above its start against the budget: each import may take
``MEMORY_BUDGET`` beyond the file (``lightdesign/importers/base.py``, README's Limits), and
Streamlit keeps each session's upload, so the target is sessions x (budget + 2 x the file).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.soak import MB, progress, resident, start_server  # noqa: E402
from lightdesign.importers.base import MEMORY_BUDGET  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, wait_idle  # noqa: E402
from tests.importers import big_keras  # noqa: E402


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    page = context.new_page()
    page.set_default_timeout(180_000)
    page.goto(url)
    page.get_by_text("Exact:").first.wait_for()
    wait_idle(page, timeout=120)
    return context, page


def import_file(page, path: Path) -> str:
    """Import ``path`` through the model uploader; the message the page shows."""
    page.locator(".st-key-model_upload input[type=file]").set_input_files(str(path))
    said = page.locator('[data-testid="stAlertContainer"]', has_text=path.name).first
    said.wait_for(timeout=180_000)
    wait_idle(page, timeout=180)
    return said.inner_text()


def sample(pid: int, stop: threading.Event, peak: list[int]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], resident(pid))
        time.sleep(0.02)


def session(url: str, path: Path, rounds: int, said: list[str], barrier: threading.Barrier) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context, page = open_page(browser, url)
        barrier.wait()
        for _ in range(rounds):
            said.append(import_file(page, path).splitlines()[0][:160])
        context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--member-mb", type=int, default=780)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="lightdesign-import-soak-"))
    try:
        path = big_keras.write(folder / "big.keras", args.member_mb)
        progress(f"{path.name}: {path.stat().st_size / MB:.1f} MB, weights member {args.member_mb} MB")
        server, url = start_server(folder / "work", ttl=15)
        try:
            with sync_playwright() as playwright:  # warm up: every module an import needs is loaded
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                context, page = open_page(browser, url)
                progress(f"warm-up import: {import_file(page, path).splitlines()[0][:160]}")
                context.close()
                browser.close()
            start = resident(server.pid)
            peak, stop, said = [start], threading.Event(), []
            sampler = threading.Thread(target=sample, args=(server.pid, stop, peak), daemon=True)
            sampler.start()
            barrier = threading.Barrier(args.sessions)
            sessions = [
                threading.Thread(target=session, args=(url, path, args.rounds, said, barrier))
                for _ in range(args.sessions)
            ]
            began = time.monotonic()
            for thread in sessions:
                thread.start()
            for thread in sessions:
                thread.join()
            stop.set()
            sampler.join()
            seconds = time.monotonic() - began
        finally:
            server.terminate()
            server.wait(timeout=30)
        size = path.stat().st_size
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    target = args.sessions * (MEMORY_BUDGET + 2 * size)
    outcomes: dict[str, int] = {}
    for text in said:
        outcomes[text] = outcomes.get(text, 0) + 1
    print(f"{len(said)} imports by {args.sessions} sessions at once in {seconds:.0f} s:")
    for text, count in outcomes.items():
        print(f"  {count} x {text}")
    print(
        f"server memory: start {start / MB:.0f} MB, peak {peak[0] / MB:.0f} MB: {(peak[0] - start) / MB:+.0f} MB "
        f"(target within {target / MB:.0f} MB: {args.sessions} x ({MEMORY_BUDGET / MB:.0f} MB + 2 x the file))"
    )


if __name__ == "__main__":
    main()
