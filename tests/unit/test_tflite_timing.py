"""The convention's measurement of a TFLite model times the invoke alone: reading the
clocks is not part of it. Checked with fake clocks, so nothing here depends on the machine."""

import pytest

from lightdesign.jobs import tflite_timing


class FakeMachine:
    """A wall clock and a CPU clock that advance only as the code under test makes them: a
    CPU clock reading costs ``cpu_read`` seconds of both, a wall clock reading ``wall_read``,
    an invoke ``invoke`` seconds."""

    def __init__(self, invoke: float, cpu_read: float, wall_read: float):
        self.now = 0.0
        self.invoke_s, self.cpu_read, self.wall_read = invoke, cpu_read, wall_read

    def thread_time(self) -> float:
        self.now += self.cpu_read / 2  # half of a reading's cost before the value, half after
        value = self.now
        self.now += self.cpu_read / 2
        return value

    def perf_counter(self) -> float:
        self.now += self.wall_read / 2
        value = self.now
        self.now += self.wall_read / 2
        return value

    def invoke(self) -> None:
        self.now += self.invoke_s


def on(monkeypatch, fake: FakeMachine) -> FakeMachine:
    monkeypatch.setattr(tflite_timing, "cpu_clock", fake.thread_time)
    monkeypatch.setattr(tflite_timing, "wall_clock", fake.perf_counter)
    return fake


def test_a_clocks_reading_cost_is_the_median_empty_interval(monkeypatch):
    fake = on(monkeypatch, FakeMachine(invoke=3e-6, cpu_read=0.6e-6, wall_read=0.05e-6))
    assert tflite_timing.reading_cost(fake.thread_time) == pytest.approx(0.6e-6)
    assert tflite_timing.reading_cost(fake.perf_counter) == pytest.approx(0.05e-6)


def test_the_measured_wall_and_cpu_time_are_the_invokes_alone(monkeypatch):
    fake = on(monkeypatch, FakeMachine(invoke=3e-6, cpu_read=0.6e-6, wall_read=0.05e-6))
    wall_ms, cpu_ms = tflite_timing.median_invoke_ms(fake, runs=30)
    # a 3 us model: reading the CPU clock inside the wall window had made it 3.6 us
    assert wall_ms == pytest.approx(3e-3, rel=1e-6)
    assert cpu_ms == pytest.approx(3e-3, rel=1e-6)


def test_a_model_faster_than_the_clock_is_never_negative(monkeypatch):
    fake = on(monkeypatch, FakeMachine(invoke=0.0, cpu_read=0.6e-6, wall_read=0.05e-6))
    wall_ms, cpu_ms = tflite_timing.median_invoke_ms(fake)
    assert wall_ms == pytest.approx(0.0, abs=1e-12) and cpu_ms == pytest.approx(0.0, abs=1e-12)
