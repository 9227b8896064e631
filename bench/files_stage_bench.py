"""The refresh's files stage alone (list, read, hash, pseudonymise, validate, load), two
source trees side by side.

    python -m bench.files_stage_bench --data DIR --tree before=/path/a --tree after=/path/b

Each run is a real ``scorecard etl run`` from that tree in a fresh data home over the same
extracts, stopped by the test hook at ``build:start`` (pipelines/killpoints.py), so it
costs exactly what the files stage costs, Prefect start-up included. The trees run in ABBA
order (``--rounds`` pairs) and each run's wall and CPU seconds (the child's own rusage: CPU
is steadier than wall on a shared machine) are printed and appended to
bench/results/files_stage.json with the load average. Figures only, no assertion on time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench import record
from bench.etl_bench import machine, refresh_env


def files_stage(tree: Path, files: Path, home: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of one refresh's files stage from ``tree``, in a fresh
    ``home`` (this process stays small, so the child's ru_maxrss is its own: etl_bench)."""
    env = refresh_env(files, home) | {
        "PYTHONPATH": str(tree),
        "PYTHONDONTWRITEBYTECODE": "1",
        "SCORECARD_TEST_KILL_AT": "build:start",
    }
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "scorecard_app", "etl", "run"],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != -9:
        raise SystemExit(f"{tree}: the refresh did not stop at build:start ({status})")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="generated extracts")
    parser.add_argument("--tree", action="append", required=True, help="label=path, twice")
    parser.add_argument("--rounds", type=int, default=1, help="ABBA pairs")
    parser.add_argument("--once", action="store_true", help="A then B only (large scales)")
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    trees = [(label, Path(path)) for label, path in (t.split("=", 1) for t in args.tree)]
    if len(trees) != 2:
        raise SystemExit("give two --tree label=path")
    order = trees if args.once else [trees[0], trees[1], trees[1], trees[0]] * args.rounds
    load_before = os.getloadavg()
    runs: dict[str, list[tuple[float, float, float]]] = {label: [] for label, _ in trees}
    for label, tree in order:
        work = Path(tempfile.mkdtemp(prefix="scorecard-files-stage-"))
        try:
            wall, cpu, rss = files_stage(tree, args.data, work / "home")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        runs[label].append((wall, cpu, rss))
        print(
            f"  {label:<10} wall {wall:7.1f} s   CPU {cpu:7.1f} s   peak RSS {rss:6.0f} MiB   "
            f"load {os.getloadavg()[0]:.1f}"
        )
    load_after = os.getloadavg()
    result = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "data": str(args.data),
        "files": len(list(args.data.iterdir())),
        "runs": {
            k: [
                {"wall_s": round(w, 1), "cpu_s": round(c, 1), "peak_rss_mib": round(r)}
                for w, c, r in v
            ]
            for k, v in runs.items()
        },
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
    }
    if args.note:
        result["note"] = args.note
    for label, got in runs.items():
        print(f"{label:<10} CPU s {min(g[1] for g in got):7.1f} (best)   "
              f"wall s {min(g[0] for g in got):7.1f} (best)   "
              f"peak RSS {max(g[2] for g in got):6.0f} MiB (max)")  # fmt: skip
    print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    record.append("files_stage", result)
    return result


if __name__ == "__main__":
    main()
