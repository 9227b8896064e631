"""ETL benchmark: a full refresh at a given scale, beside DuckDB's bare scan of the same files
and the pandas script an analyst would otherwise write (bench/pandas_baseline.py).

Run ``python -m bench.etl_bench --scale 10`` (or ``make bench``). Prints wall time, CPU time,
peak RSS and rows per second of ``scorecard etl run`` in a fresh data home; the time for
DuckDB to read every CSV into memory (the floor any loader could reach); and the pandas
baseline's time, peak RSS and whether its figures agree with the refresh's marts. All three
are measured in one run on one machine, with the load average beside them (the bench
machines are shared: CPU seconds are steadier than wall seconds there). Results are
appended to bench/results/etl.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from bench import record
from scorecard.contract import KINDS


def generate(out: Path, scale: float) -> None:
    if any(out.glob("police_cases__*")):
        return
    subprocess.run(
        [sys.executable, "-m", "scorecard_app", "generate", "--out", str(out), "--scale",
         str(scale), "--seed", "1"],
        check=True,
    )  # fmt: skip


def bare_scan(files: Path) -> tuple[float, int]:
    """Seconds for DuckDB to parse every extract fully into memory; total rows (run in a
    child process: see run_child)."""
    con = duckdb.connect()
    started = time.perf_counter()
    rows = 0
    for kind in KINDS:
        if not any(files.glob(f"{kind}__*.csv")):
            continue
        pattern = str(files / f"{kind}__*.csv")
        con.execute(
            "CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv(?, all_varchar = true, "
            "union_by_name = true)",
            [pattern],
        )
        rows += con.execute("SELECT count(*) FROM t").fetchone()[0]
    seconds = time.perf_counter() - started
    con.close()
    return seconds, rows


@dataclass
class Child:
    """What one child process cost: wall and CPU seconds, its own peak RSS, its stdout."""

    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    stdout: str


def run_child(
    args: list[str], env: dict[str, str] | None = None, *, with_stderr: bool = False
) -> Child:
    """Run a command and take its rusage from wait4.

    A child's ru_maxrss starts at this process's resident size when it was spawned (Linux
    keeps the high-water mark of the memory it replaces at exec: a child doing nothing after
    a 2 GB parent reported 1.9 GiB). So this process keeps nothing large in memory - the
    bare scan runs in a child too - and its own size is recorded beside the figures.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        err = subprocess.STDOUT if with_stderr else None
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, args)
    return Child(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


def refresh_env(files: Path, home: Path) -> dict[str, str]:
    """A fresh data ``home`` whose landing folder holds ``files`` (hard links), and the
    environment a refresh child runs in there: demo key, its own Prefect state, no telemetry."""
    landing = home / "landing"
    landing.mkdir(parents=True)
    for f in files.iterdir():
        os.link(f, landing / f.name)
    return os.environ | {
        "SCORECARD_HOME": str(home),
        "SCORECARD_LANDING": str(landing),
        "SCORECARD_DEMO": "1",
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }


def refresh(files: Path, home: Path) -> Child:
    """A refresh (``scorecard etl run``) in a fresh home, in a child process."""
    return run_child([sys.executable, "-m", "scorecard_app", "etl", "run"],
                     env=refresh_env(files, home), with_stderr=True)  # fmt: skip


_LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")
_BUILD_STAGE = re.compile(r"warehouse\.build: stage (.+): ([\d.]+) s$")


def refresh_stages(log_text: str) -> dict[str, float]:
    """Where a refresh's time went, from its log: the per-file stage (first source listed to
    the last file's outcome) and each build stage."""
    stages: dict[str, float] = {}
    first = last = None
    for line in log_text.splitlines():
        m = _LOG_TIME.match(line)
        when = datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S,%f") if m else None
        if when and first is None and "file(s) listed" in line:
            first = when
        if when and re.search(r"\[\d+/\d+\] ", line):
            last = when
        if b := _BUILD_STAGE.search(line):
            stages[f"build: {b[1]}"] = float(b[2])
    if first and last:
        stages = {"files (read, validate, load)": round((last - first).total_seconds(), 1)} | stages
    return stages


def pandas_baseline(files: Path, home: Path) -> tuple[Child, dict]:
    """The pandas script over the same files, compared with the refresh's serving snapshot."""
    snapshot = home / "snapshots" / "current.duckdb"
    child = run_child([sys.executable, "-m", "bench.pandas_baseline", str(files),
                       "--warehouse", str(snapshot), "--json"])  # fmt: skip
    return child, json.loads(child.stdout.strip().splitlines()[-1])


def machine() -> str:
    """Host, architecture, CPUs and memory: the figures mean little without them."""
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f" {kib / 2**20:.0f} GiB"
    return f"{platform.node()} {platform.machine()} {os.cpu_count()} cpu{mem}"


def bare_scan_child(files: Path) -> tuple[Child, float, int]:
    """The bare scan in its own process: (its cost, seconds scanning, rows)."""
    child = run_child([sys.executable, "-m", "bench.etl_bench", "--bare-scan-only", str(files)])
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    return child, figures["seconds"], figures["rows"]


def own_rss_mib() -> float:
    """This process's resident size now (the floor under every child's peak RSS)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--bare-scan-only", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, default=None, help="reuse generated files here")
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline")
    parser.add_argument("--note", default="", help="stored with the result")
    args = parser.parse_args(argv)
    if args.bare_scan_only:
        seconds, rows = bare_scan(args.bare_scan_only)
        print(json.dumps({"seconds": seconds, "rows": rows}))
        return {}
    work = Path(tempfile.mkdtemp(prefix="scorecard-bench-"))
    files = args.data or work / f"extracts-{args.scale}"
    generate(files, args.scale)
    load_before = os.getloadavg()
    scan_child, scan_s, rows = bare_scan_child(files)
    scan_cpu = scan_child.cpu_s
    rss_floor = own_rss_mib()
    etl = refresh(files, work / "home")
    result: dict = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "scale": args.scale,
        "rows": rows,
        "bare_scan_s": round(scan_s, 2),
        "bare_scan_cpu_s": round(scan_cpu, 2),
        "refresh_s": round(etl.wall_s, 2),
        "refresh_cpu_s": round(etl.cpu_s, 2),
        "refresh_vs_bare_scan": round(etl.wall_s / scan_s, 1),
        "refresh_vs_bare_scan_cpu": round(etl.cpu_s / scan_cpu, 1),
        "rows_per_s": round(rows / etl.wall_s),
        "peak_rss_mib": round(etl.peak_rss_mib),
        "bench_process_rss_mib": round(rss_floor),
        "refresh_stages_s": refresh_stages(etl.stdout),
    }
    print(f"scale {args.scale}: {rows:,} rows")
    print(f"  DuckDB bare scan   {scan_s:8.2f} s   (CPU {scan_cpu:.1f} s)")
    print(f"  refresh (etl run)  {etl.wall_s:8.2f} s   (CPU {etl.cpu_s:.1f} s)   ratio "
          f"{etl.wall_s / scan_s:.1f}x   {rows / etl.wall_s:,.0f} rows/s   "
          f"peak RSS {etl.peak_rss_mib:,.0f} MiB")  # fmt: skip
    for stage, seconds in result["refresh_stages_s"].items():
        print(f"    {stage:<40} {seconds:8.2f} s")
    if not args.no_pandas:
        child, figures = pandas_baseline(files, work / "home")
        agreement = figures.get("agreement", {})
        result |= {
            "pandas_s": round(child.wall_s, 2),
            "pandas_cpu_s": round(child.cpu_s, 2),
            "pandas_compute_s": figures["pandas_s"],
            "pandas_peak_rss_mib": round(child.peak_rss_mib),
            "refresh_speedup_vs_pandas": round(child.wall_s / etl.wall_s, 2),
            "pandas_agreement": {k: agreement.get(k) for k in
                                 ("mart_values", "agree", "disagree", "missing_in_pandas")},
        }  # fmt: skip
        print(f"  pandas baseline    {child.wall_s:8.2f} s   (CPU {child.cpu_s:.1f} s)   "
              f"peak RSS {child.peak_rss_mib:,.0f} MiB   refresh is "
              f"{child.wall_s / etl.wall_s:.2f}x as fast")  # fmt: skip
        print(f"  pandas vs marts    {agreement.get('agree', 0):,} of "
              f"{agreement.get('mart_values', 0):,} values agree, "
              f"{agreement.get('disagree', 0)} differ, "
              f"{agreement.get('missing_in_pandas', 0)} missing")  # fmt: skip
    load_after = os.getloadavg()
    result["load_average"] = {"before": [round(x, 2) for x in load_before],
                              "after": [round(x, 2) for x in load_after]}  # fmt: skip
    if args.note:
        result["note"] = args.note
    print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    record.append("etl", result)
    shutil.rmtree(work / "home", ignore_errors=True)
    return result


if __name__ == "__main__":
    main()
