"""A real local Ray head for the tests of the Ray job backend: ``ray start --head --block``
with 2 CPUs, bound to 127.0.0.1, in a temporary folder, stopped by its own pid (never
``ray stop``, which would stop every Ray on the machine)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# Ray resolves 127.0.0.1 to the machine's outward address unless clusters are "disabled"
# (its switch for laptops): with this, every Ray socket stays on the loopback address.
ROOT = Path(__file__).resolve().parents[1]
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def why_not() -> str | None:
    """None when Ray can be tried; else why the Ray tests are skipped."""
    try:
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            return "Ray is not installed (pip install -r requirements-dev.txt installs ray==2.60.0)"
    except (ImportError, ValueError):
        return "Ray is not installed"
    if shutil.which("ray") is None and not (Path(sys.executable).parent / "ray").exists():
        return "the `ray` command is not on PATH"
    return None


class RayHead:
    """``ray start --head`` as a child process; ``address`` is host:port of its GCS."""

    def __init__(self, cpus: int = 2, timeout: float = 90.0):
        os.environ.update(LOOPBACK_ENV)  # the relays (spawned from the tests) connect the same way
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.client_port = _free_port()
        self.client_address = (
            f"ray://127.0.0.1:{self.client_port}"  # Ray Client, as an app outside the cluster connects
        )
        self.folder = tempfile.mkdtemp(prefix="ldray-", dir="/tmp")
        ray = shutil.which("ray") or str(Path(sys.executable).parent / "ray")
        command = [
            ray,
            "start",
            "--head",
            "--block",
            "--node-ip-address=127.0.0.1",
            f"--port={self.port}",
            f"--ray-client-server-port={self.client_port}",
            f"--num-cpus={cpus}",
            "--num-gpus=0",
            "--include-dashboard=false",
            "--disable-usage-stats",
            f"--temp-dir={self.folder}",
            "--object-store-memory=100000000",
        ]
        # the cluster's workers import lightdesign (and the tests' job kinds) from this checkout,
        # as the deploy/Dockerfile.worker image has them installed
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
        self.log = open(Path(self.folder) / "head.log", "wb")  # closed in stop()
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **LOOPBACK_ENV, "PYTHONPATH": path}
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ray start exited with {self.process.returncode}: {self.tail()}")
            if "Ray runtime started" in self.tail(20000):
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the Ray head did not start within {timeout:g} s: {self.tail()}")

    def tail(self, size: int = 600) -> str:
        try:
            return (Path(self.folder) / "head.log").read_bytes()[-size:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to ``ray start --block`` stops the processes it started."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class HeldPort:
    """A TCP proxy on 127.0.0.1 to ``target_port`` that holds every connection unanswered
    (as a cluster too busy to answer) until ``release()``, then forwards them.

    ``tries`` counts the connection attempts that reached it: each begins with the backend's
    probe, a connection closed without a word, before ``ray.init`` opens its own."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.held: list[socket.socket] = []
        self.probes: list[int] = []  # indexes in ``held`` of the connections that were probes
        self.released = False
        self.lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def tries(self) -> int:
        with self.lock:
            return len(self.probes)

    def release(self) -> None:
        """Forward the held connections of the latest try and every new one; those of the
        earlier tries, which gave up, are closed."""
        with self.lock:
            self.released = True
            latest = max(self.probes, default=-1)
            for index, client in enumerate(self.held):
                if index <= latest:
                    client.close()
                else:
                    self._forward(client)
            self.held = []

    def close(self) -> None:
        self.server.close()
        with self.lock:
            for held in self.held:
                held.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with self.lock:
                if self.released:
                    self._forward(client)
                    continue
                self.held.append(client)
                index = len(self.held) - 1
            threading.Thread(target=self._watch, args=(client, index), daemon=True).start()

    def _watch(self, client: socket.socket, index: int) -> None:
        """Count ``client`` as a probe when it closes before sending anything (a peek leaves
        whatever it sends for the forwarding)."""
        try:
            first = client.recv(1, socket.MSG_PEEK)
        except OSError:
            return
        if not first:
            with self.lock:
                self.probes.append(index)

    def _forward(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
