"""How long an export's stages take: expected before the job, what is left while it runs, and
the server's own speed learnt from finished exports."""

import pytest

from lightdesign.jobs import export_timing as timing
from lightdesign.jobs.messages import EXPORT_STAGES, Stage


def test_every_stage_is_expected_and_tensorflow_costs_nothing_on_a_warm_worker():
    cold = timing.stage_seconds(8, 5_000_000, 50, tensorflow_loaded=False)
    warm = timing.stage_seconds(8, 5_000_000, 50, tensorflow_loaded=True)
    assert list(cold) == list(EXPORT_STAGES) and all(s > 0 for s in cold.values())
    assert warm[Stage.LOADING_TENSORFLOW] == 0
    assert sum(cold.values()) - sum(warm.values()) == pytest.approx(timing.TENSORFLOW_S)


def test_a_deeper_or_heavier_model_takes_longer_and_a_slower_server_longer_still():
    small = timing.stage_seconds(8, 5_000_000, 50, True)
    deep = timing.stage_seconds(156, 5_000_000, 50, True)
    heavy = timing.stage_seconds(8, 600_000_000, 50, True)
    assert deep[Stage.CONVERTING_INT8] > small[Stage.CONVERTING_INT8]
    assert heavy[Stage.MEASURING_KERAS] > small[Stage.MEASURING_KERAS]
    assert heavy[Stage.CONVERTING_INT8] > small[Stage.CONVERTING_INT8]  # the calibration runs the model
    slow = timing.stage_seconds(8, 5_000_000, 50, True, speed=2.0)
    assert sum(slow.values()) == pytest.approx(2 * sum(small.values()))


def test_what_is_left_counts_the_current_stage_down_and_every_later_one():
    expected = dict.fromkeys(EXPORT_STAGES, 10.0)
    assert timing.remaining(expected, None, 0) == 80
    assert timing.remaining(expected, Stage.LOADING_TENSORFLOW, 4) == 76
    assert timing.remaining(expected, Stage.MEASURING_ARENA, 3) == 7
    assert timing.remaining(expected, Stage.MEASURING_ARENA, 30) == 0  # late: never below nothing


def test_the_servers_speed_is_the_median_of_its_latest_exports():
    assert timing.server_speed([]) == 1.0
    assert timing.server_speed([(10, 20), (10, 30), (10, 5)]) == 2.0
    assert timing.server_speed([(10, 1000)]) == 5.0 and timing.server_speed([(10, 0.1)]) == 0.2
    old = [(10, 100)] * 10
    assert timing.server_speed([*old, *[(10, 10)] * 5]) == 1.0  # the latest five only
