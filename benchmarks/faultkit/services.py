"""The processes of one harness run, each one the harness may kill and start again.

Redis and PostgreSQL are the run's OWN servers (a redis-server and an initdb'd cluster on free
ports, in a temporary folder), never the machine's shared ones: the harness restarts and flushes
them. The service's workers and beats are started the way docker-compose.yml starts them
(``celery -A worker worker|beat``, through ``launch`` for the clock offset).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
_PG_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
PG_BIN = _PG_BINS[-1] if _PG_BINS else None
SCRUBBED = (
    "TWITTER_",
    "FACEBOOK_",
    "REDIS_",
    "DATABASE_",
    "BROKER_",
    "SANDBOX_",
    "SPECS_",
    "DATA_DIR",
    "SMTP_",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(what: str, check: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what} after {timeout:g} s")
        time.sleep(0.1)


class Proc:
    """One child process in its own process group, its output in ``log``."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.popen: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        """Start the process unless it is running (a second one would be orphaned: a long run's
        kills overlapping their restarts once piled up hundreds of unkilled workers)."""
        if self.running():
            return
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv, env=self.env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the process and its group (a worker's pool dies with it)."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def stop(self) -> None:
        if self.running():
            assert self.popen is not None
            self.popen.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=15)
        self.kill()


class Redis:
    """A private redis-server with an append-only file, so that a restart keeps the queues."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        folder.mkdir(parents=True, exist_ok=True)
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "yes", "--dir", str(folder), "--daemonize", "no"]  # fmt: skip
        self.proc = Proc("redis", argv, dict(os.environ), folder / "redis.log")
        self.wait()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False

    def wait(self) -> None:
        wait_until("Redis", self.ping)

    def restart(self, *, flush: bool = False) -> None:
        if flush:
            with socket.create_connection(("127.0.0.1", self.port), 5) as s:
                s.sendall(b"FLUSHALL\r\n")
                s.recv(16)
        self.proc.kill()
        self.proc.start()
        self.wait()


class Postgres:
    """A private PostgreSQL cluster (initdb into a temporary folder), run as the ``postgres`` user
    when the harness runs as root (PostgreSQL refuses to run as root)."""

    def __init__(self, folder: Path) -> None:
        if PG_BIN is None:
            raise RuntimeError("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
        # its own folder, not inside the run's (mkdtemp's 0700 would keep the postgres user out)
        self.folder, self.port = Path(tempfile.mkdtemp(prefix="faults-pg-")), free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run(str(PG_BIN / "initdb"), "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres")
        self.start()

    def _run(self, *argv: str) -> None:
        subprocess.run([*self.as_user, *argv], check=True, capture_output=True)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-o", options,
                  "-l", str(self.folder / "postgres.log"), "-w", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def restart(self) -> None:
        """A crash and a start: every connection breaks, in-flight transactions roll back."""
        self.stop("immediate")
        self.start()


class Sandbox:
    def __init__(self, folder: Path, *, accounts: int, seed: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [sys.executable, "-m", "sandbox", "--port", str(self.port), "--accounts", str(accounts),
                "--seed", str(seed)]  # fmt: skip
        self.proc = Proc("sandbox", argv, dict(os.environ), folder / "sandbox.log")
        wait_until("the sandbox", self._up)

    def _up(self) -> bool:
        try:
            self.admin("GET", "/_sandbox/clock")
        except OSError:
            return False
        return True

    def admin(self, method: str, path: str, body: object = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())


def service_queues() -> str:
    """Every queue the app routes to (default, routes, beat entries): workers consume them all, as
    the deployment does, whatever the queue layout of this version is."""
    from worker.app import app

    queues = {app.conf.task_default_queue or "celery"}
    routes = app.conf.task_routes or {}
    if isinstance(routes, dict):
        queues |= {r["queue"] for r in routes.values() if isinstance(r, dict) and "queue" in r}
    for entry in (app.conf.beat_schedule or {}).values():
        queue = (entry.get("options") or {}).get("queue")
        if queue:
            queues.add(queue)
    queues |= {q.name for q in (app.conf.task_queues or [])}
    return ",".join(sorted(queues))


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED)}
    return env | {"PYTHONUNBUFFERED": "1"} | values
