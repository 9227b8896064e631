"""Time from refresh start to snapshot published, with Data Docs before vs after publishing.

    python -m bench.docs_bench [--scale 0.1] [--rounds 2] [--data DIR]

The refresh builds the run's GX Data Docs after its snapshot is published (issue 15 item 3).
This runs the real flow in this process, over a generated nation (``scorecard generate``) in
fresh data homes, alternately: "after" is the product as it is; "before" is the old order,
rebuilt here by wrapping the publish task so that the Data Docs are built first (and the
flow's later call returns that result at no cost). The time to publish is read when the
publish task returns; both orders run in the same process against one temporary Prefect
server, whose start-up (and a small warm-up refresh) is outside the timing, in ABBA order.
Prints wall seconds (best of the rounds) with the load average. Figures only, no assertion on time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.etl_bench import generate

ORDERS = ("before", "after")


def one_refresh(files: Path, home: Path, order: str) -> dict[str, float]:
    """One full refresh of ``files`` in a fresh ``home``; seconds to publish and in all."""
    from pipelines import flow
    from pipelines.runtime import close_all

    landing = home / "landing"
    landing.mkdir(parents=True)
    for f in files.iterdir():
        os.link(f, landing / f.name)
    os.environ["SCORECARD_HOME"] = str(home)
    os.environ["SCORECARD_LANDING"] = str(landing)
    real_publish: Callable[..., str] = flow.publish
    real_docs: Callable[..., str | None] = flow.data_docs
    marks: dict[str, float] = {}
    built: dict[str, str | None] = {}

    def timed_publish(home_: str, run_id: str, *args: Any) -> str:
        if order == "before":  # the old order: docs first, failures only logged
            t = time.perf_counter()
            try:
                built[run_id] = real_docs(home_, run_id)
            except Exception:
                built[run_id] = None
            marks["docs"] = time.perf_counter() - t
        out = real_publish(home_, run_id, *args)
        marks["published"] = time.perf_counter()
        return out

    def timed_docs(home_: str, run_id: str) -> str | None:
        if run_id in built:  # "before": already built ahead of the publish
            return built[run_id]
        t = time.perf_counter()
        try:
            return real_docs(home_, run_id)
        finally:
            marks["docs"] = time.perf_counter() - t

    flow.publish, flow.data_docs = timed_publish, timed_docs  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        result = flow.refresh(str(home))
        end = time.perf_counter()
    finally:
        flow.publish, flow.data_docs = real_publish, real_docs  # type: ignore[assignment]
        close_all()
    if result.status != "succeeded" or not result.snapshot or not result.data_docs:
        raise SystemExit(f"the {order} refresh did not succeed: {result.message}")
    return {
        "to_publish_s": marks["published"] - start,
        "total_s": end - start,
        "docs_s": marks.get("docs", float("nan")),
    }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data", type=Path, default=None, help="reuse generated files here")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="docs-bench-"))
    saved_env = dict(os.environ)  # make bench runs other benches in this process after this
    try:
        files = args.data or root / "files"
        files.mkdir(parents=True, exist_ok=True)
        generate(files, args.scale)
        n_files = len(list(files.iterdir()))
        os.environ["SCORECARD_DEMO"] = "1"
        os.environ.pop("SCORECARD_PSEUDONYM_KEY", None)
        os.environ.pop("SCORECARD_CONFIG", None)
        from pipelines.runtime import prefect_environment, start_local_server

        prefect_environment(root)
        start_local_server()
        load_before = os.getloadavg()[0]
        warm = root / "warm-files"  # imports, GX and DuckDB warmed outside the timing
        warm.mkdir()
        for kind in ("police_cases", "cps_cases", "workforce"):
            f = sorted(files.glob(f"{kind}__*"))[0]
            os.link(f, warm / f.name)
        one_refresh(warm, root / "home-warm", "after")
        runs: dict[str, list[dict[str, float]]] = {o: [] for o in ORDERS}
        for i in range(args.rounds):
            for order in ORDERS if i % 2 == 0 else ORDERS[::-1]:  # ABBA: neither always first
                runs[order].append(one_refresh(files, root / f"home-{order}-{i}", order))
        load_after = os.getloadavg()[0]
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        shutil.rmtree(root, ignore_errors=True)
    print(f"refresh start to snapshot published, scale {args.scale} ({n_files} files), wall s")
    best = {o: min(r["to_publish_s"] for r in runs[o]) for o in ORDERS}
    for order in ORDERS:
        rounds = ", ".join(
            f"{r['to_publish_s']:.2f} (all {r['total_s']:.2f}, docs {r['docs_s']:.2f})"
            for r in runs[order]
        )
        print(f"  Data Docs {order:6} publish  best {best[order]:7.2f}   rounds: {rounds}")
    saved, ratio = best["before"] - best["after"], best["before"] / best["after"]
    print(f"  saved {saved:.2f} s to publish; ratio before/after {ratio:.2f}x")
    print(f"  load average before {load_before:.2f}, after {load_after:.2f} (1 min)")
    return {"before_s": best["before"], "after_s": best["after"]}


if __name__ == "__main__":
    main()
