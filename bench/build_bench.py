"""Time ``warehouse.build.build`` stage by stage on a generated national data set.

    python -m bench.build_bench --scale 1 [--data DIR] [--db FILE] [--reload]

The extracts are generated once per scale (``scorecard generate``, seed 1, as at 2024-09-30)
and reused. Raw is loaded WITHOUT the Prefect flow and without validation: DuckDB's
``read_csv`` reads each file (all text), and one INSERT per file trims, lower-cases and casts
the columns exactly as pipelines.read/pipelines.load do, replacing identifiers by a keyed
SHA-256 (not the pipeline's HMAC; linkage only needs the same pseudonym on both sides). The
loaded warehouse file is reused by later runs unless ``--reload``; rerunning on a loaded
file measures the build alone (including its peak RSS).

Printed: seconds per stage, the total, a bare DuckDB scan of the same CSV files (the
project's yardstick: a whole refresh should take at most 8x that), and peak RSS. With
``--record NOTE`` the figures and the load average are appended to
bench/results/build.json (bench/record.py). No assertions: figures only.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import duckdb

from bench import etl_bench, record
from pipelines.load import cast_expression
from pipelines.pseudonymise import IDENTIFIER_COLUMNS
from scorecard.contract import KINDS, Column, parse_extract_name
from scorecard.settings import Settings
from warehouse import build as wbuild
from warehouse.db import qualified, quote_ident, read_write, transaction
from warehouse.migrate import migrate
from warehouse.reference_load import load_reference

AS_AT = "2024-09-30"
BENCH_KEY = "bench-only-pseudonym-key"
_LOWER_TYPES = {"enum", "flag", "org_code"}
_IDENTIFIERS = IDENTIFIER_COLUMNS  # one list: the pipeline's (court outcomes' urn too)


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(out: Path, scale: float) -> float:
    """Write the extracts with the project's generator unless already there; seconds."""
    if out.is_dir() and any(out.glob("*.csv")):
        return 0.0
    start = time.perf_counter()
    exe = Path(sys.executable).with_name("scorecard")
    subprocess.run(
        [str(exe), "generate", "--out", str(out), "--scale", str(scale), "--as-at", AS_AT],
        check=True,
    )
    return time.perf_counter() - start


def _column_sql(kind: str, col: Column) -> str:
    """The text cell -> raw column: trim, empty as null, lower enumerations, cast, pseudonym."""
    text = f"nullif(trim({quote_ident(col.name)}), '')"
    if col.type in _LOWER_TYPES:
        text = f"lower({text})"
    if col.name in _IDENTIFIERS.get(kind, ()):
        return f"sha256($key || {text})"
    return cast_expression(col, text)


def insert_sql(kind: str) -> str:
    """INSERT one CSV file ($path) into raw.<kind> as extract $extract_id."""
    spec = KINDS[kind]
    names = ", ".join(quote_ident(c) for c in ("extract_id", "row_no", *spec.column_names))
    cols = ", ".join(_column_sql(kind, c) for c in spec.columns)
    return (
        f"INSERT INTO {qualified('raw', kind)} ({names}) "
        f"SELECT $extract_id, CAST(row_number() OVER () AS INTEGER), {cols} "
        "FROM read_csv($path, all_varchar = true, header = true)"
    )


def load_file(con: duckdb.DuckDBPyConnection, path: Path, extract_id: int) -> None:
    """One extract file into raw as its organisation's current one (the caller supersedes
    any earlier one)."""
    meta = parse_extract_name(path.name)
    params: dict[str, object] = {"extract_id": extract_id, "path": str(path)}
    if meta.kind in _IDENTIFIERS:
        params["key"] = BENCH_KEY
    con.execute(insert_sql(meta.kind), params)
    rows = con.execute(
        f"SELECT count(*) FROM {qualified('raw', meta.kind)} WHERE extract_id = ?",
        [extract_id],
    ).fetchone()
    con.execute(
        "INSERT INTO raw.extracts (extract_id, kind, org_code, as_at, file_name, source, "
        "checksum, row_count, run_id, loaded_at, is_current, warnings) "
        "VALUES (?, ?, ?, ?, ?, 'bench', ?, ?, 'bench', ?, TRUE, '[]')",
        [extract_id, meta.kind, meta.org_code, meta.as_at, path.name, path.name,
         rows[0] if rows else 0, datetime.now()],
    )  # fmt: skip


def load_raw(con: duckdb.DuckDBPyConnection, data: Path) -> int:
    """Every extract in ``data`` into raw as its organisation's current one; rows loaded."""
    files = sorted(data.glob("*.csv"))
    with transaction(con):
        for extract_id, path in enumerate(files, start=1):
            load_file(con, path, extract_id)
    row = con.execute(
        "SELECT sum(row_count) FROM raw.extracts WHERE kind = 'police_cases'"
    ).fetchone()
    return int(row[0]) if row and row[0] else 0


def load_newer(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A newer extract of one organisation: loaded as current, its earlier one superseded."""
    meta = parse_extract_name(path.name)
    with transaction(con):
        con.execute(
            "UPDATE raw.extracts SET is_current = FALSE "
            "WHERE kind = ? AND org_code = ? AND is_current",
            [meta.kind, meta.org_code],
        )
        row = con.execute("SELECT coalesce(max(extract_id), 0) FROM raw.extracts").fetchone()
        load_file(con, path, (row[0] if row else 0) + 1)


def newer_police_file(data: Path, force: str, out: Path, as_at: str) -> Path:
    """The force's police extract as a newer one: every fifth record gone (records that no
    longer link change their CPS Areas' figures too)."""
    (old,) = data.glob(f"police_cases__{force}__*.csv")
    lines = old.read_text(encoding="utf-8").splitlines(keepends=True)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"police_cases__{force}__{as_at}.csv"
    path.write_text(lines[0] + "".join(x for i, x in enumerate(lines[1:]) if i % 5), "utf-8")
    return path


def bare_scan(data: Path) -> float:
    """Seconds for DuckDB to read every CSV of the set into memory (the yardstick), measured
    as the ETL bench measures it."""
    return etl_bench.bare_scan(data)[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--data", type=Path, help="extracts folder (default /tmp/scorecard_bench)")
    parser.add_argument("--db", type=Path, help="warehouse file (default DATA/bench.duckdb)")
    parser.add_argument("--reload", action="store_true", help="reload raw into a new file")
    parser.add_argument("--no-scan", action="store_true", help="skip the bare-scan yardstick")
    parser.add_argument("--record", metavar="NOTE", help="append the figures to results/build.json")
    parser.add_argument("--then-newer-police", metavar="FORCE",
                        help="after the build, load a newer police file for FORCE and time "
                        "the (incremental) build again")  # fmt: skip
    args = parser.parse_args(argv)

    data = args.data or Path("/tmp/scorecard_bench") / f"scale_{args.scale:g}"
    db_path = args.db or data / "bench.duckdb"
    stages: list[tuple[str, float]] = []
    stages.append(("generate (skipped if present)", generate(data, args.scale)))

    home = data / "home"
    if args.reload and db_path.exists():
        db_path.unlink()
        shutil.rmtree(home, ignore_errors=True)
    fresh = not db_path.exists()
    con = read_write(db_path)  # the pipeline's connection settings (memory limit)
    settings = Settings(home=home)
    migrate(con)
    if fresh:
        start = time.perf_counter()
        load_reference(con, settings)
        police_rows = load_raw(con, data)
        stages.append(("load raw (read_csv, no validation)", time.perf_counter() - start))
    else:
        row = con.execute(
            "SELECT sum(row_count) FROM raw.extracts WHERE kind = 'police_cases'"
        ).fetchone()
        police_rows = int(row[0]) if row and row[0] else 0
    rss_after_load = peak_rss_mib()

    build_stages: list[tuple[str, float]] = []
    load_before = os.getloadavg()
    cpu_before = time.process_time()
    start = time.perf_counter()
    counts = wbuild.build(con, settings, on_stage=lambda n, s: build_stages.append((n, s)))
    build_total = time.perf_counter() - start
    build_cpu = time.process_time() - cpu_before
    load_after = os.getloadavg()
    again: dict[str, object] = {}
    if args.then_newer_police:
        load_newer(con, newer_police_file(data, args.then_newer_police, data / "newer",
                                          "2024-10-31"))  # fmt: skip
        again_stages: list[tuple[str, float]] = []
        cpu_before = time.process_time()
        start = time.perf_counter()
        wbuild.build(con, settings, on_stage=lambda n, s: again_stages.append((n, s)))
        again = {"build_s": round(time.perf_counter() - start, 2),
                 "build_cpu_s": round(time.process_time() - cpu_before, 2),
                 "stages_s": {n: round(s, 2) for n, s in again_stages},
                 "load_average_after": round(os.getloadavg()[0], 2)}  # fmt: skip
    con.close()
    rss_peak = peak_rss_mib()
    scan = None if args.no_scan else bare_scan(data)

    width = max(len(n) for n, _ in stages + build_stages) + 2
    print(f"\nscale {args.scale:g}: {police_rows:,} police rows, data {data}, as at {AS_AT}")
    print(f"{'stage':<{width}}{'seconds':>10}")
    for name, seconds in stages:
        print(f"{name:<{width}}{seconds:>10.2f}")
    for name, seconds in build_stages:
        print(f"  build: {name:<{width - 9}}{seconds:>10.2f}")
    print(f"{'build total (incl. commit)':<{width}}{build_total:>10.2f}")
    print(f"{'build CPU (this process)':<{width}}{build_cpu:>10.2f}")
    if scan is not None:
        load = sum(s for n, s in stages if n.startswith("load"))
        print(f"{'bare DuckDB scan of the CSVs':<{width}}{scan:>10.2f}")
        if load:
            print(f"{'(load + build) / scan':<{width}}{(load + build_total) / scan:>10.1f}")
        print(f"{'build / scan':<{width}}{build_total / scan:>10.1f}")
    print(f"peak RSS after load: {rss_after_load:,.0f} MiB; overall peak RSS: {rss_peak:,.0f} MiB")
    print(f"mart rows: metric_values {counts.get('mart.metric_values', 0):,}, "
          f"spc {counts.get('mart.spc', 0):,}; run {date.today()}")  # fmt: skip
    print(f"load average (1 min) before the build {load_before[0]:.2f}, after {load_after[0]:.2f}")
    if again:
        print(f"after a newer police file for {args.then_newer_police}: build {again['build_s']} s"
              f" (CPU {again['build_cpu_s']} s); stages {again['stages_s']}")  # fmt: skip
    if args.record:
        record.append("build", {
            "when": datetime.now().isoformat(timespec="seconds"), "note": args.record,
            "scale": args.scale, "police_rows": police_rows, "stages_s": {
                n: round(s, 2) for n, s in build_stages}, "build_s": round(build_total, 2),
            "build_cpu_s": round(build_cpu, 2),
            "bare_scan_s": None if scan is None else round(scan, 2),
            "peak_rss_mib": round(rss_peak),
            "load_average": {"before": [round(x, 2) for x in load_before],
                             "after": [round(x, 2) for x in load_after]},
            **({"then_newer_police": {"force": args.then_newer_police, **again}} if again else {}),
        })  # fmt: skip


if __name__ == "__main__":
    main()
