"""Running the docker-compose services outside Docker for the integration tests (no engine
on these machines): a throwaway PostgreSQL cluster (Debian's postgresql-15, which .ci/run
installs; SQLite when its binaries are missing), the Prefect server, the ETL worker and the
dashboard under gunicorn on free ports on 127.0.0.1, and an HTTP client that signs in.
Used by test_services.py and test_serving_switch.py."""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.helpers.callbacks import page_load_request

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
BOARD_USER = "board.tester"
BOARD_PASSWORD = "correct horse battery staple 42"
HELD_BACK = "police_cases__kent__"  # a later vintage of it is loaded by the worker's deployment


# --- processes -----------------------------------------------------------------------------


def tool(name: str) -> str:
    """A console script from this venv (the one running pytest), else from PATH."""
    here = BIN / name
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed in {BIN} or on PATH")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def base_env(**extra: str) -> dict[str, str]:
    """This environment without Prefect/scorecard settings (the session's own), offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SCORECARD_"))}
    # Except where the tests put extracts (<home>/landing; tests/conftest.py).
    env["SCORECARD_LANDING"] = os.environ.get("SCORECARD_LANDING", "${SCORECARD_HOME}/landing")
    env |= {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_TO_API_ENABLED": "false",
    }
    return env | extra


@dataclass
class Service:
    """A command in its own process group, so stopping it also stops what it spawned."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 20) -> None:
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


@contextlib.contextmanager
def running(name: str, argv: list[str], env: dict[str, str], logs: Path) -> Iterator[Service]:
    """Start ``argv``; always stop its whole process group on the way out."""
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    service = Service(name, proc, log)
    try:
        yield service
    finally:
        service.stop()


def wait_until(what: str, check: Callable[[], Any], timeout: float, *watch: Service) -> Any:
    """Poll ``check`` until it returns something truthy; fail early if a service died."""
    deadline = time.monotonic() + timeout
    while True:
        for s in watch:
            if not s.alive():
                pytest.fail(
                    f"{s.name} exited ({s.proc.returncode}) waiting for {what}:\n{s.tail()}"
                )
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {s.name}\n{s.tail()}" for s in watch)
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}\n{logs}")
        time.sleep(0.5)


def http_status(url: str, timeout: float = 5) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, ValueError):
        return None


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (gunicorn's workers), from /proc."""
    out = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'.
        if int(text.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(text.split(" ", 1)[0]))
    return sorted(out)


# --- databases -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Databases:
    backend: str  # "postgresql" or "sqlite"
    app_url: str  # SCORECARD_APP_DB
    prefect_url: str  # PREFECT_API_DATABASE_CONNECTION_URL
    note: str


def pg_bindir() -> Path | None:
    """The newest PostgreSQL server binaries Debian installed, if any."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3])
    )
    return Path(found[-1]).parent if found else None


def _as_postgres(argv: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as Debian's postgres user."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


@contextlib.contextmanager
def postgres_cluster(bindir: Path) -> Iterator[tuple[int, str]]:
    """A throwaway cluster on 127.0.0.1 (port, superuser password), removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="scorecard-pg-"))
    password = secrets.token_hex(16)
    port = free_port()
    data = root / "data"
    try:
        (root / "pw").write_text(password + "\n")
        if os.geteuid() == 0:
            shutil.chown(root, "postgres")
            shutil.chown(root / "pw", "postgres")
        subprocess.run(
            _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                          "--auth-local=trust", "--auth-host=scram-sha-256",
                          f"--pwfile={root / 'pw'}", "-E", "UTF8", "--no-sync"]),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        opts = f"-h {HOST} -p {port} -k {root} -c fsync=off -c max_connections=200"
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts,
                          "-l", str(root / "postgres.log"), "-w", "-t", "60", "start"]),
            check=True, capture_output=True, timeout=90,
        )  # fmt: skip
        yield port, password
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                              "-w", "stop"]),
                capture_output=True, timeout=60, check=False,
            )  # fmt: skip
        pid_file = data / "postmaster.pid"
        if pid_file.exists():  # pg_ctl could not stop it: do not leave it running
            with contextlib.suppress(ValueError, ProcessLookupError, OSError):
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)


def asyncpg_installed() -> bool:
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def databases(tmp: Path) -> Iterator[Databases]:
    """PostgreSQL for Prefect and the app when Debian's binaries exist, else SQLite."""
    bindir = pg_bindir()
    if bindir is None:
        yield Databases(
            "sqlite",
            f"sqlite:///{tmp / 'app.sqlite'}",
            f"sqlite+aiosqlite:///{tmp / 'prefect.db'}",
            "SQLite for the app and Prefect: no PostgreSQL binaries under /usr/lib/postgresql",
        )
        return
    import psycopg

    with postgres_cluster(bindir) as (port, password):
        with psycopg.connect(
            host=HOST, port=port, user="postgres", password=password, dbname="postgres",
            autocommit=True,
        ) as con:  # fmt: skip
            version = con.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
            con.execute("CREATE DATABASE app")
            con.execute("CREATE DATABASE prefect")
        base = f"postgres:{password}@{HOST}:{port}"
        if asyncpg_installed():
            prefect_url = f"postgresql+asyncpg://{base}/prefect"
            note = f"PostgreSQL {version} ({bindir}) for the app database and Prefect"
        else:
            prefect_url = f"sqlite+aiosqlite:///{tmp / 'prefect.db'}"
            note = f"PostgreSQL {version} for the app database; SQLite for Prefect (no asyncpg)"
        yield Databases("postgresql", f"postgresql+psycopg://{base}/app", prefect_url, note)


# --- the dashboard ---------------------------------------------------------------------------


@functools.cache
def login_available() -> bool:
    """True once `scorecard users add` exists (the sign-in); before that pages are open."""
    got = subprocess.run(
        [tool("scorecard"), "users", "add", "--help"], capture_output=True, timeout=60, check=False
    )
    return got.returncode == 0


def app_env(home: Path, app_db: str, **extra: str) -> dict[str, str]:
    """What the dashboard container gets in docker-compose.yml, for a local home."""
    return base_env(
        SCORECARD_HOME=str(home),
        SCORECARD_APP_DB=app_db,
        SCORECARD_SECRET_KEY=secrets.token_hex(32),
        **extra,
    )


def add_user(env: dict[str, str], username: str, password: str, role: str = "board") -> None:
    """`scorecard users add` reading the password from stdin (not a TTY)."""
    got = subprocess.run(
        [tool("scorecard"), "users", "add", username, "--role", role],
        input=password + "\n", text=True, env=env, cwd=ROOT, capture_output=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert got.returncode == 0, f"users add failed: {got.stdout}\n{got.stderr}"


def gunicorn_argv(port: int, workers: int, *extra: str) -> list[str]:
    """docker-compose.yml's dashboard command, bound to 127.0.0.1."""
    return [
        tool("gunicorn"), "--no-control-socket", "-w", str(workers), "-b", f"{HOST}:{port}",
        "--timeout", "120", "--graceful-timeout", "5", *extra, "dashboard.wsgi:server",
    ]  # fmt: skip


class Client(requests.Session):
    """A signed-in (when sign-in exists) browser-like client; every POST says its origin."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base.rstrip("/")
        self.headers["Origin"] = self.base  # the same-origin check on every unsafe request

    def url(self, path: str) -> str:
        return self.base + path

    def login(self, username: str = BOARD_USER, password: str = BOARD_PASSWORD) -> None:
        if not login_available():
            return
        r = self.post(
            self.url("/login"),
            data={"username": username, "password": password},
            allow_redirects=False,
            timeout=30,
        )
        assert r.status_code == 302, f"sign-in failed: HTTP {r.status_code} {r.text[:300]}"
        assert self.cookies, "sign-in set no session cookie"

    def metrics(self, query: str = "level=national", timeout: float = 30) -> requests.Response:
        return self.get(self.url(f"/api/metrics?{query}"), timeout=timeout)

    def page_callback(
        self, pathname: str, deps: list[dict[str, Any]], **kwargs: Any
    ) -> requests.Response:
        """The callback Dash's pages run when the browser opens ``pathname``."""
        kwargs.setdefault("timeout", 60)
        body = page_load_request(deps, pathname)
        return self.post(self.url("/_dash-update-component"), json=body, **kwargs)


def prefect_api(api: str, path: str, body: dict[str, Any] | None = None) -> Any:
    r = (
        requests.post(f"{api}{path}", json=body, timeout=30)
        if body is not None
        else requests.get(f"{api}{path}", timeout=30)
    )
    return r.json() if r.status_code < 300 else None


def later_vintage(files: Path, prefix: str, drop: float = 0.1) -> tuple[str, bytes]:
    """The sender's extract a day later with the first ``drop`` of its rows gone: new bytes,
    a newer as_at and different national figures (its rows are counted nationally)."""
    src = next(files.glob(f"{prefix}*.csv"))
    kind, org, as_at = src.stem.split("__")
    lines = src.read_bytes().splitlines(keepends=True)
    kept = lines[:1] + lines[1 + int((len(lines) - 1) * drop) :]
    later = date.fromisoformat(as_at) + timedelta(days=1)
    return f"{kind}__{org}__{later}.csv", b"".join(kept)
