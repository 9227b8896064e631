"""CPU cost of pseudonymising identifiers: the old SQL HMAC in DuckDB vs the hashlib states.

    python -m bench.hmac_bench [--values 1000000] [--rounds 3]

Hashes the same column of police-like identifiers (one large_string chunk, as the reader
gives them) with the product's :func:`pipelines.pseudonymise.pseudonymise_arrow` (the key's
HMAC inner/outer SHA-256 states computed once and copied per value) and with the SQL HMAC it
replaced (kept here only, for comparison: two SHA-256 over the key's pads in an in-memory
DuckDB, all its threads). Both run in the same process, alternately, and must agree on every
value. Prints CPU seconds per million values (best of the rounds; CPU, not wall, because the
machine is shared) with the load average. Figures only, no assertion on time.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import duckdb
import pyarrow as pa

from pipelines.pseudonymise import _pads, pseudonymise_arrow

KEY = b"bench-pseudonym-key-0123456789"
_OLD_SQL = "SELECT sha256($outer || unhex(sha256($inner || encode(v)))) AS p FROM identifiers"


def old_sql_hmac(key: bytes, values: pa.ChunkedArray) -> pa.ChunkedArray:
    """The SQL path as it was in pipelines/pseudonymise.py before issue 15."""
    inner, outer = _pads(key)
    con = duckdb.connect(":memory:", config={"temp_directory": ""})
    try:
        con.register("identifiers", pa.table({"v": values}))
        return con.execute(_OLD_SQL, {"inner": inner, "outer": outer}).to_arrow_table().column("p")
    finally:
        con.close()


def identifiers(n: int) -> pa.ChunkedArray:
    """Police-like crime references, one in 50 missing."""
    values = [None if i % 50 == 0 else f"KEN/{i % 97:02d}/{i:09d}" for i in range(n)]
    return pa.chunked_array([pa.array(values, pa.large_string())])


def cpu_per_million(
    fn: Callable[[bytes, pa.ChunkedArray], pa.ChunkedArray], values: pa.ChunkedArray
) -> tuple[float, pa.ChunkedArray]:
    cpu = time.process_time()
    out = fn(KEY, values)
    return (time.process_time() - cpu) * 1_000_000 / len(values), out


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    values = identifiers(args.values)
    old_sql_hmac(KEY, values.slice(0, 1000))  # DuckDB start-up outside the timing
    load_before = os.getloadavg()[0]
    old: list[float] = []
    new: list[float] = []
    for _ in range(args.rounds):
        cpu, old_out = cpu_per_million(old_sql_hmac, values)
        old.append(cpu)
        cpu, new_out = cpu_per_million(pseudonymise_arrow, values)
        new.append(cpu)
        if old_out.to_pylist() != new_out.to_pylist():
            raise SystemExit("the two HMAC paths disagree")
    print(f"pseudonymise {args.values:,} identifiers, best of {args.rounds} (CPU s per million)")
    print(f"  old SQL HMAC in DuckDB      {min(old):6.2f}   (rounds {_fmt(old)})")
    print(f"  hashlib precomputed states  {min(new):6.2f}   (rounds {_fmt(new)})")
    print(f"  ratio old/new {min(old) / min(new):.2f}x; outputs identical on every value")
    print(f"  load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f} (1 min)")
    return {"old_cpu_per_million": min(old), "new_cpu_per_million": min(new)}


def _fmt(xs: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in xs)


if __name__ == "__main__":
    main()
