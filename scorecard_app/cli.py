"""The ``scorecard`` command: one CLI, subcommands per job.

Implementations live in their layer's package and are imported inside each command, so
``scorecard --help`` stays quick and a command only pays for what it uses.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Rape response scorecard: generate extracts, run the pipeline, export metrics, "
    "serve the dashboard.",
    no_args_is_help=True,
    add_completion=False,
)
etl_app = typer.Typer(
    help="Pull, validate and load extracts; schedule refreshes.", no_args_is_help=True
)
metrics_app = typer.Typer(help="Metric values from the marts.", no_args_is_help=True)
users_app = typer.Typer(help="Dashboard users.", no_args_is_help=True)
editions_app = typer.Typer(
    help="Published editions: the serving snapshot frozen under a name.", no_args_is_help=True
)
app.add_typer(etl_app, name="etl")
app.add_typer(metrics_app, name="metrics")
app.add_typer(users_app, name="users")
app.add_typer(editions_app, name="editions")


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
) -> None:
    from scorecard.settings import private_files

    private_files()  # app database, warehouse, reports, logs: 0600/0700
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a clear error and return the Exit to raise."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


# --- source layer: synthetic extracts -------------------------------------------------
@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the extracts into.")],
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 1,
    scale: Annotated[float, typer.Option(help="Volume multiplier (1 = national volume).")] = 1.0,
    as_at: Annotated[str | None, typer.Option("--as-at", help="Snapshot date YYYY-MM-DD.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    contract: Annotated[
        str,
        typer.Option(
            help="Extract contract version the senders follow: 1.1 (with court outcomes) "
            "or 1.0 (a nation that has not sent court outcomes yet)."
        ),
    ] = "1.1",
) -> None:
    """Write synthetic national extracts for every force and CPS Area."""
    from scorecard.synthetic import CONTRACT_VERSIONS, DEFAULT_AS_AT, GenerateOptions, generate_all

    try:
        as_at_date = date.fromisoformat(as_at) if as_at else DEFAULT_AS_AT
    except ValueError:
        raise fail(f"--as-at {as_at!r} is not a YYYY-MM-DD date") from None
    if scale <= 0:
        raise fail("--scale must be greater than 0")
    if fmt not in {"csv", "parquet"}:
        raise fail("--format must be csv or parquet")
    if contract not in CONTRACT_VERSIONS:
        raise fail(f"--contract must be one of {', '.join(CONTRACT_VERSIONS)}")
    summary = generate_all(
        GenerateOptions(
            out=out, seed=seed, scale=scale, as_at=as_at_date, fmt=fmt, contract=contract
        ),
        progress=True,
    )
    typer.echo(f"wrote {summary.files} files, {summary.rows:,} rows to {out}")


# --- warehouse --------------------------------------------------------------------------
@app.command()
def migrate() -> None:
    """Create or upgrade the warehouse schema and reload reference data."""
    from scorecard.settings import load_settings
    from warehouse import db
    from warehouse.migrate import migrate as run_migrations
    from warehouse.reference_load import load_reference

    settings = load_settings()
    with db.read_write(settings.warehouse_path) as con:
        applied = run_migrations(con)
        load_reference(con, settings)
    typer.echo(f"warehouse {settings.warehouse_path}: applied {applied or 'nothing new'}")


# --- pipeline ---------------------------------------------------------------------------
@etl_app.command("run")
def etl_run(
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Source name from the config (repeat).")
    ] = None,
    result_file: Annotated[
        Path | None,
        typer.Option(
            "--result-file",
            help="Write the exit code and a one-line summary here as JSON when the run ends "
            "(the dashboard's run now reads it).",
            hidden=True,
        ),
    ] = None,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Build and publish even when no file is new, recomputing every metric fact "
            "(the incremental build's kept state is forgotten first), not only those of the "
            "senders whose extracts changed. The marts are the same either way.",
        ),
    ] = False,
) -> None:
    """Run one refresh now. Exit 0 all loaded, 3 some rejected, 1 failure."""
    with _result_written(result_file) as outcome:
        _etl_run(source or None, outcome, rebuild=rebuild)


def _forget_kept_facts() -> None:
    """Drop the incremental build's kept state, so the next build is a full one."""
    from scorecard.settings import load_settings
    from warehouse import db, scope

    settings = load_settings()
    if settings.warehouse_path.exists():
        with db.read_write(settings.warehouse_path) as con:
            scope.forget(con)


@contextmanager
def _result_written(path: Path | None) -> Iterator[dict[str, object]]:
    """Record how the run ended in ``path`` whatever happens inside (an exit, an error); a
    process killed outright writes nothing, which is how a reader tells it died."""
    outcome: dict[str, object] = {"exit_code": 1, "summary": None}
    try:
        yield outcome
        outcome["exit_code"] = 0
    except typer.Exit as stop:
        outcome["exit_code"] = stop.exit_code
        raise
    except BaseException as exc:
        outcome["exit_code"] = 1
        outcome["summary"] = outcome["summary"] or f"{type(exc).__name__}: {exc}"
        raise
    finally:
        if path is not None:
            import json
            from datetime import datetime

            outcome["finished_at"] = datetime.now().isoformat(timespec="seconds")
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(json.dumps(outcome, default=str), encoding="utf-8")
            tmp.replace(path)


def _etl_run(
    source: list[str] | None, outcome: dict[str, object], *, rebuild: bool = False
) -> None:
    import duckdb

    from pipelines.config import ConfigError
    from pipelines.ledger import KeyMismatchError
    from pipelines.pseudonymise import MissingKeyError
    from pipelines.runner import run_refresh

    try:
        if rebuild:
            _forget_kept_facts()
        result = run_refresh(source, rebuild=rebuild)
    except (ConfigError, MissingKeyError, KeyMismatchError) as exc:
        outcome["summary"] = str(exc)
        raise fail(str(exc), code=1) from None
    except duckdb.IOException as exc:  # another process holds the warehouse's write lock
        outcome["summary"] = (
            "The warehouse is in use by another process (another refresh, or a program "
            "holding it open), so nothing was read. Try again when it has finished."
        )
        raise fail(f"{outcome['summary']} ({exc})", code=1) from None
    for f in result.files:
        rules = f" [{', '.join(f['rules_failed'])}]" if f["rules_failed"] else ""
        typer.echo(f"{f['outcome']:>8}  {f['file']}{rules}")
    line = (
        f"run {result.run_id[:8]}: {result.status}; {result.new} new file(s), "
        f"{result.loaded} loaded, {result.rejected} rejected, {result.warnings} warning(s)"
    )
    outcome["run_id"] = result.run_id
    outcome["summary"] = (
        f"{result.new} new file(s): {result.loaded} loaded, {result.rejected} rejected, "
        f"{result.warnings} warning(s)" + (f". {result.message}" if result.message else ".")
    )
    typer.echo(line + (f"; snapshot {Path(result.snapshot).name}" if result.snapshot else ""))
    if result.data_docs:
        typer.echo(f"validation reports (GX Data Docs): {result.data_docs}")
    if result.message:
        typer.echo(f"note: {result.message}", err=True)
    raise typer.Exit(result.exit_code)


@etl_app.command("status")
def etl_status(
    runs: Annotated[int, typer.Option(help="How many recent runs to show.")] = 10,
) -> None:
    """Freshness per sender (last as_at, days since, last outcome) and the last runs."""
    from pipelines.runner import status_report

    try:
        typer.echo(status_report(runs))
    except ValueError as exc:  # a bad SCORECARD_EXPECTED_CADENCE
        raise fail(str(exc), code=2) from None


@etl_app.command("serve")
def etl_serve() -> None:
    """Register the configured schedules as Prefect deployments and run them when due."""
    from pipelines.runner import serve_schedules

    serve_schedules()


# --- dashboard --------------------------------------------------------------------------
@app.command()
def dashboard(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8050,
) -> None:
    """Serve the dashboard (development server; production uses gunicorn)."""
    from dashboard.devserver import PortError, dev_server, serve_until_stopped

    try:
        server = dev_server(host, port)
    except PortError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"Dashboard: http://{host}:{port}/  (Ctrl+C to stop)")
    serve_until_stopped(server)


# --- metrics ----------------------------------------------------------------------------
@metrics_app.command("export")
def metrics_export(
    level: Annotated[
        str | None, typer.Option(help="national, force, cps_area, joint or region (default: all).")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(help="A financial year (2023-24) or quarter (2023-24-Q1) (default: all)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: stdout).")
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", help="DuckDB file to read (default: the serving snapshot, else the warehouse)."
        ),
    ] = None,
) -> None:
    """Export disclosure-controlled metric values (the columns of mart.metric_values)."""
    import duckdb

    from scorecard.settings import load_settings
    from warehouse.metrics import export

    settings = load_settings()
    try:
        export.validate(level, period)
        export.render([], fmt)
        path = export.source_path(settings.snapshots_dir, settings.warehouse_path, db)
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise export.ExportError(f"cannot open {path} as DuckDB: {exc}") from None
        with con:
            try:
                data = export.rows(con, level=level, period=period)
            except duckdb.CatalogException:
                raise export.ExportError(
                    f"{path} has no mart.metric_values; run the pipeline first"
                ) from None
            if period is not None and not data and period not in export.known_periods(con):
                raise export.ExportError(f"no figures for period {period!r} in {path}")
        text = export.render(data, fmt)
        if out is None:
            typer.echo(text, nl=False)
        else:
            try:
                out.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise export.ExportError(f"cannot write {out}: {exc.strerror}") from None
            typer.echo(f"wrote {len(data):,} rows to {out}", err=True)
    except export.ExportError as exc:
        raise fail(str(exc)) from None


# --- users -----------------------------------------------------------------------------
def _who() -> str:
    """Audit name for changes made at the command line: the operating-system user."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _read_password(confirm: bool = True) -> str:
    """The password from standard input when piped (one line), else a hidden prompt; never
    from an argument, where it would sit in shell history and the process list."""
    import sys

    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise fail("no password on standard input (give it as one line)")
        return password
    return typer.prompt("Password", hide_input=True, confirmation_prompt=confirm)


@contextmanager
def _user_errors() -> Iterator[None]:
    """A refused user change becomes a one-line error and exit code 2."""
    from accounts.users import UserError

    try:
        yield
    except UserError as exc:
        raise fail(str(exc)) from None


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Sign-in name (lower case).")],
    role: Annotated[str, typer.Option(help="board, pcc, owner, analyst or admin.")],
    org: Annotated[
        str | None,
        typer.Option(help="Organisation code: the force for a pcc, the owner organisation."),
    ] = None,
) -> None:
    """Add a user; the password is read from standard input or a prompt."""
    from accounts import users

    with _user_errors():
        users.normalise_username(username)
        users.check_role(role, org)
    password = _read_password()
    with _user_errors():
        user = users.add(username, role, password, org_code=org, who=_who())
    typer.echo(
        f"added {user.username} ({user.role}{', ' + user.org_code if user.org_code else ''})"
    )


@users_app.command("list")
def users_list() -> None:
    """List users: name, role, organisation, state, last sign-in."""
    from accounts import users

    rows = users.list_users()
    if not rows:
        typer.echo("no users yet; add one with `scorecard users add NAME --role ROLE`")
        return
    typer.echo(f"{'username':<24} {'role':<8} {'organisation':<28} {'state':<9} last sign-in")
    for u in rows:
        state = "disabled" if u.disabled else ("locked" if u.locked() else "active")
        last = f"{u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "never"
        typer.echo(f"{u.username:<24} {u.role:<8} {(u.org_code or '-'):<28} {state:<9} {last}")


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="User to disable.")]) -> None:
    """Disable a user and end their sessions (the account and its history are kept)."""
    from accounts import users

    with _user_errors():
        users.set_disabled(username, True, who=_who())
    typer.echo(f"disabled {username}")


@users_app.command("enable")
def users_enable(username: Annotated[str, typer.Argument(help="User to re-enable.")]) -> None:
    """Re-enable a disabled user."""
    from accounts import users

    with _user_errors():
        users.set_disabled(username, False, who=_who())
    typer.echo(f"enabled {username}")


@users_app.command("set-password")
def users_set_password(username: Annotated[str, typer.Argument(help="User.")]) -> None:
    """Set a new password (stdin or prompt); unlocks the account and ends its sessions."""
    from accounts import users

    if users.get(username) is None:
        raise fail(f"no user {username!r}")
    password = _read_password()
    with _user_errors():
        users.set_password(username, password, who=_who())
    typer.echo(f"password changed for {username}")


@users_app.command("unlock")
def users_unlock(username: Annotated[str, typer.Argument(help="User.")]) -> None:
    """Lift a lock-out after repeated failed sign-ins."""
    from accounts import users

    with _user_errors():
        users.unlock(username, who=_who())
    typer.echo(f"unlocked {username}")


# --- editions ---------------------------------------------------------------------------
@editions_app.command("publish")
def editions_publish(
    label: Annotated[str, typer.Option("--label", help="The edition's name, e.g. 'Q2 board'.")],
    note: Annotated[str, typer.Option("--note", help="Why it was published.")] = "",
) -> None:
    """Freeze the current serving snapshot as a named, read-only edition (audited)."""
    from accounts import appdb
    from scorecard.settings import load_settings
    from warehouse import editions

    who = _who()
    try:
        with appdb.engine().begin() as con:  # the audit entry commits with the publish
            edition = editions.publish(load_settings(), label, note, who)
            appdb.audit(
                con,
                who,
                "edition.publish",
                edition.label,
                None,
                {"label": edition.label, "note": edition.note, "snapshot": edition.snapshot},
            )
    except editions.EditionError as exc:
        raise fail(str(exc)) from None
    typer.echo(
        f"published edition {edition.label!r} (data as at {edition.data_as_at or 'unknown'}, "
        f"{len(edition.extracts)} extracts) from {edition.snapshot}"
    )


@editions_app.command("list")
def editions_list() -> None:
    """List published editions, newest first."""
    from scorecard.settings import load_settings
    from warehouse import editions

    found = editions.list_editions(load_settings())
    if not found:
        typer.echo("no editions yet; publish one with `scorecard editions publish --label TEXT`")
        return
    typer.echo(f"{'label':<32} {'published (UTC)':<17} {'data as at':<11} {'by':<20} note")
    for e in found:
        typer.echo(
            f"{e.label:<32} {e.published_at:%Y-%m-%d %H:%M} {e.data_as_at or '-'!s:<11} "
            f"{e.published_by:<20} {e.note}"
        )


# --- demo -------------------------------------------------------------------------------
@app.command()
def demo(
    port: Annotated[
        int,
        typer.Option(
            help="Port for the dashboard on 127.0.0.1. Choose another if it is in use "
            "(checked before any work); with make: make demo PORT=8060."
        ),
    ] = 8050,
    scale: Annotated[float, typer.Option(help="Volume multiplier for the demo data.")] = 1.0,
    serve: Annotated[bool, typer.Option(help="Start the dashboard after loading.")] = True,
) -> None:
    """Generate the synthetic national extracts, run the pipeline, start the dashboard.

    Prints a line per stage and the sign-ins last; `scorecard -v demo` shows every log line.
    """
    from dashboard.devserver import PortError
    from scorecard_app.demo import quiet_logs, run_demo

    os.environ.setdefault("SCORECARD_DEMO", "1")
    if logging.getLogger().level > logging.DEBUG:  # not --verbose
        quiet_logs()
    try:
        code = run_demo(port=port, scale=scale, serve=serve)
    except PortError as exc:
        raise fail(str(exc)) from None
    raise typer.Exit(code)


if __name__ == "__main__":
    app()
