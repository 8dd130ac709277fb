"""Compare two presets and download the Keras code in Chromium, then run it."""

import subprocess
import sys

from playwright.sync_api import expect

from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.explore.compare import diff

from .conftest import wait_idle


def test_compare_two_presets_shows_both_columns(page):
    page.get_by_role("link", name="Compare").click()
    page.get_by_role("heading", name="Compare").wait_for()
    wait_idle(page)
    chooser = page.locator('[data-testid="stMultiSelect"]').first
    field = chooser.locator("input")
    for _ in range(2):  # remove the default choices
        field.click()
        field.press("Backspace")
        wait_idle(page)
    for title in ("preset: mobilenet_v2", "preset: squeezenet_1_1"):
        field.click()
        field.fill(title)
        page.get_by_role("option", name=title, exact=True).click()
        wait_idle(page)
    page.keyboard.press("Escape")
    wait_idle(page)

    # The table draws on a canvas: check that it is there; its figures are checked in tests/app.
    expect(page.locator('[data-testid="stDataFrame"]'), "one comparison table").to_have_count(1)
    # The side-by-side graph columns are headed by each design's name and figures.
    for head in (
        "preset: mobilenet_v2 · 3.54 M params · 300.8 M MACs",
        "preset: squeezenet_1_1 · 1.24 M params · 349.2 M MACs",
    ):
        expect(page.get_by_text(head), f"a graph column headed {head!r}").to_have_count(1)
    # The diff counts the changed blocks and lists them, the first one first.
    changes = diff(presets.build("mobilenet_v2"), presets.build("squeezenet_1_1"))
    expect(page.get_by_text(f"{len(changes)} change(s)"), f"the diff counts {len(changes)} changes").to_have_count(1)
    first = changes[0].text.replace("−", "-", 1)
    listed = page.locator('[data-testid="stCode"]').filter(has_text=first)
    expect(listed, f"the diff lists the first change, {first!r}").to_have_count(1)


def test_download_the_keras_code_and_run_it(page, tmp_path):
    page.get_by_role("link", name="Export").click()
    page.get_by_role("heading", name="Export · seed_cnn").wait_for()
    wait_idle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download Keras code").click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.name == "seed_cnn.py"
    done = subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-1500:]
    assert f"Total params: {analyze(presets.build('seed_cnn')).params:,}" in done.stdout
