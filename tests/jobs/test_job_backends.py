"""The job manager behaves the same on both backends: the local worker processes and a
real local Ray head (``ray start --head``, 2 CPUs; skipped with the reason when Ray cannot
start). Events, Stop, a job that ignores Stop, a crash, an exception, a time limit, the
job's files brought back to the server's work folder; and on Ray, where the job ran, an
unreachable cluster and a cluster that goes away mid-job."""

import uuid

import psutil
import pytest

from lightdesign import config
from lightdesign.jobs import JobManager
from lightdesign.jobs.backends import LocalBackend, RayBackend, RayConfig, from_environment
from lightdesign.jobs.messages import (
    Batch,
    DatasetKind,
    DatasetRef,
    Failed,
    JobKind,
    JobState,
    Started,
    TrainSettings,
    TrainSpec,
)

from ..fake_jobs import KINDS
from ..waiting import job_processes, wait_until

KINDS_WITH_TRAIN = {**KINDS, JobKind.TRAIN: "tests.fake_jobs:train"}  # a TensorFlow-free training job
GRACE_S = 1.0


def _backend(request, **config):
    if request.param == "local":
        return LocalBackend()
    head = request.getfixturevalue("ray_head")
    return RayBackend(RayConfig(address=head.address, health_timeout_s=10, **config), grace_s=GRACE_S)


@pytest.fixture(params=["local", pytest.param("ray", marks=pytest.mark.ray)])
def manager(request):
    jobs = JobManager(
        max_running=2, timeout_s=60, grace_s=GRACE_S, poll_s=0.02, kinds=KINDS_WITH_TRAIN, backend=_backend(request)
    )
    yield jobs
    jobs.shutdown()
    wait_until(lambda: not job_processes(), timeout=30)


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_events_stream_back_and_the_job_finishes(manager):
    job = manager.submit("alice", "test", {"action": "count", "steps": 4, "delay": 0.01})
    wait_until(lambda: not job.active, timeout=90)
    assert job.state is JobState.FINISHED, job.message
    assert job.message == "counted 4 steps"
    assert [e.batch for e in job.all(Batch)] == [1, 2, 3, 4]
    assert isinstance(job.events[0], Started)
    where = manager.backend.where(job)
    assert ("Ray node 127.0.0.1" in where) if manager.backend.name == "ray" else where.startswith("this server")


def test_stop_ends_the_job_at_its_next_step(manager):
    job = manager.submit("alice", "test", {"action": "count", "steps": 1000, "delay": 0.05})
    wait_until(lambda: len(job.all(Batch)) >= 2, timeout=90)
    assert manager.stop(job.id) == "Stopping at the end of the current batch."
    wait_until(lambda: not job.active, timeout=10)
    assert job.state is JobState.STOPPED and job.stopped_on_request
    assert 2 <= len(job.all(Batch)) < 1000


def test_a_job_that_ignores_stop_ends_within_the_grace_period_and_its_process_goes(manager):
    job = manager.submit("alice", "test", {"action": "hang"})
    wait_until(lambda: job.state is JobState.RUNNING, timeout=90)
    pid = job.pid
    manager.stop(job.id)
    wait_until(lambda: not job.active, timeout=GRACE_S + 5)
    assert job.state is JobState.STOPPED and not job.stopped_on_request
    assert "did not stop within 1 s" in job.message
    wait_until(lambda: _gone(pid), timeout=20)


def test_a_crash_and_an_exception_become_messages(manager):
    job = manager.submit("alice", "test", {"action": "crash"})
    wait_until(lambda: not job.active, timeout=90)
    assert job.state is JobState.FAILED
    assert "killed" in job.message and "out of memory" in job.message
    job = manager.submit("alice", "test", {"action": "raise"})
    wait_until(lambda: not job.active, timeout=90)
    assert job.message == "ValueError: something went wrong inside the job"
    assert isinstance(job.end, Failed) and "ValueError" in job.end.detail


def test_a_hung_job_times_out_and_its_process_goes(request, manager):
    job = manager.submit("alice", "test", {"action": "hang"})
    wait_until(lambda: job.state is JobState.RUNNING, timeout=90)
    pid = job.pid
    # The limit counts from the job's start, worker start-up included; it is lowered only once
    # the job runs, because on a loaded machine a Ray task can take longer than 4 s to start.
    manager.timeout_s = 4.0
    # Generous ceilings: on a loaded machine Ray takes many seconds to notice and end a task.
    wait_until(lambda: not job.active, timeout=120)
    assert job.state is JobState.FAILED and "longer than the 4 s limit" in job.message
    wait_until(lambda: _gone(pid), timeout=120)  # on Ray: the task ends with its relay


def _train_spec(epochs: int = 2) -> TrainSpec:
    work = config.work_dir() / "jobs" / uuid.uuid4().hex[:12]
    work.mkdir(parents=True)
    data = work / "data.npz"
    data.write_bytes(b"not read by the fake job")
    return TrainSpec(
        design_name="net",
        source="",
        dataset=DatasetRef(kind=DatasetKind.NPZ, name="d", title="d", path=str(data)),
        input_shape=(8, 8, 1),
        num_classes=2,
        from_logits=False,
        work_dir=str(work),
        settings=TrainSettings(epochs=epochs),
        analysis={},
    )


def test_the_jobs_files_land_in_its_work_folder(manager):
    spec = _train_spec()
    job = manager.submit("alice", JobKind.TRAIN, spec)
    wait_until(lambda: not job.active, timeout=90)
    assert job.state is JobState.FINISHED, job.message
    assert job.result.model_path == f"{spec.work_dir}/trained.keras"
    assert (config.work_dir() / "jobs").resolve() in type(config.work_dir())(job.result.model_path).resolve().parents
    with open(job.result.model_path, "rb") as handle:
        assert handle.read() == b"\0" * 1000


# -- Ray only -----------------------------------------------------------------------------------


def test_files_come_back_through_ray_when_nodes_share_no_storage(ray_head):
    backend = RayBackend(RayConfig(address=ray_head.address, shared_storage="no"), grace_s=GRACE_S)
    jobs = JobManager(
        max_running=1, timeout_s=60, grace_s=GRACE_S, poll_s=0.02, kinds=KINDS_WITH_TRAIN, backend=backend
    )
    try:
        spec = _train_spec(epochs=1)
        job = jobs.submit("alice", JobKind.TRAIN, spec)
        wait_until(lambda: not job.active, timeout=90)
        assert job.state is JobState.FINISHED, job.message
        # the task wrote into a temporary folder on its node; the path and the file are the server's
        assert job.result.model_path == f"{spec.work_dir}/trained.keras"
        with open(job.result.model_path, "rb") as handle:
            assert len(handle.read()) == 1000
    finally:
        jobs.shutdown()


def test_an_app_outside_the_cluster_connects_through_ray_client(ray_head):
    # Ray Client starts a server process for each new client, which imports Ray: on a busy
    # 2-core CI machine that took more than 20 s, so this test gives the first connect a minute
    backend = RayBackend(RayConfig(address=ray_head.client_address, health_timeout_s=30), grace_s=GRACE_S)
    jobs = JobManager(
        max_running=1, timeout_s=150, grace_s=GRACE_S, poll_s=0.02, kinds=KINDS_WITH_TRAIN, backend=backend
    )
    try:
        spec = _train_spec(epochs=2)
        job = jobs.submit("alice", JobKind.TRAIN, spec)
        wait_until(lambda: not job.active, timeout=150)
        assert job.state is JobState.FINISHED, job.message
        assert "Ray node 127.0.0.1" in backend.where(job)
        assert [e.epoch for e in job.all(Batch)] == [1, 2]
        with open(job.result.model_path, "rb") as handle:
            assert len(handle.read()) == 1000
        job = jobs.submit("alice", "test", {"action": "count", "steps": 1000, "delay": 0.05})
        wait_until(lambda: len(job.all(Batch)) >= 2, timeout=90)
        jobs.stop(job.id)
        wait_until(lambda: not job.active, timeout=10)
        assert job.state is JobState.STOPPED and job.stopped_on_request
    finally:
        jobs.shutdown()


def test_a_start_the_cluster_did_not_answer_in_time_is_tried_again(ray_head):
    """A job whose connection the busy cluster did not answer within the time limit failed;
    its start is tried again (here the Ray Client port answers nothing until a second try
    began)."""
    from tests.ray_cluster import HeldPort

    port = HeldPort(ray_head.client_port)
    backend = RayBackend(RayConfig(address=f"ray://127.0.0.1:{port.port}", health_timeout_s=8), grace_s=GRACE_S)
    jobs = JobManager(
        max_running=1, timeout_s=300, grace_s=GRACE_S, poll_s=0.02, kinds=KINDS_WITH_TRAIN, backend=backend
    )
    try:
        job = jobs.submit("alice", JobKind.TRAIN, _train_spec(epochs=1))
        wait_until(lambda: port.tries >= 2 or not job.active, timeout=240)  # a second try began
        assert job.active and not job.events, job.message
        port.release()
        wait_until(lambda: not job.active, timeout=240)
        assert job.state is JobState.FINISHED, job.message
    finally:
        jobs.shutdown()
        port.close()


@pytest.mark.ray
def test_an_unreachable_cluster_is_a_message_not_a_wait(monkeypatch):
    from tests.ray_cluster import LOOPBACK_ENV, why_not

    reason = why_not()
    if reason:
        pytest.skip(reason)
    for key, value in LOOPBACK_ENV.items():
        monkeypatch.setenv(key, value)
    backend = RayBackend(RayConfig(address="127.0.0.1:9", health_timeout_s=5), grace_s=GRACE_S)
    jobs = JobManager(max_running=1, timeout_s=60, grace_s=GRACE_S, poll_s=0.02, kinds=KINDS, backend=backend)
    try:
        job = jobs.submit("alice", "test", {"action": "count"})
        wait_until(lambda: not job.active, timeout=30)
        assert job.state is JobState.FAILED
        assert "could not connect to the Ray cluster at 127.0.0.1:9" in job.message
        assert "LIGHTDESIGN_RAY_ADDRESS" in job.message
    finally:
        jobs.shutdown()


@pytest.mark.ray
def test_a_cluster_that_goes_away_mid_job_ends_the_job_with_a_message():
    from tests.ray_cluster import RayHead, why_not

    reason = why_not()
    if reason:
        pytest.skip(reason)
    try:
        head = RayHead(cpus=1)
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"the Ray head did not start: {exc}")
    backend = RayBackend(RayConfig(address=head.address, health_timeout_s=5), grace_s=GRACE_S)
    jobs = JobManager(max_running=1, timeout_s=120, grace_s=GRACE_S, poll_s=0.02, kinds=KINDS, backend=backend)
    try:
        job = jobs.submit("alice", "test", {"action": "count", "steps": 10000, "delay": 0.05})
        wait_until(lambda: len(job.all(Batch)) >= 2, timeout=90)
        head.stop()
        wait_until(lambda: not job.active, timeout=60)
        assert job.state is JobState.FAILED
        assert "Ray" in job.message and ("lost" in job.message or "died" in job.message), job.message
    finally:
        jobs.shutdown()
        head.stop()


def test_the_backend_follows_the_environment(monkeypatch):
    monkeypatch.delenv("LIGHTDESIGN_RAY_ADDRESS", raising=False)
    assert isinstance(from_environment(), LocalBackend)
    monkeypatch.setenv("LIGHTDESIGN_RAY_ADDRESS", "10.1.2.3:6379")
    monkeypatch.setenv("LIGHTDESIGN_RAY_JOB_CPUS", "2")
    monkeypatch.setenv("LIGHTDESIGN_RAY_SHARED_STORAGE", "YES")
    backend = from_environment()
    assert isinstance(backend, RayBackend) and backend.config.cpus == 2.0 and backend.config.shared_storage == "yes"
    assert backend.describe() == "the Ray cluster at 10.1.2.3:6379"


def test_a_gpu_is_declared_only_when_the_job_asks_and_the_cluster_has_one():
    from lightdesign.jobs.ray_backend import _resources

    asks = {"settings": {"mixed_precision": True}}
    assert _resources({"cpus": 1.0}, asks, {"CPU": 4, "GPU": 1}) == {"num_cpus": 1.0, "num_gpus": 1}
    assert _resources({"cpus": 1.0}, asks, {"CPU": 4}) == {"num_cpus": 1.0, "num_gpus": 0}
    assert _resources({"cpus": 2.0}, {"settings": {}}, {"GPU": 8}) == {"num_cpus": 2.0, "num_gpus": 0}
    assert _resources({"cpus": 1.0, "gpus": 0.5}, {}, {}) == {"num_cpus": 1.0, "num_gpus": 0.5}
