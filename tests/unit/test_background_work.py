"""A session's long work (ui/background.py): results move in as tasks finish, a failed or
cancelled task is reported to the caller, no more than IN_FLIGHT tasks go to the pool, and
stopping cancels what is pending but keeps what has been found."""

from concurrent.futures import Future

from lightdesign.ui import background
from lightdesign.ui.background import Work


def finished(value) -> Future:
    future = Future()
    future.set_result(value)
    return future


def failed(exc: Exception) -> Future:
    future = Future()
    future.set_exception(exc)
    return future


def cancelled() -> Future:
    future = Future()
    future.cancel()
    return future


def test_collect_moves_finished_results_in_and_reports_failed_and_cancelled_tasks():
    pending = Future()
    work = Work(
        "key", futures={"a": finished(1), "b": failed(RuntimeError("pool broke")), "c": cancelled(), "d": pending}
    )
    assert sorted(work.collect()) == ["b", "c"]
    assert work.results == {"a": 1}
    assert work.futures == {"d": pending}
    assert work.state == background.RUNNING


def test_room_allows_in_flight_tasks_at_most():
    work = Work("key")
    assert work.room() == background.IN_FLIGHT
    work.futures = {i: Future() for i in range(background.IN_FLIGHT + 1)}
    assert work.room() == 0


def test_stop_cancels_the_pending_tasks_and_keeps_the_results():
    pending = Future()
    work = Work("key", results={"a": 1}, futures={"b": pending})
    work.stop(background.CANCELLED)
    assert pending.cancelled()
    assert work.futures == {} and work.results == {"a": 1} and work.state == background.CANCELLED


def test_the_sessions_work_is_kept_for_its_key_and_replaced_for_another_which_cancels_it(monkeypatch):
    monkeypatch.setattr(background.st, "session_state", {})
    pending = Future()
    first = background.session_work("scan", "design 1", lambda: Work("design 1", futures={"p": pending}))
    assert background.session_work("scan", "design 1", lambda: Work("design 1")) is first
    second = background.session_work("scan", "design 2", lambda: Work("design 2"))
    assert second is not first and second.key == "design 2"
    assert pending.cancelled()
    assert background.st.session_state["scan"] is second


def test_cancel_stops_running_work_and_resume_runs_it_again_with_its_results(monkeypatch):
    monkeypatch.setattr(background.st, "session_state", {})
    pending = Future()
    work = Work("key", results={"a": 1}, futures={"b": pending}, since=0.0)
    background.st.session_state["scan"] = work
    background.resume_work("scan")
    assert work.state == background.RUNNING and work.since == 0.0, "running work is not resumed"
    background.cancel_work("scan")
    assert work.state == background.CANCELLED and pending.cancelled() and work.results == {"a": 1}
    background.resume_work("scan")
    assert work.state == background.RUNNING and work.since > 0.0 and work.results == {"a": 1}
    work.state = background.DONE
    background.cancel_work("scan")
    assert work.state == background.DONE, "finished work cannot be cancelled"
