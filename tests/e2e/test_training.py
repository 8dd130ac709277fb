"""Train the seed CNN for one epoch in Chromium and see the curve and the final accuracy."""

import re

from .conftest import start_training


def test_train_the_seed_cnn_for_one_epoch(page):
    start_training(page, epochs=1)
    accuracy = page.locator('[data-testid="stMetric"]').filter(has_text="Test accuracy")
    # the batch progress, unless the one epoch (about a second on an idle machine) ended
    # between two of the page's polls; live progress is followed in the longer runs' tests
    progress = page.get_by_text(re.compile(r"Epoch 1/1 · batch \d+/\d+")).first
    progress.or_(accuracy).first.wait_for(timeout=120_000)
    accuracy.wait_for(timeout=180_000)
    value = float(re.search(r"([\d.]+)%", accuracy.inner_text()).group(1))
    assert value > 50
    curves = page.locator('[data-testid="stPlotlyChart"]').first
    curves.wait_for()
    assert page.get_by_text("Confusion matrix (test set)").count() >= 1
