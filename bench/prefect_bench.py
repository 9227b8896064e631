"""Prefect's fixed cost per refresh: a temporary server per run against the long-lived
server that scheduled refreshes use (issue 15 item 3).

    python -m bench.prefect_bench [--scale 0.01] [--rounds 3]

A refresh with nothing new to load is almost all fixed cost: the interpreter and its
imports, Prefect, the ledger's checks. Each refresh here is ``scorecard etl run`` in a new
process, as cron or an analyst starts it, on a data home whose landing folder is already
loaded, alternately:

- ``temporary``: no PREFECT_API_URL, so the process starts Prefect's temporary server (what a
  one-off refresh outside compose does);
- ``long-lived``: PREFECT_API_URL names one ``prefect server start`` started before the
  timing (compose's prefect-server, where ``scorecard etl serve`` registers the scheduled
  deployments).

Also timed: the imports alone (``python -c 'import ...'``), the floor under both. Prints the
median wall seconds of each with the load average and appends them to
bench/results/prefect.json. Figures only, no assertion on time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import record
from bench.etl_bench import generate

IMPORTS = "import scorecard_app.cli, pipelines.flow, expectations.validate"
KEY = "bench-pseudonym-key-0123456789abcdef0123456789"


def _env(home: Path, api_url: str | None) -> dict[str, str]:
    env = os.environ | {
        "SCORECARD_HOME": str(home),
        "SCORECARD_LANDING": str(home / "landing"),
        "SCORECARD_PSEUDONYM_KEY": KEY,
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    env.pop("PREFECT_API_URL", None)
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def _timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return took


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``prefect server start`` on a free local port, once it answers its health check."""
    port = _free_port()
    env = _env(home, None)
    (home / "prefect").mkdir(parents=True, exist_ok=True)
    log = home / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
             "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"prefect server start exited:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as r:
                if r.status == 200:
                    return proc, api
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("prefect server start did not answer within 180 s")


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="prefect-bench-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        files = work / "files"
        files.mkdir()
        generate(files, args.scale)  # its progress bar goes to stderr
        home = work / "home"
        shutil.copytree(files, home / "landing")
        refresh = [sys.executable, "-m", "scorecard_app", "etl", "run"]
        server, api = _start_server(work / "server")
        _timed(refresh, _env(home, api))  # loads everything once; later runs find nothing new
        times: dict[str, list[float]] = {"imports": [], "temporary": [], "long-lived": []}
        for _ in range(args.rounds):
            times["imports"].append(_timed([sys.executable, "-c", IMPORTS], _env(home, None)))
            times["temporary"].append(_timed(refresh, _env(home, None)))
            times["long-lived"].append(_timed(refresh, _env(home, api)))
        load = os.getloadavg()
        result: dict[str, object] = {
            "bench": "prefect",
            "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "scale": args.scale,
            "rounds": args.rounds,
            "median_s": {k: round(statistics.median(v), 2) for k, v in times.items()},
            "all_s": {k: [round(x, 2) for x in v] for k, v in times.items()},
            "load_average": [round(x, 2) for x in load],
        }
        med = result["median_s"]
        assert isinstance(med, dict)
        print(
            f"[prefect] a refresh with nothing new, median of {args.rounds} (scale "
            f"{args.scale}): temporary server {med['temporary']:.1f} s, long-lived server "
            f"{med['long-lived']:.1f} s, imports alone {med['imports']:.1f} s "
            f"(load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})"
        )
        record.append("prefect", result)
        return result
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
