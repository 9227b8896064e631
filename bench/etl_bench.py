"""ETL benchmark: a full refresh at a given scale, beside DuckDB's bare scan of the same files.

Run ``python -m bench.etl_bench --scale 10`` (or ``make bench``). Prints wall time, peak
RSS and rows per second of ``scorecard etl run`` in a fresh data home, and the time for
DuckDB to read every CSV into memory (the floor any loader could reach), so the ratio is
measured in one run on one machine. Results are appended to bench/results/etl.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
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


def refresh(files: Path, home: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a refresh in a fresh home, in a child process."""
    landing = home / "landing"
    landing.mkdir(parents=True)
    for f in files.iterdir():
        os.link(f, landing / f.name)
    env = os.environ | {"SCORECARD_HOME": str(home), "SCORECARD_DEMO": "1",
                        "PREFECT_HOME": str(home / "prefect")}  # fmt: skip
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "scorecard.cli", "etl", "run"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mib


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--data", type=Path, default=None, help="reuse generated files here")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="scorecard-bench-"))
    files = args.data or work / f"extracts-{args.scale}"
    generate(files, args.scale)
    scan_s, rows = bare_scan(files)
    etl_s, peak = refresh(files, work / "home")
    result = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpu",
        "scale": args.scale,
        "rows": rows,
        "bare_scan_s": round(scan_s, 2),
        "refresh_s": round(etl_s, 2),
        "refresh_vs_bare_scan": round(etl_s / scan_s, 1),
        "rows_per_s": round(rows / etl_s),
        "peak_rss_mib": round(peak),
    }
    print(f"scale {args.scale}: {rows:,} rows")
    print(f"  DuckDB bare scan   {scan_s:8.2f} s")
    print(f"  refresh (etl run)  {etl_s:8.2f} s   ratio {etl_s / scan_s:.1f}x   "
          f"{rows / etl_s:,.0f} rows/s   peak RSS {peak:,.0f} MiB")  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "etl.json"
    history = json.loads(out.read_text()) if out.exists() else []
    history.append(result)
    out.write_text(json.dumps(history, indent=1) + "\n")
    return result


if __name__ == "__main__":
    main()
