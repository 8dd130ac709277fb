"""What persistence costs, in one run.

    python bench/store.py [--edits 40] [--postgres]

Prints, on SQLite (and on a PostgreSQL server started for the run with --postgres):
- saving one edit (``Store.flush`` of one field change; median),
- an edit's full Design-page rerun (AppTest, server time; median) with the store and with
  the store switched off in the same process, and their ratio,
- loading a design with a 1,000-edit history,
- opening a workspace with 24 designs and 50 runs.
Timings are printed, never asserted: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["LIGHTDESIGN_WORK_DIR"] = tempfile.mkdtemp(prefix="lightdesign-bench-")

from bench.timing import median_seconds
from lightdesign.core import edits, presets
from lightdesign.core.workspace import MAX_DESIGNS, Workspace
from lightdesign.store import new_workspace_id, open_store


def flush_ms(url: str, edits_count: int) -> float:
    store = open_store(url)
    ws = Workspace([presets.build("mobilenet_v2")])
    store.create(ws, new_workspace_id())
    times = []
    for i in range(edits_count):
        ws.apply(lambda d, i=i: edits.set_param(d, d.blocks[0].id, "filters", 8 + i % 32))
        start = time.perf_counter()
        store.flush(ws)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def history_load_ms(url: str) -> float:
    store = open_store(url)
    ws = Workspace()
    wid = new_workspace_id()
    store.create(ws, wid)
    for i in range(1000):
        ws.apply(lambda d, i=i: edits.set_param(d, d.blocks[0].id, "filters", 8 + i % 64))
        if i % 100 == 99:
            store.flush(ws)
    assert len(store.load(wid).entry.undo) == 1000
    return 1000 * median_seconds(lambda: store.load(wid), 5)


def big_workspace_ms(url: str) -> float:
    store = open_store(url)
    names = list(presets.PRESETS)
    ws = Workspace([presets.build(names[i % len(names)]) for i in range(MAX_DESIGNS)])
    for i in range(50):
        history = [{"epoch": e, "loss": 1.0 / e, "accuracy": 0.5} for e in range(1, 6)]
        ws.record_run(ws.names[i % MAX_DESIGNS], {"state": "finished", "history": history, "test_accuracy": 0.9})
    wid = new_workspace_id()
    store.create(ws, wid)
    return 1000 * median_seconds(lambda: store.load(wid), 5)


def page_edit_ms(edits_count: int, with_store: bool) -> float:
    from lightdesign.ui import persist
    from tests.app.conftest import new_app

    original = persist.store
    if not with_store:
        persist.store = lambda: None
    try:
        at = new_app()  # with the fix that reruns app.py as `streamlit run` does
        at.run()
        times = []
        for i in range(edits_count):
            ws = at.session_state["workspace"]
            block = ws.design.blocks[0]
            at.session_state["selected_block"] = block.id
            widget = next(w for w in at.number_input if w.key and w.key.endswith(f"{block.id}_filters"))
            widget.set_value(8 + i % 32)
            start = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - start)
            assert not at.exception, at.exception
        return 1000 * statistics.median(times)
    finally:
        persist.store = original


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--postgres", action="store_true", help="also measure a PostgreSQL server started here")
    args = parser.parse_args()
    urls = {"SQLite": f"sqlite:///{Path(os.environ['LIGHTDESIGN_WORK_DIR']) / 'bench.db'}"}
    server = None
    if args.postgres:
        from tests.postgres import PostgresServer, server_bin

        server = PostgresServer(server_bin())
        urls["PostgreSQL"] = server.new_database()
    try:
        for label, url in urls.items():
            print(f"{label}:")
            print(f"  save one edit (MobileNetV2)        {flush_ms(url, args.edits):7.2f} ms  (target < 5)")
            print(f"  load a 1,000-edit history           {history_load_ms(url):7.2f} ms  (target < 50)")
            print(f"  open 24 designs + 50 runs           {big_workspace_ms(url):7.2f} ms  (target < 300)")
        without = page_edit_ms(args.edits, with_store=False)
        with_store = page_edit_ms(args.edits, with_store=True)
        without_again = page_edit_ms(args.edits, with_store=False)
        baseline = (without + without_again) / 2
        print("Design page, edit -> rerun (AppTest, server time, SQLite):")
        print(f"  without the store  {without:7.1f} ms, again {without_again:7.1f} ms")
        print(f"  with the store     {with_store:7.1f} ms")
        print(f"  ratio              {with_store / baseline:7.3f}  (target <= 1.1)")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
