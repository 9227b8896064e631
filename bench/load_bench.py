"""Load test: a bounded, headless locust run against the dashboard under gunicorn on 127.0.0.1.

    python -m bench.load_bench --scale 1                 # builds a home first
    python -m bench.load_bench --home DIR [--users 50] [--duration 60] [--workers 4]

Serves ``--home`` (a SCORECARD_HOME with a published snapshot; built with
``bench.dashboard_bench.build_home`` when it has none) with the production command
(``gunicorn --no-control-socket -w N dashboard.wsgi:server``), adds a board user with
``scorecard users add`` and records, in Debian's Chromium, the Dash callbacks each page fires
when it opens. Locust (bench/locustfile.py, run as a subprocess) then signs 50 users in and
has each open pages - page, layout, dependencies and the recorded callbacks - or read
/api/metrics, pausing 1-5 s between actions: users start at 5 a second (each signs in then),
and the run goes on for 60 s once all are started.

Percentiles are exact, from every response time the locustfile records. The steady state (all
users started, sign-in excluded) is what the target is checked against; the ramp, the sign-ins
and the whole run are reported beside it. Figures (p50/p95/p99/max overall and per request,
errors, requests/s, the server's CPU, load average) are printed and appended to
bench/results/load.json with machine info. Target: 50 users, p95 <= 500 ms, zero errors.
Nothing is asserted: figures only.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench import record
from bench.dashboard_bench import CHROMIUM, CHROMIUM_ARGS, build_home, has_snapshot, machine

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PAGES = ("/", "/area/kent", "/compare", "/recommendations", "/recommendations/4", "/definitions")
TARGET_P95_MS = 500


def tool(name: str) -> str:
    here = BIN / name
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed (pip install -e '.[dev]')")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, ValueError):
        return None


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of the processes (and their reaped children) so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / tick


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            if int(text.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(text.split(" ", 1)[0]))
    return out


# --- the server --------------------------------------------------------------------------


def login_available() -> bool:
    got = subprocess.run(
        [tool("scorecard"), "users", "add", "--help"], capture_output=True, check=False
    )
    return got.returncode == 0


def add_user(env: dict[str, str]) -> tuple[str, str] | None:
    """A board user made with the CLI (password on stdin); None before sign-in existed."""
    if not login_available():
        return None
    username, password = f"load{secrets.token_hex(4)}", secrets.token_urlsafe(24)
    subprocess.run(
        [tool("scorecard"), "users", "add", username, "--role", "board"],
        input=password + "\n", text=True, env=env, cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return username, password


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int, log: Path) -> Iterator[tuple[str, int]]:
    """(base URL, master pid) of the production command on a free port; stopped afterwards."""
    port = free_port()
    argv = [tool("gunicorn"), "--no-control-socket", "-w", str(workers), "-b", f"{HOST}:{port}",
            "--timeout", "120", "dashboard.wsgi:server"]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 180
        while http_status(f"{base}/healthz") != 200 or len(children(proc.pid)) < workers:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; see {log}")
            time.sleep(0.5)
        yield base, proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


# --- what a browser sends ----------------------------------------------------------------


def record_pages(base: str, user: tuple[str, str] | None) -> tuple[dict[str, list], list[str]]:
    """The callback bodies each page posts when it opens in Chromium, signed in; problems."""
    from playwright.sync_api import sync_playwright

    script: dict[str, list] = {}
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        if user is not None:
            page.goto(f"{base}/login")
            page.fill("#username", user[0])
            page.fill("#password", user[1])
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
        bodies: list[dict[str, Any]] = []

        def on_request(req: Any) -> None:
            if req.method == "POST" and urlsplit(req.url).path == "/_dash-update-component":
                bodies.append(req.post_data_json)

        def on_response(resp: Any) -> None:
            if resp.status >= 400:
                problems.append(f"{resp.url} HTTP {resp.status}")

        page.on("request", on_request)
        page.on("response", on_response)
        for path in PAGES:
            bodies.clear()
            page.goto(base + path, wait_until="networkidle", timeout=180_000)
            script[path] = list(bodies)
        browser.close()
    return script, problems


def api_query(home: Path) -> str:
    import duckdb

    con = duckdb.connect(str(home / "snapshots" / "current.duckdb"), read_only=True)
    try:
        row = con.execute("SELECT max(period) FROM mart.metric_values WHERE period LIKE '____-__'")
        period = row.fetchone()[0]  # type: ignore[index]
    finally:
        con.close()
    return f"level=force&period={period}" if period else "level=national"


# --- locust ------------------------------------------------------------------------------


@dataclass
class Usage:
    """What the run cost: wall time, and the server's CPU and the load average over the
    whole run and over the steady state (from the locustfile's #spawned mark to the end)."""

    exit_code: int = 0
    wall_s: float = 0.0
    steady_s: float = 0.0
    server_cpu_s: float = 0.0
    steady_server_cpu_s: float = 0.0
    load_avg: dict[str, float] = field(default_factory=dict)


def run_locust(
    base: str,
    env: dict[str, str],
    users: int,
    rate: float,
    seconds: int,
    out: Path,
    server_pids: list[int],
) -> Usage:
    """Run locust headless (stats in out/locust_*.csv, samples in SCORECARD_LOAD_SAMPLES),
    sampling the server's CPU when the steady state starts."""
    argv = [
        tool("locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
        "-u", str(users), "-r", str(rate), "-t", f"{seconds}s", "--host", base,
        "--csv", str(out / "locust"), "--only-summary", "--stop-timeout", "10",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    samples = Path(env["SCORECARD_LOAD_SAMPLES"])
    use = Usage(load_avg={"start": round(os.getloadavg()[0], 2)})
    cpu0 = cpu_seconds(server_pids)
    started = time.perf_counter()
    steady_at, steady_cpu = None, None
    proc = subprocess.Popen(argv, env=env, cwd=ROOT)
    try:
        while proc.poll() is None:
            if time.perf_counter() - started > seconds + 300:
                proc.kill()
            if steady_at is None and samples.exists() and "#spawned" in samples.read_text():
                steady_at, steady_cpu = time.perf_counter(), cpu_seconds(server_pids)
                use.load_avg["steady_start"] = round(os.getloadavg()[0], 2)
            time.sleep(0.25)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    ended = time.perf_counter()
    cpu1 = cpu_seconds(server_pids)
    use.exit_code = proc.returncode
    use.wall_s = round(ended - started, 1)
    use.server_cpu_s = round(cpu1 - cpu0, 1)
    if steady_at is not None and steady_cpu is not None:
        use.steady_s = round(ended - steady_at, 1)
        use.steady_server_cpu_s = round(cpu1 - steady_cpu, 1)
    use.load_avg["end"] = round(os.getloadavg()[0], 2)
    return use


Sample = tuple[str, str, float, bool]


def percentile(xs: list[float], q: float) -> float | None:
    """Nearest-rank percentile of exact response times."""
    if not xs:
        return None
    s = sorted(xs)
    return round(s[min(len(s) - 1, max(0, round(q * len(s) + 0.5) - 1))], 1)


def summarise(samples: list[Sample]) -> dict[str, Any]:
    times = [t for _m, _n, t, _e in samples]
    return {
        "requests": len(samples),
        "errors": sum(e for *_x, e in samples),
        "p50_ms": percentile(times, 0.50),
        "p95_ms": percentile(times, 0.95),
        "p99_ms": percentile(times, 0.99),
        "max_ms": round(max(times), 1) if times else None,
    }


def read_samples(path: Path) -> tuple[list[Sample], list[Sample]]:
    """(method, name, ms, failed) per request as the locustfile wrote them: (the ramp, after
    every user was started)."""
    ramp: list[Sample] = []
    steady: list[Sample] = []
    into = ramp
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#spawned"):
            into = steady
            continue
        method, name, ms, failed = line.split("\t")
        into.append((method, name, float(ms), failed == "1"))
    return ramp, steady


def read_failures(out: Path) -> list[dict[str, Any]]:
    fpath = out / "locust_failures.csv"
    if not fpath.exists():
        return []
    with fpath.open(newline="") as f:
        return [
            {"method": r["Method"], "name": r["Name"], "error": r["Error"][:300],
             "occurrences": int(r["Occurrences"])}
            for r in csv.DictReader(f)
        ]  # fmt: skip


# --- report ------------------------------------------------------------------------------


def append_result(result: dict[str, Any]) -> Path:
    return record.append("load", result)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=None, help="SCORECARD_HOME with a snapshot")
    parser.add_argument("--scale", type=float, default=1.0, help="scale to build without --home")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second")
    parser.add_argument("--duration", type=int, default=60, help="seconds after the ramp")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (2 x CPUs)")
    parser.add_argument("--app-db", default=None, help="SCORECARD_APP_DB (default: SQLite)")
    parser.add_argument("--note", default="", help="a label kept with the results")
    args = parser.parse_args(argv)

    home = (args.home or Path(tempfile.mkdtemp(prefix="scorecard-load-bench-"))).resolve()
    built_s = None
    if not has_snapshot(home):
        print(f"building a scale-{args.scale:g} home in {home} ...", flush=True)
        built_s = build_home(home, args.scale)
        print(f"  built in {built_s:.0f} s", flush=True)
    workers = args.workers or max(2, 2 * (os.cpu_count() or 1))
    work = Path(tempfile.mkdtemp(prefix="scorecard-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCORECARD_", "PREFECT_"))}
    env |= {
        "SCORECARD_HOME": str(home),
        "SCORECARD_SECRET_KEY": secrets.token_hex(32),
        "SCORECARD_APP_DB": args.app_db or f"sqlite:///{home / 'app.sqlite'}",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    user = add_user(env)
    print(f"sign-in: {'board user ' + user[0] if user else 'none (the app has no sign-in yet)'}")

    with gunicorn(env, workers, work / "gunicorn.log") as (base, master):
        if not Path(CHROMIUM).exists():
            raise SystemExit(f"no Chromium at {CHROMIUM} to record the pages' callbacks")
        script, problems = record_pages(base, user)
        if problems:
            print(f"recording saw errors: {problems[:5]}")
        (work / "script.json").write_text(json.dumps(script), encoding="utf-8")
        print(
            "recorded callbacks per page open: "
            + ", ".join(f"{p} {len(b)}" for p, b in script.items())
        )
        locust_env = env | {
            "SCORECARD_LOAD_SCRIPT": str(work / "script.json"),
            "SCORECARD_LOAD_API_QUERY": api_query(home),
            "SCORECARD_LOAD_SAMPLES": str(work / "samples.tsv"),
        }
        if user:
            locust_env |= {"SCORECARD_LOAD_USER": user[0], "SCORECARD_LOAD_PASSWORD": user[1]}
        server_pids = [master, *children(master)]
        print(
            f"locust: {args.users} users started at {args.spawn_rate:g}/s, then "
            f"{args.duration} s; 1-5 s pauses; {workers} gunicorn workers"
        )
        ramp_s = math.ceil(args.users / args.spawn_rate)
        use = run_locust(
            base, locust_env, args.users, args.spawn_rate, ramp_s + args.duration, work,
            server_pids,
        )  # fmt: skip

    ramp, steady = read_samples(work / "samples.tsv")
    samples = ramp + steady
    failures = read_failures(work)
    everything = summarise(samples)
    # The target is about using the dashboard once 50 users are on it: each signs in once
    # while the users are started (argon2 is slow on purpose), so the sign-ins and the ramp
    # are reported on their own beside the steady state the target is checked against.
    sign_in = summarise([x for x in samples if x[1] == "POST /login"])
    pages = summarise([x for x in steady if x[1] != "POST /login"])
    names = sorted({(m, n) for m, n, _t, _e in samples})
    per_name = [
        {"method": m, "name": n} | summarise([x for x in steady if (x[0], x[1]) == (m, n)])
        for m, n in names
    ]
    errors = everything["errors"]
    cpus = os.cpu_count() or 1
    result = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "note": args.note,
        "machine": machine(),
        "home": str(home),
        "scale": None if args.home else args.scale,
        "built_s": None if built_s is None else round(built_s),
        "server": {
            "workers": workers,
            "app_db": env["SCORECARD_APP_DB"].split(":", 1)[0],
            "sign_in": bool(user),
        },
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "duration_s": args.duration,
        "pause_s": [1, 5],
        "wall_s": use.wall_s,
        "steady_s": use.steady_s,
        "requests_per_s": round(everything["requests"] / max(use.wall_s, 1e-9), 1),
        "steady_requests_per_s": round(pages["requests"] / max(use.steady_s, 1e-9), 1),
        "all": everything,
        "ramp_s": ramp_s,
        "ramp": summarise([x for x in ramp if x[1] != "POST /login"]),
        "steady_state": pages,
        "sign_in": sign_in,
        "target": {"p95_ms": TARGET_P95_MS, "errors": 0},
        "meets_target": errors == 0 and (pages["p95_ms"] or 1e9) <= TARGET_P95_MS,
        "server_cpu_s": use.server_cpu_s,
        "server_cpu_share": round(use.server_cpu_s / max(use.wall_s * cpus, 1e-9), 2),
        # CPU the server spent per request once every user had signed in: what a request
        # costs, whatever else the machine is doing.
        "steady_server_cpu_ms_per_request": round(
            1000 * use.steady_server_cpu_s / max(pages["requests"], 1), 1
        ),
        "steady_server_cpu_share": round(
            use.steady_server_cpu_s / max(use.steady_s * cpus, 1e-9), 2
        ),
        "load_avg_1m": use.load_avg,
        "locust_exit": use.exit_code,
        "per_request": per_name,
        "failures": failures,
    }
    print(f"\n{'request':64} {'n':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'max':>7}")
    for r in sorted(per_name, key=lambda r: -(r["p95_ms"] or 0)):
        label = f"{r['method']} {r['name']}"
        print(
            f"{label:64.64} {r['requests']:>6} {r['errors']:>5} {r['p50_ms'] or 0:>6.0f} "
            f"{r['p95_ms'] or 0:>6.0f} {r['max_ms'] or 0:>7.0f}"
        )
    figures = (
        ("steady state (all users started, no sign-in)", pages),
        ("whole run", everything),
        ("sign-in", sign_in),
    )
    for label, fig in figures:
        print(
            f"{label}: {fig['requests']} requests, {fig['errors']} errors, "
            f"p50 {fig['p50_ms']} ms, p95 {fig['p95_ms']} ms, max {fig['max_ms']} ms"
        )
    print(
        f"{result['requests_per_s']} req/s; target (steady state) p95 <= {TARGET_P95_MS} ms "
        f"and 0 errors: {'met' if result['meets_target'] else 'MISSED'}\n"
        f"server CPU {use.server_cpu_s:.0f} s ({result['server_cpu_share']:.0%} of {cpus} CPUs); "
        f"steady state {result['steady_server_cpu_ms_per_request']} ms CPU per request "
        f"({result['steady_server_cpu_share']:.0%} of {cpus} CPUs); load average "
        f"{use.load_avg}"
    )
    for f in failures[:10]:
        print(f"  failure x{f['occurrences']}: {f['method']} {f['name']}: {f['error']}")
    print(f"results appended to {append_result(result)}")
    shutil.rmtree(work, ignore_errors=True)
    return result


if __name__ == "__main__":
    main()
