"""The canvas in Chromium: the latency heat map's toggle on the bar, and the badge of a block
TFLite Micro's int8 kernels cannot run."""

from playwright.sync_api import expect

from lightdesign.core import presets, share

from .conftest import wait_idle
from .test_editor import node


def test_the_heat_map_toggle_says_why_nothing_is_coloured_when_not_calibrated(page):
    toggle = page.locator('.ld-toolbar [data-action="heat"]')
    expect(toggle).to_have_text("Colour by predicted latency")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("ld-notice")).to_contain_text("No latency heat map: not calibrated")
    wait_idle(page)
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")


def test_a_block_without_an_int8_kernel_shows_its_badge(page):
    page.goto(f"{page.url}&{share.QUERY_KEY}={share.encode(presets.build('text_rnn'))}")
    node(page, "lstm").wait_for(state="attached")
    wait_idle(page)
    badge = node(page, "lstm").locator(".ld-badge-unsupported")
    expect(badge).to_have_text("no int8 kernel")
    assert "LSTM" in badge.get_attribute("title")
    expect(node(page, "predictions").locator(".ld-badge-unsupported")).to_have_count(0)
