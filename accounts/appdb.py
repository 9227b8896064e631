"""The app database: what the dashboard itself writes - recommendation status updates made by
owners in the app (with their history), users, login attempts and the append-only audit log.

SQLAlchemy Core on the URL from :attr:`scorecard.settings.Settings.app_db_url` (SQLite under
``SCORECARD_HOME`` by default, PostgreSQL or any SQLAlchemy URL in production). Tables are
created on first use. The serving snapshot stays read-only; the page shows whichever is newer
of the mart's status and the latest update recorded here.

:func:`validate_update` takes ``who`` and ``allowed_owners`` from the signed-in session (never
from the form), and :func:`record_update` writes the update and its audit entry in one
transaction.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from scorecard import reference
from scorecard.contract import REC_STATUSES
from scorecard.settings import Settings, load_settings

log = logging.getLogger(__name__)

EVIDENCE_MAX = 2000  # as the recommendation_updates extract contract
WHO_MAX = 200
EVIDENCE_REQUIRED = ("implemented", "verified")
LATEST_TARGET_YEAR = 2040

# One MetaData for every app table; create_all makes them on first use.
metadata = sa.MetaData()

rec_updates = sa.Table(
    "recommendation_updates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("rec_no", sa.Integer, nullable=False),
    sa.Column("owner_code", sa.String(64), nullable=False),
    sa.Column("who", sa.String(WHO_MAX), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("before_status", sa.String(32)),
    sa.Column("before_target_date", sa.Date),
    sa.Column("before_evidence", sa.Text),
    sa.Column("after_status", sa.String(32), nullable=False),
    sa.Column("after_target_date", sa.Date),
    sa.Column("after_evidence", sa.Text),
    sa.Index("ix_recommendation_updates_rec_owner", "rec_no", "owner_code"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("org_code", sa.String(64)),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("failed_logins", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    # Raised on every password change, disable or role change: older sessions stop working.
    sa.Column("session_epoch", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True)),
)

# One row per signed-in browser: the session cookie names a row by a random id (only its hash
# is stored), and signing out deletes it, so a copied cookie stops working at once while the
# user's other browsers stay signed in.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_sessions_user", "user_id"),
)

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("client", sa.String(64), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Index("ix_login_attempts_client_at", "client", "at"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("who", sa.String(WHO_MAX), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("before", sa.Text),
    sa.Column("after", sa.Text),
)

# The audit log is append-only in the database itself, not only by convention: updates and
# deletes raise, whichever program connects.
for _dialect, _ddl in (
    (
        "sqlite",
        [
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        ],
    ),
    (
        "postgresql",
        [
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
        ],
    ),
):
    for _stmt in _ddl:
        sa.event.listen(audit_log, "after_create", sa.DDL(_stmt).execute_if(dialect=_dialect))


def audit(
    con: sa.Connection,
    who: str,
    action: str,
    target: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> None:
    """Append one audit entry inside the caller's transaction, so the write and its record
    commit or fail together."""

    def dump(state: Mapping[str, Any] | None) -> str | None:
        return None if state is None else json.dumps(state, default=str, sort_keys=True)

    con.execute(
        sa.insert(audit_log).values(
            at=at or datetime.now(UTC),
            who=who[:WHO_MAX],
            action=action,
            target=target[:200],
            before=dump(before),
            after=dump(after),
        )
    )


def audit_entries(
    limit: int = 500,
    *,
    who: str | None = None,
    action: str | None = None,
    since: date | None = None,
    until: date | None = None,
    eng: Engine | None = None,
) -> list[dict[str, Any]]:
    """The newest audit entries, with before/after decoded; optionally only one user's, one
    action's, or those between two days (UTC, both included)."""
    q = sa.select(audit_log)
    if who:
        q = q.where(audit_log.c.who == who)
    if action:
        q = q.where(audit_log.c.action == action)
    if since:
        q = q.where(audit_log.c.at >= datetime.combine(since, time.min, tzinfo=UTC))
    if until:
        q = q.where(audit_log.c.at < datetime.combine(until + timedelta(days=1), time.min, UTC))
    q = q.order_by(audit_log.c.id.desc()).limit(limit)
    with (eng or engine()).connect() as con:
        rows = [dict(r._mapping) for r in con.execute(q)]
    for r in rows:
        r["at"] = _as_utc(r["at"])
        for k in ("before", "after"):
            r[k] = json.loads(r[k]) if r[k] else None
    return rows


def audit_facets(*, eng: Engine | None = None) -> tuple[list[str], list[str]]:
    """Everyone who appears in the audit log, and every action in it (for the filters)."""
    with (eng or engine()).connect() as con:
        who = con.execute(sa.select(audit_log.c.who).distinct().order_by(audit_log.c.who))
        actions = con.execute(sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action))
        return [r[0] for r in who], [r[0] for r in actions]


def _private_sqlite_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (it holds password hashes and the
    audit log), whatever the process umask; tighten one an older version left readable.
    SQLite gives its journal and WAL files the database file's permissions."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
        log.info("app database %s made private to its owner (0600)", path)


_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def engine(settings: Settings | None = None, url: str | None = None) -> Engine:
    """A cached engine for the app database, its tables created on first use."""
    url = url or (settings or load_settings()).app_db_url
    with _lock:
        eng = _engines.get(url)
        if eng is None:
            made = sa.make_url(url)
            if made.get_backend_name() == "sqlite" and made.database not in (None, "", ":memory:"):
                _private_sqlite_file(Path(made.database))
            eng = sa.create_engine(url, future=True)
            metadata.create_all(eng)
            _engines[url] = eng
            log.info("app database ready (%s)", made.render_as_string(hide_password=True))
        return eng


def dispose_all() -> None:
    """Close every cached engine (tests, and a process changing SCORECARD_HOME)."""
    with _lock:
        for eng in _engines.values():
            eng.dispose()
        _engines.clear()


# --- validation ------------------------------------------------------------------------


class UpdateError(ValueError):
    """A rejected update; ``errors`` maps form field -> plain-English message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


@dataclass(frozen=True)
class StatusUpdate:
    """A validated update. ``target_date`` None keeps the current target."""

    rec_no: int
    owner_code: str
    status: str
    target_date: date | None
    evidence: str | None
    who: str


@dataclass(frozen=True)
class RecState:
    """A recommendation x owner's status at one moment (the 'before' or 'after')."""

    status: str | None
    target_date: date | None
    evidence: str | None


def _text(raw: object) -> str:
    return "" if raw is None else str(raw).strip()


def _parse_date(raw: object) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw if not isinstance(raw, datetime) else raw.date()
    text = str(raw).strip()
    return date.fromisoformat(text) if text else None


def validate_update(
    form: Mapping[str, object],
    *,
    who: str,
    allowed_owners: Collection[str] | None = None,
) -> StatusUpdate:
    """Check an owner's update; raises :class:`UpdateError` naming every problem.

    ``form`` holds rec_no, owner_code, status, target_date (ISO, optional) and evidence.
    ``who`` and ``allowed_owners`` come from the signed-in session, so a form cannot name
    who made the update; ``who`` is still checked, as it is kept with the update."""
    errors: dict[str, str] = {}
    name = _text(who)
    if not name:
        errors["who"] = "The update has no user name to keep with it."
    elif len(name) > WHO_MAX:
        errors["who"] = f"The user name must be at most {WHO_MAX} characters."

    rec_no: int | None = None
    known = {r.rec_no for r in reference.recommendations()}
    try:
        rec_no = int(str(form.get("rec_no")).strip())
    except (TypeError, ValueError):
        errors["rec_no"] = "Choose a recommendation (1 to 13)."
    if rec_no is not None and rec_no not in known:
        errors["rec_no"] = f"There is no recommendation {rec_no}; there are 1 to 13."
        rec_no = None

    owner = _text(form.get("owner_code"))
    if not owner:
        errors["owner_code"] = "Choose the owner organisation you are updating for."
    elif reference.org_kind(owner) is None:
        errors["owner_code"] = f"{owner!r} is not a known force, CPS Area or national body."
    elif rec_no is not None and owner not in reference.owners_of(rec_no):
        errors["owner_code"] = f"{owner_name(owner)} does not own recommendation {rec_no}."
    elif allowed_owners is not None and owner not in allowed_owners:
        errors["owner_code"] = f"You cannot update for {owner_name(owner)}."

    status = _text(form.get("status"))
    if status not in REC_STATUSES:
        errors["status"] = "Choose a status: " + ", ".join(
            s.replace("_", " ") for s in REC_STATUSES
        )

    target: date | None = None
    try:
        target = _parse_date(form.get("target_date"))
    except ValueError:
        errors["target_date"] = "Enter the target date as a real date (YYYY-MM-DD)."
    if target is not None and not (
        reference.publication_date() <= target <= date(LATEST_TARGET_YEAR, 12, 31)
    ):
        errors["target_date"] = (
            f"The target date must be between the report's publication "
            f"({reference.publication_date():%d %B %Y}) and the end of {LATEST_TARGET_YEAR}."
        )

    evidence = _text(form.get("evidence")) or None
    if evidence and len(evidence) > EVIDENCE_MAX:
        errors["evidence"] = (
            f"Evidence must be at most {EVIDENCE_MAX} characters (it has {len(evidence)})."
        )
    elif not evidence and status in EVIDENCE_REQUIRED:
        errors["evidence"] = f"Evidence is required when the status is {status.replace('_', ' ')}."

    if errors:
        raise UpdateError(errors)
    assert rec_no is not None
    return StatusUpdate(rec_no, owner, status, target, evidence, name)


@cache
def _owner_names() -> dict[str, str]:
    names = {f.code: f.name for f in reference.forces()}
    names.update({a.code: a.name for a in reference.cps_areas()})
    names.update(dict(reference.national_bodies()))
    return names


def owner_name(code: str) -> str:
    """Display name of an owner organisation (force, CPS Area or national body)."""
    return _owner_names().get(code, code)


# --- writing and reading ---------------------------------------------------------------


def record_update(
    update: StatusUpdate,
    before: RecState | None,
    *,
    at: datetime | None = None,
    eng: Engine | None = None,
) -> int:
    """Store an update with its before and after state; returns its id. A blank target
    date keeps the current target."""
    after_target = update.target_date or (before.target_date if before else None)
    when = at or datetime.now(UTC)
    row: dict[str, object] = {
        "rec_no": update.rec_no,
        "owner_code": update.owner_code,
        "who": update.who,
        "at": when,
        "before_status": before.status if before else None,
        "before_target_date": before.target_date if before else None,
        "before_evidence": before.evidence if before else None,
        "after_status": update.status,
        "after_target_date": after_target,
        "after_evidence": update.evidence,
    }
    with (eng or engine()).begin() as con:
        key = con.execute(sa.insert(rec_updates).values(**row)).inserted_primary_key
        assert key is not None  # an INSERT of one row always has its key
        new_id = key[0]
        audit(
            con,
            update.who,
            "recommendation.update",
            f"recommendation {update.rec_no} / {update.owner_code}",
            {
                "status": row["before_status"],
                "target_date": row["before_target_date"],
                "evidence": row["before_evidence"],
            }
            if before
            else None,
            {
                "status": row["after_status"],
                "target_date": row["after_target_date"],
                "evidence": row["after_evidence"],
            },
            at=when,
        )
    log.info(
        "recommendation %s / %s updated to %s by an owner in the app",
        update.rec_no,
        update.owner_code,
        update.status,
    )
    return int(new_id)


def _as_utc(value: Any) -> Any:
    # SQLite hands back naive datetimes; they were written in UTC.
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def history(
    rec_no: int | None = None, owner_code: str | None = None, *, eng: Engine | None = None
) -> list[dict[str, Any]]:
    """Updates made in the app, newest first (optionally one recommendation / owner)."""
    q = sa.select(rec_updates).order_by(rec_updates.c.at.desc(), rec_updates.c.id.desc())
    if rec_no is not None:
        q = q.where(rec_updates.c.rec_no == rec_no)
    if owner_code is not None:
        q = q.where(rec_updates.c.owner_code == owner_code)
    with (eng or engine()).connect() as con:
        rows = [dict(r._mapping) for r in con.execute(q)]
    for r in rows:
        r["at"] = _as_utc(r["at"])
    return rows


def latest(rec_no: int | None = None, *, eng: Engine | None = None) -> dict[tuple[int, str], dict]:
    """The newest app update per (rec_no, owner_code)."""
    out: dict[tuple[int, str], dict] = {}
    for r in history(rec_no, eng=eng):
        out.setdefault((r["rec_no"], r["owner_code"]), r)
    return out
