"""Workers that cannot outlive their server or their limits: a default memory cap from the
machine's memory, enforced; workers that die with the server (also after ``kill -9``) and
stop at their own time limit; a manager that never waits for a worker while holding its lock."""

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from lightdesign.jobs import JobManager, worker
from lightdesign.jobs.messages import Failed, JobState, event_from_dict

from ..fake_jobs import KINDS
from ..waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
MB = 2**20


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_workers_get_a_default_memory_cap_from_the_machine(monkeypatch):
    assert worker.default_memory_cap(total_bytes=16 * 1024 * MB, jobs=2) == 6 * 1024 * MB
    assert worker.default_memory_cap(total_bytes=1024 * MB, jobs=4) == 512 * MB, "never below 512 MB"
    monkeypatch.delenv("LIGHTDESIGN_WORKER_MEMORY_MB", raising=False)
    total = psutil.virtual_memory().total
    assert worker.memory_cap_bytes() == worker.default_memory_cap(total)
    monkeypatch.setenv("LIGHTDESIGN_WORKER_MEMORY_MB", "3072")
    assert worker.memory_cap_bytes() == 3072 * MB
    monkeypatch.setenv("LIGHTDESIGN_WORKER_MEMORY_MB", "0")
    assert worker.memory_cap_bytes() is None, "0 turns the cap off"


def test_a_worker_over_its_memory_cap_is_stopped_with_a_message():
    jobs = JobManager(max_running=1, timeout_s=60, grace_s=0.5, poll_s=0.02, kinds=KINDS, memory_cap=150 * MB)
    try:
        job = jobs.submit("alice", "test", {"action": "eat", "megabytes": 2000})
        wait_until(lambda: not job.active, timeout=30)
        assert job.state is JobState.FAILED
        assert job.message == (
            "the job needed more than its memory limit of 150 MB and was stopped; try a smaller batch size, "
            "fewer samples or a smaller design (LIGHTDESIGN_WORKER_MEMORY_MB changes the limit)"
        )
        wait_until(lambda: gone(job.process.pid), timeout=10)
    finally:
        jobs.shutdown()


SERVER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from lightdesign.jobs import JobManager
    from tests.fake_jobs import KINDS

    if __name__ == "__main__":
        jobs = JobManager(max_running=1, timeout_s=3600, poll_s=0.02, kinds=KINDS)
        job = jobs.submit("alice", "test", {{"action": "hang"}})
        while job.pid is None:
            time.sleep(0.05)
        print(job.pid, flush=True)
        time.sleep(3600)
    """
)


def test_a_worker_dies_with_its_server_after_kill_9(tmp_path):
    """After kill -9 of the server (as the OOM killer sends) its worker dies too, instead of
    being re-parented to PID 1 and training on with no timeout."""
    script = tmp_path / "server.py"
    script.write_text(SERVER.format(root=str(ROOT)))
    server = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        worker_pid = int(server.stdout.readline())
        assert not gone(worker_pid)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        wait_until(lambda: gone(worker_pid), timeout=10)
    finally:
        server.kill()


def test_a_worker_stops_at_its_own_time_limit():
    """A worker enforces its own limit, should its manager not be there to."""
    context = multiprocessing.get_context("spawn")
    channel, stop_flag = context.Queue(), context.Event()
    limits = {"parent": os.getpid(), "deadline_s": 1.0, "memory_bytes": None}
    process = context.Process(
        target=worker.main, args=("test", "tests.fake_jobs:run", {"action": "hang"}, channel, stop_flag, limits)
    )
    process.start()
    events = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(isinstance(e, Failed) for e in events):
        try:
            events.append(event_from_dict(channel.get(timeout=0.5)))
        except Exception:  # noqa: BLE001 - queue.Empty
            pass
    process.join(timeout=10)
    failed = [e for e in events if isinstance(e, Failed)]
    assert failed and failed[0].message == "the job ran longer than its 1 s limit and stopped itself"
    assert process.exitcode == 4


def test_workers_are_started_by_the_managers_own_thread():
    """On Linux a worker dies with the thread that started it: never a session's script thread."""
    jobs = JobManager(max_running=1, timeout_s=60, poll_s=0.02, kinds=KINDS)
    starters = []
    original = multiprocessing.context.SpawnProcess.start

    def start(process):
        starters.append(__import__("threading").current_thread().name)
        return original(process)

    multiprocessing.context.SpawnProcess.start = start
    try:
        job = jobs.submit("alice", "test", {"action": "count", "steps": 1, "delay": 0})
        wait_until(lambda: not job.active)
        assert job.state is JobState.FINISHED
        assert starters == ["lightdesign-jobs"]
    finally:
        multiprocessing.context.SpawnProcess.start = original
        jobs.shutdown()


def test_the_manager_never_waits_for_a_worker_while_holding_its_lock():
    """The manager joins a finished worker outside its lock: inside, it would stall every
    session's poll for about 0.9 s."""
    jobs = JobManager(max_running=1, timeout_s=60, poll_s=0.02, kinds=KINDS)
    held_while_waiting = []
    original = multiprocessing.context.SpawnProcess.join

    def join(process, timeout=None):
        held_while_waiting.append((jobs._lock._is_owned(), timeout))
        return original(process, timeout)

    multiprocessing.context.SpawnProcess.join = join
    try:
        job = jobs.submit("alice", "test", {"action": "linger", "seconds": 1.5})
        wait_until(lambda: job.state is JobState.FINISHED)
        wait_until(lambda: not job.process.is_alive(), timeout=10)
        wait_until(lambda: held_while_waiting, timeout=5)
        assert not [call for call in held_while_waiting if call[0]], held_while_waiting
    finally:
        multiprocessing.context.SpawnProcess.join = original
        jobs.shutdown()


def test_a_failed_jobs_folder_is_removed(tmp_path, monkeypatch):
    """Partial files of a failed job are removed."""
    from lightdesign import config

    folder = config.work_dir() / "jobs" / "partial-test"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.tflite").write_bytes(b"\0" * 100)
    jobs = JobManager(max_running=1, timeout_s=60, poll_s=0.02, kinds=KINDS)
    try:
        job = jobs.submit("alice", "test", {"action": "raise", "work_dir": str(folder)})
        wait_until(lambda: not job.active)
        wait_until(lambda: not folder.exists(), timeout=10)
    finally:
        jobs.shutdown()


@pytest.mark.parametrize("owner", ["workspace-1"])
def test_a_job_is_found_again_by_its_owner(owner):
    """A job whose session is gone stays stoppable by the workspace that started it."""
    jobs = JobManager(max_running=1, timeout_s=60, grace_s=0.5, poll_s=0.02, kinds=KINDS)
    try:
        job = jobs.submit(owner, "test", {"action": "count", "steps": 1000, "delay": 0.05})
        assert jobs.latest_for(owner, "test") is job and jobs.latest_for("other", "test") is None
        jobs.stop(jobs.latest_for(owner, "test").id)
        wait_until(lambda: not job.active)
        assert job.state is JobState.STOPPED
    finally:
        jobs.shutdown()


def test_a_worker_does_not_run_the_app_script_first(tmp_path, monkeypatch):
    """Under `streamlit run` the app script is ``__main__``; a spawned worker imports the
    parent's ``__main__`` from its file, so it ran the whole app (in bare mode) first."""
    import types

    marker = tmp_path / "ran"
    script = tmp_path / "app.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('the app ran')\n")
    app_main = types.ModuleType("__main__")
    app_main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", app_main)
    jobs = JobManager(max_running=1, timeout_s=60, poll_s=0.02, kinds=KINDS)
    try:
        job = jobs.submit("alice", "test", {"action": "count", "steps": 1, "delay": 0})
        wait_until(lambda: not job.active)
        assert job.state is JobState.FINISHED, job.message
        assert not marker.exists(), "the worker ran the app script"
    finally:
        jobs.shutdown()


def test_ended_jobs_are_forgotten_after_a_while_but_each_owners_newest_stays(monkeypatch):
    """Nothing a server holds grows without bound (a job's spec holds its code)."""
    from lightdesign.jobs import manager as manager_module

    jobs = JobManager(max_running=2, timeout_s=60, poll_s=0.02, kinds=KINDS)
    try:
        first = jobs.submit("alice", "test", {"action": "count", "steps": 1, "delay": 0})
        wait_until(lambda: not first.active)
        second = jobs.submit("alice", "test", {"action": "count", "steps": 1, "delay": 0})
        wait_until(lambda: not second.active)
        monkeypatch.setattr(manager_module, "KEEP_ENDED_S", 0.0)
        wait_until(lambda: jobs.get(first.id) is None)
        assert jobs.get(second.id) is second, "the owner's newest job stays"
    finally:
        jobs.shutdown()
