"""Time ``validate_frame`` on a ~1M-row police_cases frame (was a unit test that asserted nothing).

    python -m bench.validate_bench [--rows 1000000]

The frame repeats the valid hand-written police rows of tests.helpers.validation with unique
crime_refs, so it passes every rule: the time is that of a well-formed national file (the
distinct-rows path). Prints wall and CPU seconds with the load average (the bench machines
are shared: CPU seconds are steadier). Figures only, no assertion on time.
"""

from __future__ import annotations

import argparse
import os
import time

import pandas as pd

from tests.helpers.validation import run, valid_frame


def police_frame(n: int) -> pd.DataFrame:
    """``n`` valid police rows: the hand-written rows repeated, crime_refs made unique."""
    base = valid_frame("police_cases")
    frame = base.iloc[[i % len(base) for i in range(n)]].reset_index(drop=True)
    frame["crime_ref"] = pd.Series([f"CR-{i:07d}" for i in range(n)], dtype=object)
    frame["row_no"] = range(1, n + 1)
    return frame


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    frame = police_frame(args.rows)
    run("police_cases", frame.head(10))  # load the suites and GX context outside the timing
    load_before = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = run("police_cases", frame)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if not outcome.ok:
        raise SystemExit(f"the benchmark frame should pass: {outcome.failures}")
    print(f"validate_frame police_cases {args.rows:,} rows")
    print(f"  {wall:8.2f} s   (CPU {cpu:.1f} s)   {args.rows / wall:,.0f} rows/s")
    print(f"  load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f} (1 min)")
    return {"rows": args.rows, "wall_s": wall, "cpu_s": cpu}


if __name__ == "__main__":
    main()
