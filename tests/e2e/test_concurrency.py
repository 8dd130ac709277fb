"""Three browser sessions at once: two train, one edits. No state leaks between them, both
jobs finish, the editing session stays responsive, and the per-server limit (2) queues
a third job and says so."""

import re
import time

from lightdesign.analysis.network import analyze
from lightdesign.core import edits, presets

from .conftest import open_session, wait_idle

PROGRESS = re.compile(r"Epoch \d+/\d+ · batch \d+/\d+")


def start_training(page, epochs: int) -> None:
    page.get_by_role("link", name="Train").click()
    page.get_by_role("heading", name=re.compile("Train · ")).wait_for()
    wait_idle(page)
    field = page.get_by_label("Epochs")
    field.fill(str(epochs))
    field.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Start training").click()


def test_two_sessions_train_while_a_third_edits(browser, server):
    sessions = [open_session(browser, server, 60_000) for _ in range(3)]
    (_, trainer_a), (_, trainer_b), (_, editor) = sessions
    try:
        start_training(trainer_a, 15)
        start_training(trainer_b, 15)
        trainer_a.get_by_text(PROGRESS).first.wait_for(timeout=120_000)
        trainer_b.get_by_text(PROGRESS).first.wait_for(timeout=120_000)

        # The editor changes its own design while both jobs run.
        design = presets.build("seed_cnn")
        expected = analyze(edits.set_param(design, design.blocks[0].id, "filters", 48)).params
        field = editor.get_by_label("filters", exact=True)
        field.fill("48")
        started = time.perf_counter()
        field.press("Enter")
        editor.get_by_text(f"Exact: {expected:,} params").wait_for()
        edit_seconds = time.perf_counter() - started
        # Still training when the edit landed: the server was not blocked by the jobs.
        assert trainer_a.get_by_text(PROGRESS).count() and trainer_b.get_by_text(PROGRESS).count()
        print(f"edit while two jobs train: {edit_seconds * 1000:.0f} ms")

        # No leaks: the trainers' designs are untouched by the editor's change.
        for trainer in (trainer_a, trainer_b):
            assert trainer.get_by_role("heading", name="Train · seed_cnn").count() == 1

        # A third job waits for a free worker and says so.
        start_training(editor, 1)
        editor.get_by_text(
            re.compile(
                r"Waiting for a free worker: 2 job\(s\) are running on this server "
                r"\(limit 2\); you are number 1 in the queue"
            )
        ).wait_for()

        for trainer in (trainer_a, trainer_b):
            trainer.locator('[data-testid="stMetric"]').filter(has_text="Test accuracy").wait_for(timeout=240_000)
        editor.locator('[data-testid="stMetric"]').filter(has_text="Test accuracy").wait_for(timeout=240_000)
    finally:
        for context, _ in sessions:
            context.close()
