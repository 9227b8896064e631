"""Serving at scale: several gunicorn workers read the newest snapshot, and publishing new
snapshots while clients hammer the app loses no request (ARCHITECTURE decision 1).

Each published snapshot carries a marker (a national metric row with a known denominator), so
a response says which snapshot answered it; gunicorn's access log says which worker did (its
pid, and the request number the client sent in a header). Requests that start after a switch
must all get the new snapshot, from every worker.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
import requests

from tests.helpers.pipeline import LoadedHome
from tests.helpers.services import (
    BOARD_PASSWORD,
    BOARD_USER,
    HOST,
    Client,
    add_user,
    app_env,
    children,
    databases,
    free_port,
    gunicorn_argv,
    http_status,
    login_available,
    running,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WORKERS = 4
CLIENTS = 8
SWITCHES = 3  # the third publish prunes the first file while workers may still hold it
MARK_BASE = 7_000_000  # denominator of the marker row in snapshot version v: MARK_BASE + v
SEQ_HEADER = "X-Test-Seq"


@dataclass(frozen=True)
class Marker:
    """The national row whose denominator names the snapshot version."""

    period: str
    org_code: str
    metric_id: str
    stat: str
    breakdown: str | None
    basis: str


@dataclass
class Outcome:
    seq: int
    kind: str  # "api" or "page"
    started: float
    version: int | None  # snapshot version for API answers
    status: int | None
    error: str | None = None


@dataclass
class Log:
    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    seq: int = 0

    def next_seq(self) -> int:
        with self.lock:
            self.seq += 1
            return self.seq

    def add(self, o: Outcome) -> None:
        with self.lock:
            self.outcomes.append(o)


@pytest.fixture(scope="module")
def published_home(tmp_path_factory: pytest.TempPathFactory, loaded_home: LoadedHome) -> Path:
    """A home of its own serving the session's loaded snapshot (the national set), published
    again here by pipelines.publish; no other module's state is used."""
    from pipelines.publish import current_snapshot, publish_snapshot

    source = current_snapshot(loaded_home.path / "snapshots")
    assert source is not None, "the loaded home has no published snapshot"
    home = tmp_path_factory.mktemp("switch-home")
    con = duckdb.connect(str(source), read_only=True)
    try:
        publish_snapshot(con, home / "snapshots", "0" * 32)
    finally:
        con.close()
    return home


def pick_marker(snapshot: Path) -> Marker:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        row = con.execute(
            "SELECT period, org_code, metric_id, stat, breakdown, basis FROM mart.metric_values "
            "WHERE level = 'national' ORDER BY period DESC, metric_id, stat, breakdown LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    assert row is not None, "no national metric values in the snapshot"
    return Marker(row[0], row[1], row[2], row[3], row[4], row[5])


def publish_version(snapshots: Path, source: Path, marker: Marker, version: int) -> Path:
    """Publish (pipelines.publish, atomic symlink switch) a copy of ``source`` marked ``v``."""
    from pipelines.publish import publish_snapshot

    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_catalog = 'src' AND table_type = 'BASE TABLE' "
            "AND NOT (table_schema = 'meta' AND table_name = 'snapshot')"
        ).fetchall()
        for schema, table in tables:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            con.execute(
                f'CREATE TABLE "{schema}"."{table}" AS SELECT * FROM src."{schema}"."{table}"'
            )
        con.execute("DETACH src")
        changed = con.execute(
            "UPDATE mart.metric_values SET denominator = ? WHERE level = 'national' "
            "AND period = ? AND org_code = ? AND metric_id = ? AND stat = ? "
            "AND breakdown IS NOT DISTINCT FROM ? AND basis = ?",
            [MARK_BASE + version, marker.period, marker.org_code, marker.metric_id,
             marker.stat, marker.breakdown, marker.basis],
        ).fetchone()  # fmt: skip
        assert changed is not None and changed[0] == 1, f"marker row not unique: {changed}"
        return publish_snapshot(con, snapshots, f"{version:032x}")
    finally:
        con.close()


def version_of(rows: list[dict], marker: Marker) -> int | None:
    for r in rows:
        if (r["metric_id"], r["stat"], r["breakdown"], r["basis"], r["org_code"]) == (
            marker.metric_id, marker.stat, marker.breakdown, marker.basis, marker.org_code,
        ):  # fmt: skip
            d = r["denominator"]
            return int(d) - MARK_BASE if d is not None and d >= MARK_BASE else 0
    return None


def hammer(base: str, marker: Marker, log: Log, stop: threading.Event, deps: list[dict]) -> None:
    """One client: its own session, API reads with a page render every fifth request."""
    client = Client(base)
    try:
        client.login()
    except Exception as exc:
        log.add(Outcome(0, "login", time.monotonic(), None, None, repr(exc)))
        return
    query = f"level=national&period={marker.period}"
    n = 0
    while not stop.is_set():
        n += 1
        seq = log.next_seq()
        kind = "page" if n % 5 == 0 else "api"
        started = time.monotonic()
        headers = {SEQ_HEADER: str(seq)}
        try:
            if kind == "api":
                r = client.get(client.url(f"/api/metrics?{query}"), headers=headers, timeout=60)
                version = version_of(r.json(), marker) if r.status_code == 200 else None
            else:
                r = client.page_callback("/", deps, headers=headers)
                version = None
            log.add(Outcome(seq, kind, started, version, r.status_code))
        except (requests.RequestException, ValueError) as exc:
            log.add(Outcome(seq, kind, started, None, None, repr(exc)))


def read_access_log(path: Path) -> dict[int, int]:
    """Request number -> worker pid, from lines '<pid> seq status'."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit():
            out[int(parts[1])] = int(parts[0].strip("<>"))
    return out


def test_snapshot_switch_under_load_loses_no_request(
    published_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipelines.publish import current_snapshot

    snapshots = published_home / "snapshots"
    first = current_snapshot(snapshots)
    assert first is not None
    template = tmp_path / "template.duckdb"  # pruning will delete the first file
    shutil.copy2(first, template)
    marker = pick_marker(template)
    publish_version(snapshots, template, marker, 1)

    with databases(tmp_path) as db:
        env = app_env(published_home, db.app_url)
        if login_available():
            add_user(env, BOARD_USER, BOARD_PASSWORD)
        port = free_port()
        base = f"http://{HOST}:{port}"
        access = tmp_path / "access.log"
        argv = gunicorn_argv(
            port, WORKERS, "--access-logfile", str(access),
            "--access-logformat", f"%(p)s %({{{SEQ_HEADER.lower()}}}i)s %(s)s",
        )  # fmt: skip
        with running("gunicorn", argv, env, tmp_path / "logs") as web:
            wait_until("/healthz", lambda: http_status(f"{base}/healthz") == 200, 120, web)
            pids = wait_until(
                f"{WORKERS} workers",
                lambda: (c := children(web.proc.pid)) and len(c) == WORKERS and c,
                60, web,
            )  # fmt: skip
            probe = Client(base)
            probe.login()
            deps = probe.get(probe.url("/_dash-dependencies"), timeout=30).json()

            log = Log()
            stop = threading.Event()
            threads = [
                threading.Thread(target=hammer, args=(base, marker, log, stop, deps), daemon=True)
                for _ in range(CLIENTS)
            ]
            switched_at: dict[int, float] = {}
            try:
                for t in threads:
                    t.start()
                time.sleep(3)
                for version in range(2, 2 + SWITCHES):
                    publish_version(snapshots, template, marker, version)
                    switched_at[version] = time.monotonic()
                    time.sleep(3)
                last = max(switched_at)

                def every_worker_seen_after_switch() -> bool:
                    served = read_access_log(access)
                    late = {o.seq for o in list(log.outcomes) if o.started > switched_at[last]}
                    per_pid: dict[int, int] = {}
                    for seq in late:
                        if seq in served:
                            per_pid[served[seq]] = per_pid.get(served[seq], 0) + 1
                    return all(per_pid.get(p, 0) >= 3 for p in pids)

                with contextlib.suppress(pytest.fail.Exception):
                    wait_until("every worker after the switch", every_worker_seen_after_switch, 60)
            finally:
                stop.set()
                for t in threads:
                    t.join(90)
            assert not any(t.is_alive() for t in threads), "a client hung"
            assert children(web.proc.pid) == pids, "a worker died or was replaced under load"

        outcomes = sorted(log.outcomes, key=lambda o: o.seq)
        served = read_access_log(access)

    failed = [o for o in outcomes if o.error or o.status != 200]
    assert not failed, f"{len(failed)} of {len(outcomes)} requests failed, e.g. {failed[:5]}"
    api = [o for o in outcomes if o.kind == "api"]
    assert all(o.version is not None for o in api), "an answer lacked the marker row"
    assert any(o.version == 1 for o in api if o.started < switched_at[2]), "v1 never served"
    # Every version is seen, and nothing older than the version current when a request
    # started ever answers it.
    for version, at in switched_at.items():
        late = [o for o in api if o.started > at]
        assert late, f"no requests after switching to v{version}"
        stale = [o for o in late if (o.version or 0) < version]
        assert not stale, f"{len(stale)} requests after the switch to v{version} got older data"
    last = max(switched_at)
    after = [o for o in outcomes if o.started > switched_at[last]]
    by_worker: dict[int, set[int | None]] = {}
    for o in after:
        if o.seq in served:
            by_worker.setdefault(served[o.seq], set()).add(o.version)
    assert set(by_worker) == set(pids), f"after the last switch only {sorted(by_worker)} answered"
    for pid, versions in by_worker.items():
        assert versions <= {last, None}, f"worker {pid} served {versions} after v{last}"
    with capsys.disabled():
        rate = len(outcomes) / max(1e-9, outcomes[-1].started - outcomes[0].started)
        print(
            f"\n[test_serving_switch] {db.note}; {len(outcomes)} requests "
            f"({rate:.0f}/s) from {CLIENTS} clients over {WORKERS} workers, {SWITCHES} "
            f"switches, 0 failed; every worker served v{last} after the last switch"
        )
