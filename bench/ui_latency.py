"""Designer responsiveness in a real browser, against a trivial Streamlit app in the same run.

    python bench/ui_latency.py [--edits 15] [--starts 3]

Measures (median):
- cold start: from launching `streamlit run` to the first rendered Designer page;
- edit to update: from committing a new `filters` value in the form to the updated
  params figure on the page;
- the editor's gestures with MobileNetV2 (21 blocks, 156 layers) and with a 150-block
  design loaded: click a node -> the inspector shows it; drop a kind from the palette onto
  a node -> the new node on the canvas and the figures updated; change a field in the
  inspector -> the figures updated; connect two nodes (the "Replace" choice of the menu the
  connection opens) -> the new edge drawn (and the figures sent again in the same run). Each
  is timed in the page, from the browser event (click, drop, Enter, the menu's click) to the
  first animation frame that shows the result.
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

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from lightdesign.analysis.network import analyze  # noqa: E402
from lightdesign.core import edits, presets, share, wiring  # noqa: E402
from lightdesign.core.design import Design, DesignError, new_block  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, free_port, streamlit_command, wait_idle  # noqa: E402

BASELINE_APP = """
import streamlit as st
value = st.number_input("filters", min_value=1, max_value=512, value=32, step=1)
st.caption(f"Exact: {value * 2:,} params")
"""


def launch(script: Path, cwd: Path):
    import subprocess

    port = free_port()
    command = streamlit_command(str(script), port)
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
            except Exception:  # noqa: BLE001 - the server is not up yet: try again
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


# -- the editor's gestures ---------------------------------------------------------------------

# In-page timing: the event's time is taken by a capturing listener, the result's by a
# predicate polled on every animation frame, both with performance.now().
_MARK = """() => { if (window.__ldMarked) return; window.__ldMarked = true;
  for (const type of ['click', 'drop', 'keydown', 'mouseup'])
    document.addEventListener(type, () => { window.__ldT0 = performance.now(); }, true); }"""
_CANVAS = "document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot"


def _exact(page) -> str:
    return page.get_by_text("Exact:").first.inner_text()


def _until(page, predicate: str, arg=None, timeout: int = 60000) -> float:
    """Milliseconds from the last marked event to the frame where ``predicate`` holds."""
    page.wait_for_function(
        f"arg => {{ try {{ return ({predicate}); }} catch (e) {{ return false; }} }}",
        arg=arg,
        polling="raf",
        timeout=timeout,
    )
    return page.evaluate("() => performance.now() - window.__ldT0")


def _settle(page) -> None:
    wait_idle(page)
    page.wait_for_timeout(700)  # let the drawings of this gesture settle, as a person would pause
    wait_idle(page)


def wide_design(blocks: int = 150) -> Design:
    """A plain 150-block CNN: (Conv2D same, BatchNormalization, ReLU) repeated, then a head."""
    design = Design("wide_150", (32, 32, 3), 10, [])
    kinds = ["Conv2D", "BatchNormalization", "Activation"]
    for i in range(blocks - 2):
        kind = kinds[i % 3]
        block = new_block(kind, f"{kind.lower()}_{i}", f"b{i + 1}")
        if kind == "Conv2D":
            block.params.update(filters=16, kernel_size=3, padding="same")
        design.blocks.append(block)
    design.blocks.append(new_block("GlobalAveragePooling2D", "pool", f"b{blocks - 1}"))
    head = new_block("Dense", "predictions", f"b{blocks}")
    head.params.update(units=10, activation="softmax")
    design.blocks.append(head)
    return design


def editor_latencies(browser, design: Design, repeats: int) -> dict[str, float]:
    """Median milliseconds of each gesture on ``design`` (opened through a share link)."""
    process, port = launch(ROOT / "app.py", ROOT)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    times: dict[str, list[float]] = {"click": [], "drop": [], "field": [], "connect": []}
    try:
        time.sleep(1)
        url = f"http://127.0.0.1:{port}/?{share.QUERY_KEY}={share.encode(design)}"
        for _ in range(100):
            try:
                page.goto(url, timeout=2000)
                break
            except Exception:  # noqa: BLE001 - the server is not up yet: try again
                time.sleep(0.1)
        page.get_by_text(f"Design · {design.name}").first.wait_for(timeout=60000)
        page.locator(".ld-block").first.wait_for(timeout=60000)
        _settle(page)
        if page.get_by_role("button", name="Got it").count():
            page.get_by_role("button", name="Got it").click()
            _settle(page)
        page.evaluate(_MARK)
        names = [b.name for b in design.blocks]
        # blocks with a number field for the inspector gesture (a BatchNormalization has none)
        # (not the first: it is selected when the design opens)
        numbered = [i + 1 for i, b in enumerate(design.blocks[:12]) if i and "filters" in b.params][:2]
        source_name, target_name = valid_connection(design)
        node = lambda name: page.locator(f'.react-flow__node:has(.ld-block[data-name="{name}"])')  # noqa: E731
        for i in range(repeats):
            # click a node -> the inspector shows it
            position = numbered[i % len(numbered)]
            node(names[position - 1]).click()
            times["click"].append(
                _until(
                    page,
                    "[...document.querySelectorAll('.st-key-ld_inspector strong')].some(e => e.innerText === arg)",
                    f"{position}. {names[position - 1]}",
                )
            )
            _settle(page)
            # change a field in the inspector -> the figures updated
            before = _exact(page)
            spin = page.locator(".st-key-ld_inspector").get_by_role("spinbutton").first
            value = float(spin.input_value())
            spin.fill(str(int(value) + 1 if value.is_integer() else value + 1))
            spin.press("Enter")
            times["field"].append(
                _until(
                    page,
                    "(() => { const t = [...document.querySelectorAll('[data-testid=stCaptionContainer]')].map(e => e.innerText).find(s => s.startsWith('Exact:')); return t && t !== arg; })()",
                    before,
                )
            )
            _settle(page)
            # drop from the palette -> the node on the canvas and the figures updated
            before = _exact(page)
            shown = page.locator(".ld-block[data-name]").evaluate_all("els => els.map(e => e.dataset.name)")
            page.locator('.ld-kind[data-kind="BatchNormalization"]').drag_to(page.locator(".ld-block").nth(4))
            # a block the canvas did not show before (above 80 blocks only the nodes in view
            # are drawn, so counting them says nothing) and the figures changed
            times["drop"].append(
                _until(
                    page,
                    f"[...{_CANVAS}.querySelectorAll('.ld-block[data-name]')].some(e => !arg[0].includes(e.dataset.name)) && [...document.querySelectorAll('[data-testid=stCaptionContainer]')].some(e => e.innerText.startsWith('Exact:') && e.innerText !== arg[1])",
                    [shown, before],
                )
            )
            _settle(page)
            # connect two nodes -> the new edge drawn
            source = page.locator(f'.ld-block[data-name="{source_name}"]')
            target = page.locator(f'.ld-block[data-name="{target_name}"]')
            target_id, source_id = target.get_attribute("data-block"), source.get_attribute("data-block")
            start = source.locator("xpath=..").locator(".react-flow__handle.source").bounding_box()
            end = target.locator("xpath=..").locator(".react-flow__handle.target").first.bounding_box()
            page.mouse.move(start["x"] + 4, start["y"] + 4)
            page.mouse.down()
            page.mouse.move(start["x"] + 8, start["y"] + 8, steps=3)
            page.mouse.move(end["x"] + 4, end["y"] + 4, steps=10)
            page.mouse.up()
            page.locator('[data-action="connect-replace"]').click()
            try:
                times["connect"].append(
                    _until(
                        page,
                        f'!!{_CANVAS}.querySelector(`[aria-label="Edge from b:${{arg[0]}} to b:${{arg[1]}}"]`)',
                        [source_id, target_id],
                        timeout=15000,
                    )
                )
            except PlaywrightTimeout:  # refused (the new input's shape does not fit): no edge to time
                pass
            _settle(page)
            for _ in range(3):  # back to the design as loaded: connect (unless refused), drop, field
                undo = page.get_by_role("button", name="↶ Undo")
                if not undo.is_enabled():
                    break
                undo.click()
                _settle(page)
        return {key: statistics.median(values) if values else float("nan") for key, values in times.items()}
    finally:
        page.close()
        process.terminate()
        process.wait(timeout=10)


def valid_connection(design: Design) -> tuple[str, str]:
    """The first pair (source, target) among the top blocks where ``target`` reading from
    ``source`` (skipping at least one block) gives a valid design: the connect gesture."""
    for k in range(2, min(len(design.blocks), 10)):
        for j in range(k - 1):
            try:
                connected = wiring.connect(design, design.blocks[j].id, design.blocks[k].id)
            except DesignError:
                continue
            if not analyze(connected).errors:
                return design.blocks[j].name, design.blocks[k].name
    raise SystemExit(f"{design.name}: no valid connection among its first blocks")


def seed_params(filters: int) -> int:
    design = presets.build("seed_cnn")
    return analyze(edits.set_param(design, design.blocks[0].id, "filters", filters)).params


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--gestures", type=int, default=7, help="repeats of each editor gesture")
    parser.add_argument("--only-gestures", action="store_true", help="skip cold start and the form edit")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "lightdesign", quiet=1)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        baseline = Path(tmp) / "baseline.py"
        baseline.write_text(BASELINE_APP)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        if args.only_gestures:
            gestures = {}
            for label, design in (("MobileNetV2", presets.build("mobilenet_v2")), ("150 blocks", wide_design(150))):
                gestures[label] = editor_latencies(browser, design, args.gestures)
                print(f"{label}: " + ", ".join(f"{k} {v:.0f} ms" for k, v in gestures[label].items()), flush=True)
            return
        ours_start = statistics.median(cold_start(browser, ROOT / "app.py", ROOT) for _ in range(args.starts))
        base_start = statistics.median(cold_start(browser, baseline, Path(tmp)) for _ in range(args.starts))
        print(f"cold start: {ours_start:.2f} s, baseline {base_start:.2f} s", flush=True)
        ours_edit = statistics.median(edit_latencies(browser, ROOT / "app.py", ROOT, args.edits, seed_params))
        base_edit = statistics.median(edit_latencies(browser, baseline, Path(tmp), args.edits, lambda f: 2 * f))
        print(f"edit: {ours_edit * 1000:.0f} ms, baseline {base_edit * 1000:.0f} ms", flush=True)
        gestures = {}
        for label, design in (("MobileNetV2", presets.build("mobilenet_v2")), ("150 blocks", wide_design(150))):
            gestures[label] = editor_latencies(browser, design, args.gestures)
            print(f"{label}: " + ", ".join(f"{k} {v:.0f} ms" for k, v in gestures[label].items()), flush=True)
        browser.close()
    print(f"{'':<28}{'LightDesign':>12}{'baseline app':>14}{'ratio':>8}")
    print(f"{'cold start (median)':<28}{ours_start:>11.2f}s{base_start:>13.2f}s{ours_start / base_start:>8.2f}")
    print(
        f"{'edit -> updated params':<28}{ours_edit * 1000:>10.0f}ms{base_edit * 1000:>12.0f}ms"
        f"{ours_edit / base_edit:>8.2f}"
    )
    labels = {
        "click": "click node -> inspector",
        "drop": "drop -> node + figures",
        "field": "inspector field -> figures",
        "connect": "connect -> edge drawn",
    }
    for design, figures in gestures.items():
        print(f"editor, {design} (median; ratio to the baseline edit):")
        for key, label in labels.items():
            ms = figures[key]
            print(f"  {label:<26}{ms:>10.0f}ms{base_edit * 1000:>12.0f}ms{ms / (base_edit * 1000):>8.2f}")


if __name__ == "__main__":
    main()
