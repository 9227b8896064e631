"""``make demo``: generate synthetic national extracts, refresh, start the dashboard.

A newcomer's first run, so it is short and quiet: one line per stage with the time so far
and, where something has been measured, what remains; no per-request or library chatter;
one warning that this is synthetic data under the demo key; and the sign-ins last, in a
box with the address. All the demo's wording is here.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, TextIO

from scorecard.settings import load_settings, private_files

if TYPE_CHECKING:
    from pipelines.progress import Step

log = logging.getLogger(__name__)


DEMO_USERS = (
    ("demo-board", "board", None),
    ("demo-pcc", "pcc", "kent"),
    ("demo-owner", "owner", "cps_hq"),
    ("demo-analyst", "analyst", None),
    ("demo-admin", "admin", None),
)

# Library logging the demo quiets unless --verbose: Prefect's per-task lines, its HTTP client,
# and this project's own INFO lines (the stage lines say the same, once).
_PREFECT_QUIET = {
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",  # nothing to read them: no POST per log line
}
# Seconds between progress lines when the output is not a terminal (a log file).
LOG_EVERY = 30.0
# The estimate's memory, in file reports: one this many reports back counts half.
HALF_LIFE = 10.0


def demo_users() -> list[tuple[str, str, str | None, str]]:
    """One user per role with a fresh random password (set again on every demo run), so no
    fixed password ships with the product. Returns (username, role, org, password)."""
    import secrets

    from accounts import users

    made = []
    for username, role, org in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        existing = users.get(username)
        if existing is None:
            users.add(username, role, password, org_code=org, who="demo")
        else:
            users.set_password(username, password, who="demo")
            if existing.disabled:
                users.set_disabled(username, False, who="demo")
        made.append((username, role, org, password))
    return made


def duration(seconds: float) -> str:
    """'45 s' or '3 min 05 s': how long, in words a newcomer reads at a glance."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    return f"{whole // 60} min {whole % 60:02d} s"


def remaining(elapsed: float, done: float, total: float) -> float | None:
    """Seconds left if the rest goes at the rate measured so far; None before any is done."""
    if done <= 0 or total <= done or elapsed <= 0:
        return None
    return elapsed * (total - done) / done


def per_file_and_mb(observed: list[tuple[int, float, float]]) -> tuple[float, float] | None:
    """Seconds per file and per MB fitted (least squares, neither negative) to what was
    measured: (files, MB, seconds) for each report. Files cost a fixed part (start-up per
    file) and a part by size, so neither a count nor a size alone predicts small files after
    large ones. Recent reports weigh more (half as much every ``HALF_LIFE`` reports back):
    files come kind by kind, and each kind and the machine's load change the costs. None
    until something has been measured."""
    last = len(observed) - 1
    w = [0.5 ** ((last - i) / HALF_LIFE) for i in range(len(observed))]
    snn = sum(wi * n * n for wi, (n, _, _) in zip(w, observed, strict=True))
    snm = sum(wi * n * m for wi, (n, m, _) in zip(w, observed, strict=True))
    smm = sum(wi * m * m for wi, (_, m, _) in zip(w, observed, strict=True))
    snt = sum(wi * n * t for wi, (n, _, t) in zip(w, observed, strict=True))
    smt = sum(wi * m * t for wi, (_, m, t) in zip(w, observed, strict=True))
    det = snn * smm - snm * snm
    if det > 1e-9 * max(snn * smm, 1e-12):
        a, b = (snt * smm - smt * snm) / det, (smt * snn - snt * snm) / det
        if a >= 0 and b >= 0:
            return a, b
    fits = []  # one-parameter fits, the one with the smaller weighted squared error
    if snn > 0:
        a = snt / snn
        err = sum(wi * (t - a * n) ** 2 for wi, (n, _, t) in zip(w, observed, strict=True))
        fits.append((err, (a, 0.0)))
    if smm > 0:
        b = smt / smm
        err = sum(wi * (t - b * m) ** 2 for wi, (_, m, t) in zip(w, observed, strict=True))
        fits.append((err, (0.0, b)))
    return min(fits)[1] if fits else None


def _mb(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB"


class Progress:
    """Prints a line per stage: time since the demo started, the stage, what is done and an
    estimate of what remains from what was measured so far (never a figure made up).

    On a terminal a stage's line is rewritten in place; in a log, a stage's line is repeated
    at most every ``every`` seconds, so a log stays a dozen lines long."""

    def __init__(
        self,
        out: TextIO,
        clock: Callable[[], float] = time.monotonic,
        every: float = LOG_EVERY,
    ) -> None:
        self.out = out
        self.clock = clock
        self.every = every
        self.started = clock()
        self.live = out.isatty()
        self._open = False  # a terminal line waiting to be rewritten or ended
        self._last_print = -every
        self._stage_started: dict[str, float] = {}
        self._files_seen = (0, 0, 0.0)  # files, bytes, clock at the last files report
        self._observed: list[tuple[int, float, float]] = []

    def line(self, stage: str, text: str, final: bool = True) -> None:
        """Show one line for ``stage``; ``final=False`` is an update that may be skipped."""
        now = self.clock()
        stamp = duration(now - self.started)
        body = f"[{stamp:>10}] {stage:<9} {text}"
        if self.live:
            end = "\n" if final else ""
            self.out.write(f"\r{body}\x1b[K{end}")
            self._open = not final
        elif final or now - self._last_print >= self.every:
            self.out.write(body + "\n")
            self._last_print = now
        self.out.flush()

    def end_line(self) -> None:
        """Finish a terminal line left open by an update (before other output)."""
        if self._open:
            self.out.write("\n")
            self.out.flush()
            self._open = False

    def since(self, stage: str) -> float:
        """Seconds since ``stage`` first reported (starting its clock now if it had not)."""
        return self.clock() - self._stage_started.setdefault(stage, self.clock())

    # --- the stages -------------------------------------------------------------------
    def generated(self, done: int, total: int) -> None:
        elapsed = self.since("generate")
        left = remaining(elapsed, done, total)
        final = done >= total
        text = f"{done} of {total} organisations"
        if final:
            text += f", done in {duration(elapsed)}"
        elif left is not None:
            text += f", about {duration(left)} left"
        self.line("generate", text, final=final)

    def refresh_step(self, step: Step) -> None:
        """Listens to the refresh (pipelines.progress)."""
        stage = step.stage
        if stage == "listing":
            self.line("refresh", "listing new files")
        elif stage == "files":
            self._files(step.done, step.total, step.bytes_done, step.bytes_total)
        elif stage == "build":
            self.end_line()
            self.line("refresh", "build: core tables and marts (no estimate: not yet measured)")
        elif stage == "publish":
            self.line("refresh", "publish: serving snapshot")
        elif stage == "docs":
            self.line("refresh", "validation reports (Data Docs)")

    def _files(self, done: int, total: int, bytes_done: int, bytes_total: int) -> None:
        elapsed = self.since("files")
        now = self.clock()
        seen_files, seen_bytes, seen_at = self._files_seen
        if done > seen_files:
            self._observed.append(
                (done - seen_files, (bytes_done - seen_bytes) / 1e6, now - seen_at)
            )
        self._files_seen = (done, bytes_done, now)
        if total == 0:
            self.line("refresh", "files: nothing new to load")
            return
        text = f"files {done} of {total} ({_mb(bytes_done)} of {_mb(bytes_total)})"
        final = done >= total
        fit = per_file_and_mb(self._observed)
        if final:
            text += f", done in {duration(elapsed)}"
        elif fit is None:
            text += ", estimate after the first file"
        else:
            left = fit[0] * (total - done) + fit[1] * (bytes_total - bytes_done) / 1e6
            text += f", about {duration(left)} left"
        self.line("refresh", text, final=final or done == 0)


def sign_in_box(
    url: str, users: list[tuple[str, str, str | None, str]], serving: bool, port: int
) -> str:
    """The sign-ins and the address, boxed, as the demo's last words."""
    from accounts import appdb

    rows = [
        f"Dashboard: {url}" if serving else f"Dashboard not started (--no-serve): {url}",
        "Sign in as one of these (new passwords each run; synthetic data only):",
        "",
        f"  {'role':<8} {'username':<14} {'password':<18} organisation",
    ]
    for username, role, org, password in users:
        where = appdb.owner_name(org) if org else "-"
        rows.append(f"  {role:<8} {username:<14} {password:<18} {where}")
    rows.append("")
    if serving:
        rows.append("Ctrl+C stops the dashboard.")
    else:
        rows.append(f"Start it with: scorecard dashboard --port {port}")
    width = max(len(r) for r in rows)
    edge = "+" + "-" * (width + 2) + "+"
    return "\n".join([edge, *(f"| {r:<{width}} |" for r in rows), edge])


def quiet_logs() -> None:
    """Only warnings and errors from any library, written plainly (no timestamps or logger
    names): the stage lines are the demo's account of what happens. For the CLI to call
    (it owns the process's logging); without it the demo shows every library's INFO lines."""
    for name, value in _PREFECT_QUIET.items():
        os.environ.setdefault(name, value)
    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    for handler in root.handlers:
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    for name in ("prefect", "httpx", "werkzeug", "great_expectations"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _start_prefect_early() -> threading.Thread:
    """Start Prefect's temporary server in the background while extracts are generated: it
    takes 10-80 s of mostly another process's CPU, which the second CPU can spend now."""
    from pipelines.runtime import prefect_environment, start_local_server

    prefect_environment(load_settings().home)

    def start() -> None:
        try:
            start_local_server()
        except Exception as exc:  # the refresh starts it again and reports a failure itself
            log.debug("early Prefect start failed: %s", exc)

    thread = threading.Thread(target=start, name="prefect-start", daemon=True)
    thread.start()
    return thread


def _docs_later(home: str, run_id: str) -> threading.Thread:
    """Build the run's validation reports (GX Data Docs) in the background: a convenience
    the /data page links to, not worth keeping a newcomer from the dashboard."""
    from pipelines.flow import data_docs

    def build() -> None:
        try:
            data_docs.fn(home, run_id)
        except Exception as exc:
            log.warning("could not build the validation reports (Data Docs): %s", exc)

    thread = threading.Thread(target=build, name="data-docs", daemon=True)
    thread.start()
    return thread


def run_demo(
    port: int = 8050,
    scale: float = 1.0,
    serve: bool = True,
    as_at: date | None = None,
    host: str = "127.0.0.1",
    out: TextIO | None = None,
) -> int:
    """Returns the refresh's exit code; serves until interrupted when ``serve``. ``as_at``
    (default the generator's) dates the synthetic extracts. A port that cannot be used
    raises dashboard.devserver.PortError before any work."""
    from dashboard import devserver
    from pipelines import progress
    from pipelines.pseudonymise import load_key
    from pipelines.runner import run_refresh
    from scorecard.synthetic import DEFAULT_AS_AT, GenerateOptions, generate_all

    stream = out or sys.stdout
    if serve:
        devserver.check_port(host, port)  # now, not after minutes of loading
    private_files()
    os.environ["SCORECARD_DEMO"] = "1"
    load_key()  # the one demo warning (synthetic data, demo key), before any work
    shown = Progress(stream)
    settings = load_settings()
    landing = settings.landing_dir
    prefect_start = _start_prefect_early()
    existing = sorted(landing.glob("*__*__*.*"))
    if existing:
        shown.line("generate", f"skipped: {len(existing)} extracts already in {landing}")
    else:
        shown.line("generate", f"synthetic national extracts (scale {scale}) into {landing}")
        summary = generate_all(
            GenerateOptions(out=landing, seed=1, scale=scale, as_at=as_at or DEFAULT_AS_AT),
            on_org=shown.generated,
        )
        shown.line("generate", f"{summary.files} files, {summary.rows:,} rows")
    if prefect_start.is_alive():
        shown.line("refresh", "starting Prefect's temporary server")
        prefect_start.join()
    with progress.listening(shown.refresh_step):
        result = run_refresh(docs=False)  # built below, once the dashboard serves
    shown.end_line()
    shown.line(
        "refresh",
        f"{result.status}: {result.loaded} loaded, {result.rejected} rejected, "
        f"{result.new} new file(s)" + (f"; {result.message}" if result.message else ""),
    )
    users = demo_users()
    url = f"http://{host}:{port}/"
    server = None
    if serve:
        shown.line("serve", "starting the dashboard")
        server = devserver.dev_server(host, port, access_log=False)
        shown.line("serve", f"ready at {url}")
    stream.write("\n" + sign_in_box(url, users, serving=serve, port=port) + "\n")
    stream.flush()
    docs = _docs_later(str(settings.home), result.run_id) if result.new else None
    if server is not None:
        devserver.serve_until_stopped(server)
    if docs is not None:
        docs.join()
    return result.exit_code
