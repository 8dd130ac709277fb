"""Compare two presets and download the Keras code in Chromium, then run it."""

import subprocess
import sys

from lightdesign import presets
from lightdesign.analysis import analyze

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
    page.locator('[data-testid="stDataFrame"]').first.wait_for()  # the table draws on a canvas
    # The side-by-side graph columns are headed by each design's name and figures.
    page.get_by_text("preset: mobilenet_v2 · 3.54 M params · 300.8 M MACs").wait_for()
    page.get_by_text("preset: squeezenet_1_1 · 1.24 M params · 349.2 M MACs").wait_for()
    page.get_by_text("Architecture diff").wait_for()


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
