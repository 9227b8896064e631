"""Dashboard benchmark: server-side time of each page's main callbacks, and first render in
Chromium, on a published serving snapshot.

    python -m bench.dashboard_bench --home DIR [--n 30] [--no-browser]
    python -m bench.dashboard_bench --scale 10          # builds a home first

``--home`` is a ``SCORECARD_HOME`` with a published snapshot; without one (or when DIR has
no snapshot) a home is built: ``scorecard generate --scale X`` into DIR/landing, then
``scorecard etl run`` with ``SCORECARD_DEMO=1`` in a subprocess.

Each callback or layout function is called directly N times with varied inputs (cycling
through the snapshot's periods, forces, metrics and recommendations). The first call is
reported on its own as cold (empty per-snapshot caches); p50/p95 are over the rest, and
"new" is p95 over calls whose inputs had not been seen before, i.e. without the benefit of
a memoised mart read for that exact selection. "+json" adds Dash's JSON encoding of the
return value, which the server also pays for on every request. "gc2" counts Python's full
garbage collections during the calls and the longest: they stall whichever request runs.
"cpu" is the process's CPU time for the call alone (all its threads, DuckDB's included): on a
shared machine it moves far less with other people's load than wall time does, so it is the
fairer before/after comparison; wall time is what a user waits. The app is built once and
then ``gc.freeze()`` is called, as dashboard/wsgi.py does in
production; without a ``SCORECARD_SECRET_KEY`` a throwaway one is set (callbacks are called
directly; the browser part would meet the sign-in page).

Then the app is served on 127.0.0.1 (werkzeug, in a thread, as the browser tests do) and
Debian's Chromium (Playwright, never ``playwright install``) opens each page; first render
is navigation start to the later of ``#main h1`` visible and the last network response
before the network went idle. Figures are printed and appended to
bench/results/dashboard.json with machine info. Nothing is asserted: figures only.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import record
from dashboard.auth import policy
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS

BROWSER_LOADS = 3

# Records when #main h1 is first visible (ms since navigation start), before any page script.
H1_PROBE = """
(() => {
  const probe = () => {
    const h = document.querySelector('#main h1');
    if (h && h.getBoundingClientRect().height > 0) { window.__h1Visible = performance.now(); }
    else { requestAnimationFrame(probe); }
  };
  requestAnimationFrame(probe);
})();
"""


# --- the home ----------------------------------------------------------------------------


def has_snapshot(home: Path) -> bool:
    return (home / "snapshots" / "current.duckdb").exists()


def build_home(home: Path, scale: float) -> float:
    """Generate national extracts at ``scale`` into home/landing and run one refresh in a
    child process (demo pseudonym key); seconds taken."""
    landing = home / "landing"
    landing.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if not any(landing.glob("police_cases__*")):
        subprocess.run(
            [sys.executable, "-m", "scorecard_app", "generate", "--out", str(landing),
             "--scale", str(scale), "--seed", "1"],
            check=True,
        )  # fmt: skip
    env = os.environ | {
        "SCORECARD_HOME": str(home),
        "SCORECARD_LANDING": str(landing),
        "SCORECARD_DEMO": "1",
        "PREFECT_HOME": str(home / "prefect"),
    }
    # Exit 3 (some extracts rejected) still publishes a snapshot.
    subprocess.run(
        [sys.executable, "-m", "scorecard_app", "etl", "run"],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    if not has_snapshot(home):
        raise SystemExit(f"the refresh published no snapshot in {home}")
    return time.perf_counter() - started


# --- callback timings --------------------------------------------------------------------


@dataclass
class Timing:
    name: str
    cold_ms: float = 0.0
    warm_ms: list[float] = field(default_factory=list)
    new_ms: list[float] = field(default_factory=list)
    json_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    gc2_ms: list[float] = field(default_factory=list)
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        def pct(xs: Sequence[float], q: float) -> float | None:
            if not xs:
                return None
            s = sorted(xs)
            return round(s[min(len(s) - 1, round(q * (len(s) - 1)))], 1)

        return {
            "callback": self.name,
            "calls": 1 + len(self.warm_ms),
            "cold_ms": round(self.cold_ms, 1),
            "p50_ms": pct(self.warm_ms, 0.5),
            "p95_ms": pct(self.warm_ms, 0.95),
            "max_ms": pct(self.warm_ms, 1.0),
            "new_input_p95_ms": pct(self.new_ms, 0.95),
            "with_json_p50_ms": pct(self.json_ms, 0.5),
            "with_json_p95_ms": pct(self.json_ms, 0.95),
            "cpu_p50_ms": pct(self.cpu_ms, 0.5),
            "cpu_p95_ms": pct(self.cpu_ms, 0.95),
            "gc_gen2_runs": len(self.gc2_ms),
            "gc_gen2_max_ms": pct(self.gc2_ms, 1.0),
            "error": self.error,
        }


def cycle(values: Sequence[Any], n: int) -> list[Any]:
    return [values[i % len(values)] for i in range(n)] if values else []


def time_calls(name: str, fn: Callable[..., Any], inputs: Sequence[tuple], n: int) -> Timing:
    """Call ``fn(*args)`` for each input (cycled to n calls), timing the call alone and the
    call plus Dash's JSON encoding of what it returns, and full garbage collections."""
    t = Timing(name)
    seen: set[str] = set()
    started_gc: list[float] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        # Full (generation 2) collections stall whichever request is running: count them.
        if info["generation"] != 2:
            return
        if phase == "start":
            started_gc.append(time.perf_counter())
        elif started_gc:
            t.gc2_ms.append(1000 * (time.perf_counter() - started_gc.pop()))

    gc.callbacks.append(on_gc)
    try:
        _run(t, fn, inputs, n, seen)
    finally:
        gc.callbacks.remove(on_gc)
    return t


def _run(t: Timing, fn: Callable[..., Any], inputs: Sequence[tuple], n: int, seen: set) -> None:
    import dash
    from plotly.io.json import to_json_plotly

    for i, args in enumerate(cycle(inputs, n)):
        key = repr(args)
        try:
            cpu = time.process_time()
            started = time.perf_counter()
            out = fn(*args)
            called = time.perf_counter()
            cpu = time.process_time() - cpu
            to_json_plotly(out)
            encoded = time.perf_counter()
        except dash.exceptions.PreventUpdate:
            continue
        except Exception as exc:  # a figure, not a test: report and carry on
            t.error = f"{type(exc).__name__}: {exc}"
            break
        ms, with_json = 1000 * (called - started), 1000 * (encoded - started)
        if i == 0:
            t.cold_ms = ms
        else:
            t.warm_ms.append(ms)
            t.json_ms.append(with_json)
            t.cpu_ms.append(1000 * cpu)
            if key not in seen:
                t.new_ms.append(ms)
        seen.add(key)


def page_module(name: str) -> Any:
    """A page module as Dash loaded it (``pages.<name>``): importing it again under
    ``dashboard.pages`` would register its path and callbacks a second time."""
    import dash

    for page in dash.page_registry.values():
        if page["module"].rsplit(".", 1)[-1] == name:
            return sys.modules[page["module"]]
    raise SystemExit(f"no page module {name!r} registered")


def callback_timings(n: int) -> list[Timing]:
    """Every page's main callbacks and layouts, called directly with varied inputs."""
    from dashboard.data import area as area_data
    from dashboard.data import compare as cd
    from dashboard.data import national as national_data
    from dashboard.data import recommendations as rd
    from dashboard.data import scorecard as sd
    from scorecard import reference

    home, area, compare = page_module("home"), page_module("area"), page_module("compare")
    recommendations = page_module("recommendations")
    recommendation_detail = page_module("recommendation_detail")
    definitions, data = page_module("definitions"), page_module("data")
    info = sd.period_info()
    period_values = list(info.values)
    forces = [f.code for f in area_data.forces()]
    # Varied but reproducible: step through forces and periods at different strides.
    force_period = [
        (forces[(7 * i) % len(forces)], period_values[(3 * i) % len(period_values)])
        for i in range(n)
    ]
    metric_ids = [o["value"] for o in cd.metric_options()]
    compare_inputs: list[tuple] = []
    for i in range(n):
        metric = metric_ids[i % len(metric_ids)]
        sel = cd.resolve(cd.parse_query({"metric": metric}))
        choices = sel.period_choices or [""]
        compare_inputs.append(
            (
                metric,
                cd.ALL_CASES,
                sel.basis,
                choices[(i // len(metric_ids)) % len(choices)],
                forces[(5 * i) % len(forces)] if i % 4 else cd.NO_FORCE,
                cd.PEER_MODES[i % len(cd.PEER_MODES)],
            )
        )
    recs = [str(r.rec_no) for r in reference.recommendations()]
    owner_inputs = []
    for i, r in enumerate(recs):
        choices = rd.owner_choices(int(r))
        owner_inputs.append((choices[i % len(choices)]["value"], int(r)))
    words = ["", "referral", "charge", "days", "isva", "withdraw", "police", "cps", "rate", "xq"]
    trend_metrics = [m.id for m in national_data.trend_metrics("national")]

    plan: list[tuple[str, Callable[..., Any], list[tuple]]] = [
        ("national: period change (_on_period)", home._on_period, [(p,) for p in period_values]),
        ("national: layout", lambda p: home.layout(period=p), [(p,) for p in period_values]),
        ("national: trend metric", home._on_trend_metric, [(m,) for m in trend_metrics]),
        (
            "area: force/period change (_on_change)",
            lambda f, p: area._on_change(f, p, area.TABS[0][0], None),
            force_period,
        ),
        ("area: layout", lambda f, p: area.layout(force_code=f, period=p), force_period),
        ("compare: metric/force/period (_update)", compare._update, compare_inputs),
        (
            "compare: layout",
            lambda m, _b, _s, p, f, peers: compare.layout(metric=m, period=p, force=f, peers=peers),
            compare_inputs,
        ),
        ("recommendations: layout", lambda: recommendations.layout(), [()]),
        (
            "recommendation n: layout",
            lambda r: recommendation_detail.layout(rec_no=r),
            [(r,) for r in recs],
        ),
        (
            "recommendation n: owner chosen",
            recommendation_detail._owner_chosen,
            owner_inputs,
        ),
        ("definitions: search", definitions._search, [(w,) for w in words]),
        ("data: layout", lambda: data.layout(), [()]),
    ]
    out = []
    for name, fn, inputs in plan:
        out.append(time_calls(name, fn, inputs, n))
    return out


# --- first render in Chromium ------------------------------------------------------------


@contextmanager
def served_app(app: Any) -> Iterator[str]:
    """The app on a free port of 127.0.0.1 (werkzeug in a thread, as tests/browser do)."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


BENCH_USERS = {"board": "bench-board", "analyst": "bench-analyst"}
# The app's pages (dashboard/auth/policy.py) that a board member or an analyst may open: all
# but the admin pages, in the app's order.
PAGES = tuple(
    path
    for path in policy.PAGE_EXAMPLES
    if any(policy.can(r, policy.page_capability(path) or policy.SIGNED_IN) for r in BENCH_USERS)
)


def bench_logins() -> dict[str, tuple[str, str]]:
    """A board and an analyst user with fresh random passwords in the home's app database
    (the pages need a session): role -> (username, password)."""
    from accounts import users

    out = {}
    for role, name in BENCH_USERS.items():
        password = secrets.token_urlsafe(16)
        if users.get(name) is None:
            users.add(name, role, password, who="bench")
        else:
            users.set_password(name, password, who="bench")
        out[role] = (name, password)
    return out


def _signed_in_state(browser: Any, url: str, login: tuple[str, str]) -> Any:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "/login")
    page.fill("#username", login[0])
    page.fill("#password", login[1])
    with page.expect_navigation():
        page.click("button[type=submit]")
    state = context.storage_state()
    context.close()
    return state


def first_renders(url: str, loads: int) -> tuple[str, list[dict[str, Any]]]:
    """(Chromium version, per page: first render ms of each load in a fresh context that
    carries a signed-in session: the analyst's for /data, the board member's otherwise)."""
    from playwright.sync_api import sync_playwright

    rows = []
    logins = bench_logins()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        version = browser.version
        states = {role: _signed_in_state(browser, url, login) for role, login in logins.items()}
        for path in PAGES:
            times: list[float] = []
            h1s: list[float] = []
            errors: list[str] = []
            for _ in range(loads):
                role = "analyst" if path == "/data" else "board"
                context = browser.new_context(storage_state=states[role])
                page = context.new_page()
                page.add_init_script(H1_PROBE)
                page.on("pageerror", lambda e, errs=errors: errs.append(str(e)))
                try:
                    page.goto(url + path, wait_until="networkidle", timeout=120_000)
                    page.wait_for_selector("#main h1", state="visible", timeout=60_000)
                    page.wait_for_function("() => window.__h1Visible !== undefined", timeout=10_000)
                    got = page.evaluate(
                        """() => ({
                            h1: window.__h1Visible,
                            last: Math.max(0, ...performance.getEntriesByType('resource')
                                .map(e => e.responseEnd)),
                        })"""
                    )
                    h1s.append(got["h1"])
                    times.append(max(got["h1"], got["last"]))
                except Exception as exc:  # a figure, not a test: report and carry on
                    errors.append(f"{type(exc).__name__}: {exc}")
                finally:
                    context.close()
            print(f"  {path}: {[round(t) for t in times]}", flush=True)
            rows.append(
                {
                    "page": path,
                    "first_load_ms": round(times[0]) if times else None,
                    "median_ms": round(statistics.median(times)) if times else None,
                    "h1_visible_median_ms": round(statistics.median(h1s)) if h1s else None,
                    "loads": [round(t) for t in times],
                    "errors": errors[:3],
                }
            )
        browser.close()
    return version, rows


# --- report ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "node": platform.node(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_avg_1m": round(load[0], 2),
    }


def snapshot_info() -> dict[str, Any]:
    from dashboard.data.snapshot import reader

    rows = reader().query("SELECT count(*) AS n FROM mart.metric_values")
    return {"file": reader().link.resolve().name, "metric_values_rows": int(rows["n"].iloc[0])}


def print_callbacks(rows: list[dict[str, Any]]) -> None:
    def f(v: object) -> str:
        return "-" if v is None else f"{v:.1f}"

    head = f"{'callback':42} {'cold':>8} {'p50':>7} {'p95':>7} {'max':>7} {'new p95':>8} "
    head += f"{'+json p50':>9} {'+json p95':>9} {'cpu p50':>8} {'cpu p95':>8} "
    print(head + f"{'gc2 n/max':>10}")
    for r in rows:
        print(
            f"{r['callback']:42} {f(r['cold_ms']):>8} {f(r['p50_ms']):>7} {f(r['p95_ms']):>7} "
            f"{f(r['max_ms']):>7} {f(r['new_input_p95_ms']):>8} "
            f"{f(r['with_json_p50_ms']):>9} {f(r['with_json_p95_ms']):>9} "
            f"{f(r['cpu_p50_ms']):>8} {f(r['cpu_p95_ms']):>8} "
            f"{r['gc_gen2_runs']:>3}/{f(r['gc_gen2_max_ms']):>6}"
            + (f"  ERROR {r['error']}" if r["error"] else "")
        )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=None, help="SCORECARD_HOME with a snapshot")
    parser.add_argument("--scale", type=float, default=None, help="scale to build (default 1)")
    parser.add_argument("--n", type=int, default=30, help="calls per callback")
    parser.add_argument("--loads", type=int, default=BROWSER_LOADS, help="browser loads a page")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    parser.add_argument("--note", default="", help="a label kept with the results")
    parser.add_argument(
        "--no-gc-freeze", action="store_true", help="skip gc.freeze() (to measure its effect)"
    )
    args = parser.parse_args(argv)

    home = args.home or Path(tempfile.mkdtemp(prefix="scorecard-dash-bench-"))
    home = home.resolve()
    built_s = None
    if not has_snapshot(home):
        scale = args.scale if args.scale is not None else 1.0
        print(f"building a scale-{scale:g} home in {home} ...", flush=True)
        built_s = build_home(home, scale)
        print(f"  built in {built_s:.0f} s", flush=True)
    os.environ["SCORECARD_HOME"] = str(home)
    # The app signs session cookies; the bench calls callbacks directly and serves only on
    # 127.0.0.1, so a throwaway key is enough when none is set.
    os.environ.setdefault("SCORECARD_SECRET_KEY", secrets.token_hex(32))

    from dashboard.app import create_app

    app = create_app()  # registers the pages, so their modules and callbacks are importable
    # As production does (dashboard/wsgi.py): start-up objects (modules, the page registry,
    # the catalogue) move to the permanent generation, so full collections during requests
    # no longer walk them.
    if not args.no_gc_freeze:
        gc.freeze()
    frozen = gc.get_freeze_count()
    snap = snapshot_info()
    print(f"home {home}: snapshot {snap['file']}, {snap['metric_values_rows']:,} metric rows")
    print(f"gc.freeze() after create_app: {frozen:,} objects frozen")
    print(f"server-side, {args.n} calls each (ms; p50/p95 exclude the cold first call)")
    rows = [t.summary() for t in callback_timings(args.n)]
    print_callbacks(rows)

    version, renders = None, []
    if not args.no_browser:
        if not Path(CHROMIUM).exists():
            print(f"no Chromium at {CHROMIUM}; skipping first render")
        else:
            with served_app(app) as url:
                version, renders = first_renders(url, args.loads)
            print(f"\nfirst render in Chromium {version} ({args.loads} loads, fresh context each;")
            print("navigation start to #main h1 visible and the last response before idle), ms")
            print(f"{'page':22} {'first':>7} {'median':>7} {'h1 median':>10}  loads")
            for r in renders:
                print(
                    f"{r['page']:22} {r['first_load_ms'] or '-':>7} {r['median_ms'] or '-':>7} "
                    f"{r['h1_visible_median_ms'] or '-':>10}  {r['loads']}"
                    + (f"  ERRORS {r['errors']}" if r["errors"] else "")
                )

    result = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "note": args.note,
        "machine": machine(),
        "home": str(home),
        "scale": args.scale,
        "built_s": None if built_s is None else round(built_s),
        "snapshot": snap,
        "calls_per_callback": args.n,
        "gc_frozen_objects": frozen,
        "callbacks": rows,
        "chromium": version,
        "first_render": renders,
    }
    print(f"\nappended to {record.append('dashboard', result)}")
    return result


if __name__ == "__main__":
    main()
