"""The job manager with TensorFlow-free test jobs (``tests/fake_jobs.py``): events, stop,
kill, crash, timeout, queue."""

import pytest

from lightdesign.jobs import JobError, JobManager
from lightdesign.jobs.messages import Batch, Failed, JobState, Started, Stopped

from ..fake_jobs import KINDS
from ..waiting import job_processes, wait_until


@pytest.fixture
def manager():
    jobs = JobManager(max_running=1, timeout_s=60, grace_s=0.5, poll_s=0.02, kinds=KINDS)
    yield jobs
    jobs.shutdown()
    wait_until(lambda: not job_processes())


def test_a_job_streams_events_and_finishes(manager):
    job = manager.submit("alice", "test", {"action": "count", "steps": 4, "delay": 0.01})
    wait_until(lambda: not job.active)
    assert job.state is JobState.FINISHED, job.message
    assert job.message == "counted 4 steps"
    assert [e.batch for e in job.all(Batch)] == [1, 2, 3, 4]
    assert isinstance(job.events[0], Started) and job.pid == job.events[0].pid


def test_stop_ends_the_job_at_the_next_step(manager):
    job = manager.submit("alice", "test", {"action": "count", "steps": 1000, "delay": 0.05})
    wait_until(lambda: len(job.all(Batch)) >= 2)
    assert manager.stop(job.id) == "Stopping at the end of the current batch."
    assert manager.stop(job.id) == "The job is already stopping."
    wait_until(lambda: not job.active, timeout=5)
    assert job.state is JobState.STOPPED and isinstance(job.end, Stopped) and job.stopped_on_request
    steps = len(job.all(Batch))
    assert 2 <= steps < 1000 and job.message == f"stopped after {steps} steps"
    assert manager.stop(job.id) == "The job has already stopped."


def test_a_job_that_ignores_stop_is_killed_after_the_grace_period(manager):
    job = manager.submit("alice", "test", {"action": "hang"})
    wait_until(lambda: job.state is JobState.RUNNING)
    manager.stop(job.id)
    wait_until(lambda: not job.active, timeout=10)
    assert job.state is JobState.STOPPED and "did not stop within 0.5 s and was killed" in job.message
    assert job.end is None and not job.stopped_on_request  # the worker never answered
    wait_until(lambda: not job.process.is_alive(), timeout=5)  # SIGKILL sent; the kernel ends it


def test_a_crashed_worker_becomes_a_message(manager):
    job = manager.submit("alice", "test", {"action": "crash"})
    wait_until(lambda: not job.active)
    assert job.state is JobState.FAILED
    assert "killed (signal 9), most likely because it ran out of memory" in job.message
    again = manager.submit("alice", "test", {"action": "count", "steps": 1, "delay": 0})
    wait_until(lambda: not again.active)
    assert again.state is JobState.FINISHED  # the slot was freed


def test_exceptions_and_memory_errors_in_the_job_are_reported(manager):
    job = manager.submit("alice", "test", {"action": "raise"})
    wait_until(lambda: not job.active)
    assert job.message == "ValueError: something went wrong inside the job"
    assert isinstance(job.end, Failed) and "ValueError" in job.end.detail
    job = manager.submit("alice", "test", {"action": "memory"})
    wait_until(lambda: not job.active)
    assert job.message == "the worker ran out of memory; try a smaller batch size, fewer samples or a smaller design"


def test_a_hung_job_times_out():
    jobs = JobManager(max_running=1, timeout_s=1.0, grace_s=0.5, poll_s=0.02, kinds=KINDS)
    try:
        job = jobs.submit("alice", "test", {"action": "hang"})
        wait_until(lambda: not job.active, timeout=20)
        assert job.state is JobState.FAILED and "longer than the 1 s limit" in job.message
    finally:
        jobs.shutdown()


def test_one_active_job_per_session_and_a_queue_per_server(manager):
    first = manager.submit("alice", "test", {"action": "count", "steps": 30, "delay": 0.05})
    with pytest.raises(JobError, match="already"):
        manager.submit("alice", "test", {"action": "count"})
    second = manager.submit("bob", "test", {"action": "count", "steps": 1, "delay": 0})
    assert second.state is JobState.QUEUED and manager.queue_position(second) == 1
    wait_until(lambda: not first.active)
    wait_until(lambda: not second.active)
    assert second.state is JobState.FINISHED and second.started >= first.ended - 0.5


def test_a_queued_job_can_be_cancelled(manager):
    manager.submit("alice", "test", {"action": "count", "steps": 20, "delay": 0.05})
    waiting = manager.submit("bob", "test", {"action": "count"})
    assert manager.stop(waiting.id) == "The job was removed from the queue."
    assert waiting.state is JobState.STOPPED and manager.queue_position(waiting) == 0


def test_unknown_kinds_are_refused_and_the_library_knows_only_its_own():
    jobs = JobManager(max_running=1, poll_s=0.02)
    try:
        with pytest.raises(JobError, match="unknown job kind 'test'; known: train, export"):
            jobs.submit("alice", "test", {"action": "count"})
    finally:
        jobs.shutdown()
