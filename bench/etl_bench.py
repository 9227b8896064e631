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
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from scorecard.contract import KINDS

RESULTS = Path(__file__).parent / "results"


def generate(out: Path, scale: float) -> None:
    if any(out.glob("police_cases__*")):
        return
    subprocess.run(
        [sys.executable, "-m", "scorecard.cli", "generate", "--out", str(out), "--scale",
         str(scale), "--seed", "1"],
        check=True,
    )  # fmt: skip


def bare_scan(files: Path) -> tuple[float, int]:
    """Seconds for DuckDB to parse every extract fully into memory; total rows."""
    con = duckdb.connect()
    started = time.perf_counter()
    rows = 0
    for kind in KINDS:
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


def run_child(args: list[str], env: dict[str, str] | None = None) -> Child:
    """Run a command; its rusage comes from wait4, so each child's peak RSS is its own."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, env=env, stdout=out)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, args)
    return Child(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


def refresh(files: Path, home: Path) -> Child:
    """A refresh (``scorecard etl run``) in a fresh home, in a child process."""
    landing = home / "landing"
    landing.mkdir(parents=True)
    for f in files.iterdir():
        os.link(f, landing / f.name)
    env = os.environ | {
        "SCORECARD_HOME": str(home),
        "SCORECARD_DEMO": "1",
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    return run_child([sys.executable, "-m", "scorecard.cli", "etl", "run"], env=env)


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


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--data", type=Path, default=None, help="reuse generated files here")
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline")
    parser.add_argument("--note", default="", help="stored with the result")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="scorecard-bench-"))
    files = args.data or work / f"extracts-{args.scale}"
    generate(files, args.scale)
    load_before = os.getloadavg()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    scan_s, rows = bare_scan(files)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    scan_cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
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
    }
    print(f"scale {args.scale}: {rows:,} rows")
    print(f"  DuckDB bare scan   {scan_s:8.2f} s   (CPU {scan_cpu:.1f} s)")
    print(f"  refresh (etl run)  {etl.wall_s:8.2f} s   (CPU {etl.cpu_s:.1f} s)   ratio "
          f"{etl.wall_s / scan_s:.1f}x   {rows / etl.wall_s:,.0f} rows/s   "
          f"peak RSS {etl.peak_rss_mib:,.0f} MiB")  # fmt: skip
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
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "etl.json"
    history = json.loads(out.read_text()) if out.exists() else []
    history.append(result)
    out.write_text(json.dumps(history, indent=1) + "\n")
    shutil.rmtree(work / "home", ignore_errors=True)
    return result


if __name__ == "__main__":
    main()
