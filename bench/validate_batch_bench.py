"""Per-file against per-kind validation over the same generated extracts, in one process.

    python -m bench.validate_batch_bench [--scale 0.05] [--data DIR]

Reads every generated file once, then validates them all twice: once file by file
(``validate_frame``, the old refresh) and once with one run per kind (``validate_frames``),
then both again in the opposite order (ABBA, so a change in the machine's load falls on
both). Prints CPU and wall seconds of each, the ratio and the load average (the machine is
shared: compare only within one run), and checks that both give every file the same
verdict, failures and row numbers. Figures only, no assertion on time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import record
from bench.etl_bench import generate
from expectations.validate import FrameToValidate, ValidationOutcome, validate_frames
from pipelines.read import read_extract
from scorecard import reference
from scorecard.contract import KINDS, parse_extract_name


def inputs(files: Path) -> dict[str, list[FrameToValidate]]:
    """Every extract read as the refresh reads it, with the inputs it would be given.

    Action plans are checked against their Area's cps_cases file (as sent: the bench has no
    warehouse), and every file against a previous snapshot of its own size.
    """
    frames = {}
    for path in sorted(files.iterdir()):
        try:
            meta = parse_extract_name(path.name)
        except Exception:
            continue
        frames[path.name] = (meta, read_extract(path, meta.kind))
    received: dict[str, dict[str, str]] = {}
    for meta, frame in frames.values():
        if meta.kind == "cps_cases":
            received[meta.org_code] = dict(
                zip(frame["urn"].tolist(), frame["received_date"].tolist(), strict=True)
            )
    out: dict[str, list[FrameToValidate]] = {}
    for meta, frame in frames.values():
        extra: dict = {}
        if meta.kind == "cps_action_plans":
            cases = received.get(meta.org_code, {})
            extra = {"known_urns": set(cases), "case_received": cases}
        item = FrameToValidate(frame, meta.org_code, meta.as_at, previous_rows=len(frame), **extra)
        out.setdefault(meta.kind, []).append(item)
    return out


def _facts(outcomes: list[ValidationOutcome]) -> list:
    """Each file's failures and GX results (its Data Docs entry): what both must agree on."""
    return [
        (
            sorted((f.rule_id, f.column, f.count, f.row_numbers, f.detail) for f in o.failures),
            o.gx_result.to_json_dict()["results"] if o.gx_result is not None else None,
        )
        for o in outcomes
    ]


def per_file(batches: dict[str, list[FrameToValidate]]) -> dict[str, list[ValidationOutcome]]:
    return {kind: [i.alone(kind) for i in items] for kind, items in batches.items()}


def per_kind(batches: dict[str, list[FrameToValidate]]) -> dict[str, list[ValidationOutcome]]:
    return {kind: validate_frames(kind, items) for kind, items in batches.items()}


def timed(
    fn: Callable[[dict[str, list[FrameToValidate]]], dict[str, list[ValidationOutcome]]],
    batches: dict[str, list[FrameToValidate]],
) -> tuple[float, float, dict[str, list[ValidationOutcome]]]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(batches)
    return time.perf_counter() - wall, time.process_time() - cpu, out


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--data", type=Path, default=None, help="reuse generated files here")
    args = parser.parse_args(argv)
    files = args.data or Path(tempfile.gettempdir()) / f"scorecard-bench-extracts-{args.scale}"
    generate(files, args.scale)
    reference.forces_for_area("cps_london")  # reference data loaded outside the timing
    batches = inputs(files)
    n_files = sum(len(v) for v in batches.values())
    rows = sum(len(i.frame) for v in batches.values() for i in v)
    for kind, items in batches.items():  # GX context and suites loaded outside the timing
        items[0].alone(kind)
        validate_frames(kind, items[:1])
    load = [os.getloadavg()[0]]
    old_wall = old_cpu = new_wall = new_cpu = 0.0
    for order in ((per_file, per_kind), (per_kind, per_file)):
        for fn in order:
            wall, cpu, out = timed(fn, batches)
            if fn is per_file:
                old_wall, old_cpu, old = old_wall + wall, old_cpu + cpu, out
            else:
                new_wall, new_cpu, new = new_wall + wall, new_cpu + cpu, out
            load.append(os.getloadavg()[0])
    same = sum(
        _facts(old[k]) == _facts(new[k]) and [o.ok for o in old[k]] == [o.ok for o in new[k]]
        for k in KINDS
        if k in batches
    )
    rejected = sum(not o.ok for v in new.values() for o in v)
    print(f"validation at scale {args.scale}: {n_files} files, {rows:,} rows, {rejected} rejected")
    print(f"  per file (validate_frame):  {old_wall / 2:7.2f} s wall  {old_cpu / 2:7.2f} s CPU")
    print(f"  per kind (validate_frames): {new_wall / 2:7.2f} s wall  {new_cpu / 2:7.2f} s CPU")
    print(f"  per file / per kind: {old_wall / new_wall:.1f}x wall, {old_cpu / new_cpu:.1f}x CPU")
    print(f"  same verdicts, failures, row numbers and GX results: {same}/{len(batches)} kinds")
    print(
        "  load average (1 min) before and after each pass: " + ", ".join(f"{x:.2f}" for x in load)
    )
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "scale": args.scale,
        "files": n_files,
        "rows": rows,
        "per_file_cpu_s": round(old_cpu / 2, 2),
        "per_kind_cpu_s": round(new_cpu / 2, 2),
        "per_file_wall_s": round(old_wall / 2, 2),
        "per_kind_wall_s": round(new_wall / 2, 2),
        "kinds_agreeing": f"{same}/{len(batches)}",
        "load_average": [round(x, 2) for x in load],
    }
    print(f"  appended to {record.append('validate_batch', result)}")
    return result


if __name__ == "__main__":
    main()
