"""Users of the dashboard: accounts in the app database with argon2 password hashes, and the
sign-in check with its brute-force defences (per-account lock-out, per-client throttle).

Every change to a user is written with its audit entry in one transaction. Password hashes
never leave this module; :class:`User` carries only what a session needs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Engine

from accounts import appdb
from accounts.roles import ROLES, ROLES_WITH_ORG
from scorecard import reference

log = logging.getLogger(__name__)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
PASSWORD_MIN = 12
PASSWORD_MAX = 1024


def _hasher_from_env() -> PasswordHasher:
    """argon2id with the library's defaults (RFC 9106 low-memory profile: t=3, 64 MiB, p=4)
    unless SCORECARD_ARGON2_TIME_COST / SCORECARD_ARGON2_MEMORY_KIB tune it for the host
    (the test suite lowers them; hashes record their parameters, so old ones still verify
    and are re-hashed on the next sign-in)."""
    kwargs: dict[str, Any] = {}  # PasswordHasher takes several typed options; these two are ints
    for env, arg in (
        ("SCORECARD_ARGON2_TIME_COST", "time_cost"),
        ("SCORECARD_ARGON2_MEMORY_KIB", "memory_cost"),
    ):
        raw = os.environ.get(env, "").strip()
        if raw:
            kwargs[arg] = int(raw)
    return PasswordHasher(**kwargs)


_hasher = _hasher_from_env()
# Verified against when the username is unknown, so a wrong name costs as long as a wrong
# password and response times do not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


@dataclass(frozen=True)
class LoginLimits:
    """Brute-force limits (environment: SCORECARD_LOGIN_*)."""

    max_failures: int = 5  # consecutive failures on one account before it locks
    lockout_minutes: int = 15
    client_failures: int = 20  # failures from one client address within the window ...
    client_window_minutes: int = 10  # ... before that client is refused for the window

    @classmethod
    def from_env(cls) -> LoginLimits:
        return cls(
            max_failures=_env_int("SCORECARD_LOGIN_MAX_FAILURES", 5),
            lockout_minutes=_env_int("SCORECARD_LOGIN_LOCKOUT_MINUTES", 15),
            client_failures=_env_int("SCORECARD_LOGIN_CLIENT_FAILURES", 20),
            client_window_minutes=_env_int("SCORECARD_LOGIN_CLIENT_WINDOW_MINUTES", 10),
        )


class UserError(ValueError):
    """A refused user change, with a message naming what was wrong."""


@dataclass(frozen=True)
class User:
    """A signed-in (or listable) user; no password hash."""

    id: int
    username: str
    role: str
    org_code: str | None
    disabled: bool
    locked_until: datetime | None
    session_epoch: int
    created_at: datetime
    last_login_at: datetime | None

    @property
    def org_name(self) -> str | None:
        return appdb.owner_name(self.org_code) if self.org_code else None

    def locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or _now())


@dataclass(frozen=True)
class LoginResult:
    """Outcome of a sign-in attempt. ``reason`` is for logs and tests; the page shows one
    message for every failure so it does not reveal which accounts exist."""

    user: User | None
    reason: str  # ok | bad | locked | disabled | throttled
    retry_after: int = 0  # seconds, when throttled


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _user(row: Any) -> User:
    m = row._mapping
    return User(
        id=int(m["id"]),
        username=m["username"],
        role=m["role"],
        org_code=m["org_code"],
        disabled=bool(m["disabled"]),
        locked_until=_utc(m["locked_until"]),
        session_epoch=int(m["session_epoch"]),
        created_at=_utc(m["created_at"]) or _now(),
        last_login_at=_utc(m["last_login_at"]),
    )


def _public(user: User) -> dict[str, Any]:
    """A user's state for the audit log (never the hash)."""
    return {
        "username": user.username,
        "role": user.role,
        "org_code": user.org_code,
        "disabled": user.disabled,
        "locked_until": user.locked_until,
    }


def normalise_username(raw: str) -> str:
    name = (raw or "").strip().lower()
    if not USERNAME.match(name):
        raise UserError(
            f"username {raw!r} is not allowed: use 2-64 characters, lower-case letters, digits "
            "and . _ @ -, starting with a letter or digit"
        )
    return name


def check_password(password: str, username: str) -> None:
    """Refuse weak passwords with a message saying why."""
    if len(password) < PASSWORD_MIN:
        raise UserError(f"the password must be at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise UserError(f"the password must be at most {PASSWORD_MAX} characters")
    if password.strip().lower() == username.lower():
        raise UserError("the password must not be the username")


def check_role(role: str, org_code: str | None) -> str | None:
    """Validate a role and its organisation; returns the organisation code to store."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    org = (org_code or "").strip() or None
    if role not in ROLES_WITH_ORG:
        if org is not None:
            raise UserError(f"a {role} user has no organisation; leave --org out")
        return None
    if org is None:
        raise UserError(f"a {role} user needs --org (the organisation code)")
    kind = reference.org_kind(org)
    if role == "pcc" and kind != "force":
        raise UserError(f"{org!r} is not a force code; a PCC user needs their force's code")
    if role == "owner":
        if kind is None:
            raise UserError(f"{org!r} is not a known force, CPS Area or national body")
        owners = {o for r in reference.recommendations() for o in reference.owners_of(r.rec_no)}
        if org not in owners:
            raise UserError(f"{appdb.owner_name(org)} owns none of the 13 recommendations")
    return org


def get(username: str, *, eng: Engine | None = None) -> User | None:
    with (eng or appdb.engine()).connect() as con:
        row = con.execute(
            sa.select(appdb.users).where(appdb.users.c.username == username.strip().lower())
        ).first()
    return _user(row) if row else None


def get_by_id(user_id: int, *, eng: Engine | None = None) -> User | None:
    with (eng or appdb.engine()).connect() as con:
        row = con.execute(sa.select(appdb.users).where(appdb.users.c.id == user_id)).first()
    return _user(row) if row else None


def list_users(*, eng: Engine | None = None) -> list[User]:
    with (eng or appdb.engine()).connect() as con:
        rows = con.execute(sa.select(appdb.users).order_by(appdb.users.c.username)).all()
    return [_user(r) for r in rows]


def add(
    username: str,
    role: str,
    password: str,
    *,
    org_code: str | None = None,
    who: str,
    eng: Engine | None = None,
) -> User:
    """Create a user; refuses a taken name, an unknown role or organisation, a weak password."""
    name = normalise_username(username)
    org = check_role(role, org_code)
    check_password(password, name)
    engine = eng or appdb.engine()
    with engine.begin() as con:
        taken = con.execute(
            sa.select(appdb.users.c.id).where(appdb.users.c.username == name)
        ).first()
        if taken:
            raise UserError(f"user {name!r} already exists")
        con.execute(
            sa.insert(appdb.users).values(
                username=name,
                role=role,
                org_code=org,
                password_hash=_hasher.hash(password),
                disabled=False,
                failed_logins=0,
                session_epoch=0,
                created_at=_now(),
            )
        )
        row = con.execute(sa.select(appdb.users).where(appdb.users.c.username == name)).one()
        user = _user(row)
        appdb.audit(con, who, "user.add", name, None, _public(user))
    log.info("user %s added with role %s", name, role)
    return user


def _change(
    username: str, who: str, action: str, values: dict[str, Any], eng: Engine | None
) -> User:
    """Apply one change to a user with its audit entry; sessions end when ``session_epoch``
    is bumped."""
    name = username.strip().lower()
    with (eng or appdb.engine()).begin() as con:
        row = con.execute(sa.select(appdb.users).where(appdb.users.c.username == name)).first()
        if row is None:
            raise UserError(f"no user {username!r}")
        before = _user(row)
        con.execute(sa.update(appdb.users).where(appdb.users.c.id == before.id).values(**values))
        after = _user(
            con.execute(sa.select(appdb.users).where(appdb.users.c.id == before.id)).one()
        )
        audit_after = _public(after)
        if "password_hash" in values:
            audit_after["password"] = "changed"
        appdb.audit(con, who, action, name, _public(before), audit_after)
    log.info("user %s: %s", name, action)
    return after


def set_password(username: str, password: str, *, who: str, eng: Engine | None = None) -> User:
    """New password; unlocks the account and ends its other sessions."""
    check_password(password, username.strip().lower())
    current = get(username, eng=eng)
    epoch = current.session_epoch + 1 if current else 0
    return _change(
        username,
        who,
        "user.set_password",
        {
            "password_hash": _hasher.hash(password),
            "failed_logins": 0,
            "locked_until": None,
            "session_epoch": epoch,
        },
        eng,
    )


def set_disabled(username: str, disabled: bool, *, who: str, eng: Engine | None = None) -> User:
    """Disable (ending every session) or re-enable an account."""
    current = get(username, eng=eng)
    if current is None:
        raise UserError(f"no user {username!r}")
    values: dict[str, Any] = {"disabled": disabled}
    if disabled:
        values["session_epoch"] = current.session_epoch + 1
    return _change(username, who, "user.disable" if disabled else "user.enable", values, eng)


def unlock(username: str, *, who: str, eng: Engine | None = None) -> User:
    """Clear a lock-out before it expires."""
    return _change(username, who, "user.unlock", {"failed_logins": 0, "locked_until": None}, eng)


def _client_failures(con: sa.Connection, client: str, since: datetime) -> tuple[int, datetime]:
    t = appdb.login_attempts
    count, first = con.execute(
        sa.select(sa.func.count(), sa.func.min(t.c.at)).where(
            t.c.client == client, t.c.at >= since, t.c.ok.is_(False)
        )
    ).one()
    return int(count or 0), _utc(first) or since


def authenticate(
    username: str,
    password: str,
    client: str,
    *,
    limits: LoginLimits | None = None,
    now: datetime | None = None,
    eng: Engine | None = None,
) -> LoginResult:
    """Check a sign-in. Each failure is counted against the account (locked after
    ``max_failures`` in a row) and against the client address (refused for the window after
    ``client_failures``); the password is verified even for unknown names."""
    limits = limits or LoginLimits.from_env()
    now = now or _now()
    client = (client or "unknown")[:64]
    engine = eng or appdb.engine()
    window = timedelta(minutes=limits.client_window_minutes)
    with engine.begin() as con:
        failures, first = _client_failures(con, client, now - window)
        if failures >= limits.client_failures:
            retry = max(1, int((first + window - now).total_seconds()))
            log.warning("sign-in refused: client over the failure limit")
            return LoginResult(None, "throttled", retry)
        name = (username or "").strip().lower()
        row = con.execute(sa.select(appdb.users).where(appdb.users.c.username == name)).first()
        stored = row._mapping["password_hash"] if row else _DUMMY_HASH
        try:
            ok = _hasher.verify(stored, password or "") and row is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        user = _user(row) if row else None
        con.execute(sa.insert(appdb.login_attempts).values(at=now, client=client, ok=ok))
        if user is None:
            return LoginResult(None, "bad")
        if user.locked(now):
            return LoginResult(None, "locked")
        if user.disabled:
            return LoginResult(None, "disabled")
        t = appdb.users
        if not ok:
            count = con.execute(sa.select(t.c.failed_logins).where(t.c.id == user.id)).scalar_one()
            values: dict[str, Any] = {"failed_logins": int(count) + 1}
            if int(count) + 1 >= limits.max_failures:
                values["locked_until"] = now + timedelta(minutes=limits.lockout_minutes)
                values["failed_logins"] = 0
                appdb.audit(
                    con,
                    "system",
                    "user.locked",
                    user.username,
                    None,
                    {"locked_until": values["locked_until"], "after_failures": count + 1},
                    at=now,
                )
                log.warning("account %s locked after %d failed sign-ins", user.username, count + 1)
            con.execute(sa.update(t).where(t.c.id == user.id).values(**values))
            return LoginResult(None, "bad")
        values = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
        if _hasher.check_needs_rehash(stored):
            values["password_hash"] = _hasher.hash(password)
        con.execute(sa.update(t).where(t.c.id == user.id).values(**values))
        # Old attempts are only needed for the throttle window.
        con.execute(
            sa.delete(appdb.login_attempts).where(appdb.login_attempts.c.at < now - 2 * window)
        )
    return LoginResult(get_by_id(user.id, eng=engine), "ok")


# --- server-side sessions ------------------------------------------------------------------

# last_seen_at is written at most this often, so an active session costs one write a minute.
SESSION_TOUCH = timedelta(minutes=1)


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def start_session(user_id: int, *, now: datetime | None = None, eng: Engine | None = None) -> str:
    """Record a new signed-in session; returns its random id for the (signed) cookie. Only
    the id's hash is stored, so the table cannot be used to forge a cookie."""
    now = now or _now()
    sid = secrets.token_urlsafe(32)
    t = appdb.sessions
    with (eng or appdb.engine()).begin() as con:
        con.execute(
            sa.insert(t).values(
                id_hash=_sid_hash(sid), user_id=user_id, created_at=now, last_seen_at=now
            )
        )
    return sid


def session_alive(
    user_id: int,
    sid: str,
    idle: timedelta,
    *,
    now: datetime | None = None,
    eng: Engine | None = None,
) -> bool:
    """Whether the session still exists for this user and was used within ``idle``; touches
    it (at most once a minute) when it does."""
    now = now or _now()
    t = appdb.sessions
    key = _sid_hash(sid)
    with (eng or appdb.engine()).begin() as con:
        row = con.execute(
            sa.select(t.c.user_id, t.c.last_seen_at).where(t.c.id_hash == key)
        ).first()
        if row is None or row.user_id != user_id:
            return False
        seen = _utc(row.last_seen_at) or now
        if seen < now - idle:
            con.execute(sa.delete(t).where(t.c.id_hash == key))
            return False
        if now - seen >= SESSION_TOUCH:
            con.execute(sa.update(t).where(t.c.id_hash == key).values(last_seen_at=now))
    return True


def end_session(sid: str, *, eng: Engine | None = None) -> None:
    """Sign one session out (its cookie no longer works anywhere)."""
    with (eng or appdb.engine()).begin() as con:
        con.execute(sa.delete(appdb.sessions).where(appdb.sessions.c.id_hash == _sid_hash(sid)))


def prune_sessions(
    idle: timedelta, *, now: datetime | None = None, eng: Engine | None = None
) -> int:
    """Delete sessions idle for longer than ``idle``; returns how many."""
    cutoff = (now or _now()) - idle
    with (eng or appdb.engine()).begin() as con:
        res = con.execute(sa.delete(appdb.sessions).where(appdb.sessions.c.last_seen_at < cutoff))
    return int(res.rowcount or 0)
