"""The dashboard as deployed (gunicorn, ``dashboard.wsgi:server``) does not say what software
serves it (no ``Server`` header on any response), and the app database its workers create is
private to their user even when started with an open umask."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            return resp.status, dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def test_gunicorn_sends_no_server_header(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.pop("SCORECARD_APP_DB", None)
    home = tmp_path / "home"
    env |= {"SCORECARD_HOME": str(home), "PYTHONPATH": str(ROOT)}
    log = tmp_path / "gunicorn.log"
    old_umask = os.umask(0o022)  # what gunicorn usually starts with
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(GUNICORN), "--no-control-socket", "-w", "1", "-b", f"127.0.0.1:{port}",
             "dashboard.wsgi:server"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    os.umask(old_umask)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                status, headers = _get(base + "/healthz")
                break
            except OSError:  # not listening yet (URLError, refused, timed out)
                assert proc.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.5)
        assert status == 200
        for path in ("/healthz", "/login", "/definitions", "/no-such-thing"):
            status, headers = _get(base + path)
            assert "Server" not in headers, (path, headers.get("Server"))
        # A sign-in attempt makes the worker create the app database.
        form = urllib.parse.urlencode({"username": "nobody", "password": "x"}).encode()
        req = urllib.request.Request(base + "/login", data=form, headers={"Origin": base})
        try:
            urllib.request.urlopen(req, timeout=60)
        except urllib.error.HTTPError as exc:
            assert exc.code == 401 and "Server" not in exc.headers
        assert stat.S_IMODE((home / "app.sqlite").stat().st_mode) == 0o600
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
