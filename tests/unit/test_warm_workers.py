"""Warm workers with TensorFlow-free test jobs: a job starts on a worker started before it,
the worker serves that one job and is replaced, the pool never holds more workers than free
job slots, and a job on a warm worker is stopped, killed, time-limited and memory-capped like
any other. The workers here preload nothing (``preload=()``); the keras tests preload
TensorFlow."""

import time

import pytest

from lightdesign.jobs import JobManager, warm
from lightdesign.jobs.backends import RayBackend, RayConfig
from lightdesign.jobs.messages import JobState

from ..fake_jobs import KINDS
from ..waiting import job_processes, wait_until


def manager(**options) -> JobManager:
    settings = dict(max_running=1, timeout_s=60, grace_s=0.5, poll_s=0.02, kinds=KINDS, warm_workers=1, preload=())
    return JobManager(**{**settings, **options})


@pytest.fixture
def jobs():
    made = []
    yield lambda **options: made.append(manager(**options)) or made[-1]
    for each in made:
        each.shutdown()
    wait_until(lambda: not job_processes())


def warm_pids(jobs: JobManager) -> list[int]:
    return [w.process.pid for w in jobs.warm.workers if w.process.is_alive()]


def test_a_job_runs_on_the_worker_started_before_it_which_then_exits_and_is_replaced(jobs):
    server = jobs()
    wait_until(server.tensorflow_ready)
    (before,) = warm_pids(server)
    job = server.submit("alice", "test", {"action": "count", "steps": 3, "delay": 0.01})
    wait_until(lambda: not job.active)
    assert job.state is JobState.FINISHED and job.pid == before
    wait_until(lambda: not job.process.is_alive())  # one job per worker: nothing is left for the next person
    wait_until(lambda: len(warm_pids(server)) == 1)
    assert warm_pids(server) != [before]
    second = server.submit("bob", "test", {"action": "count", "steps": 1, "delay": 0})
    wait_until(lambda: not second.active)
    assert second.state is JobState.FINISHED and second.pid not in (before, job.pid)


def test_warm_workers_never_outnumber_the_free_job_slots(jobs):
    server = jobs(max_running=2, warm_workers=3)
    wait_until(lambda: len(warm_pids(server)) == 2)  # two slots free: two workers, not three
    first = server.submit("alice", "test", {"action": "count", "steps": 400, "delay": 0.05})
    wait_until(lambda: first.state is JobState.RUNNING)
    time.sleep(0.5)
    assert len(warm_pids(server)) == 1
    second = server.submit("bob", "test", {"action": "count", "steps": 400, "delay": 0.05})
    wait_until(lambda: second.state is JobState.RUNNING)
    time.sleep(0.5)
    assert warm_pids(server) == []  # every slot runs a job: no worker waits beside them
    server.stop(first.id)
    wait_until(lambda: not first.active)
    wait_until(lambda: len(warm_pids(server)) == 1)


def test_a_job_on_a_warm_worker_that_ignores_stop_is_killed(jobs):
    server = jobs()
    wait_until(server.tensorflow_ready)
    job = server.submit("alice", "test", {"action": "hang"})
    wait_until(lambda: job.state is JobState.RUNNING)
    server.stop(job.id)
    wait_until(lambda: not job.active, timeout=10)
    assert job.state is JobState.STOPPED and "was killed" in job.message
    wait_until(lambda: not job.process.is_alive(), timeout=5)


def test_the_time_limit_counts_from_the_job_not_from_the_warm_up(jobs):
    server = jobs(timeout_s=5.0, grace_s=0)
    wait_until(server.tensorflow_ready)
    time.sleep(6)  # the worker has waited longer than a job may run
    quick = server.submit("alice", "test", {"action": "count", "steps": 1, "delay": 0})
    wait_until(lambda: not quick.active)
    assert quick.state is JobState.FINISHED, quick.message
    wait_until(server.tensorflow_ready)
    slow = server.submit("alice", "test", {"action": "hang"})
    wait_until(lambda: not slow.active, timeout=30)
    assert slow.state is JobState.FAILED and "longer than the 5 s limit" in slow.message


def test_a_job_on_a_warm_worker_is_stopped_at_the_memory_cap(jobs):
    server = jobs(memory_cap=250 * 2**20)
    wait_until(server.tensorflow_ready)
    job = server.submit("alice", "test", {"action": "eat", "megabytes": 2000})
    wait_until(lambda: not job.active, timeout=30)
    assert job.state is JobState.FAILED and "memory limit of 250 MB" in job.message


def test_a_warm_worker_that_dies_while_waiting_is_replaced(jobs, monkeypatch):
    monkeypatch.setattr(warm, "RESTART_S", 0.2)
    server = jobs()
    wait_until(server.tensorflow_ready)
    (dead,) = warm_pids(server)
    server.warm.workers[0].process.kill()
    wait_until(lambda: len(warm_pids(server)) == 1 and warm_pids(server) != [dead])
    job = server.submit("alice", "test", {"action": "count", "steps": 1, "delay": 0})
    wait_until(lambda: not job.active)
    assert job.state is JobState.FINISHED


def test_a_module_the_worker_cannot_preload_is_left_to_the_job(jobs):
    server = jobs(preload=("no_such_module_anywhere",))
    wait_until(server.tensorflow_ready)
    job = server.submit("alice", "test", {"action": "count", "steps": 1, "delay": 0})
    wait_until(lambda: not job.active)
    assert job.state is JobState.FINISHED


def test_stop_before_the_worker_is_handed_the_job_still_stops_it(jobs):
    server = jobs()
    job = server.submit("alice", "test", {"action": "count", "steps": 1000, "delay": 0.05})
    server.stop(job.id)  # at once: the job is starting, its worker may not have it yet
    wait_until(lambda: not job.active, timeout=10)
    assert job.state is JobState.STOPPED


def test_without_a_setting_the_jobs_start_cold_and_with_ray_no_worker_waits_here(jobs):
    assert jobs(warm_workers=None).warm.size == 0  # the tests' environment sets LIGHTDESIGN_WARM_WORKERS=0
    server = jobs(backend=RayBackend(RayConfig(address="ray://nowhere:10001")), warm_workers=2)
    time.sleep(0.3)
    assert server.warm.size == 0 and warm_pids(server) == [] and not server.tensorflow_ready()


def test_a_job_given_the_last_slot_still_gets_the_warm_worker_kept_for_it(jobs):
    server = jobs()
    wait_until(server.tensorflow_ready)
    (warm_pid,) = warm_pids(server)
    with server._lock:  # the job has its slot, not yet its worker, when the pool is refilled
        job = server.submit("alice", "test", {"action": "count", "steps": 1, "delay": 0})
        server._keep_warm()
    wait_until(lambda: not job.active)
    assert job.state is JobState.FINISHED and job.pid == warm_pid
