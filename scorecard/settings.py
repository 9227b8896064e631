"""Settings read from the environment, so one code base serves demo, CI and production.

Every path the product writes lives under ``SCORECARD_HOME`` unless overridden, so a fresh
home is a fresh installation (tests rely on this). The one exception is the landing folder,
where senders' raw extracts (crime references, URNs) arrive and rejected ones are quarantined:
it is *not* in the home, so nothing under the home holds a raw identifier. It is
``SCORECARD_LANDING``, by default the home's sibling ``<home>-landing`` (``.scorecard`` ->
``.scorecard-landing``).

Everything the product writes is private to the user running it: :func:`private_files` sets
a umask of 077 at each entry point (CLI, WSGI), so folders are 0700 and files 0600.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

DEFAULT_HOME = Path(".scorecard")
LANDING_ENV = "SCORECARD_LANDING"
PRIVATE_UMASK = 0o077


def private_files() -> None:
    """Make every file and folder this process creates readable by its own user only (0600
    files, 0700 folders): the app database holds password hashes and the audit log, the
    warehouse and reports case-level data. Called first by every entry point."""
    os.umask(PRIVATE_UMASK)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def _env_positive(name: str, default: int) -> int:
    """A limit: a positive integer (0 or less would refuse every file)."""
    value = _env_int(name, default)
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    """Resolved settings; construct with :func:`load_settings`."""

    home: Path
    # Disclosure control (ARCHITECTURE decision 4).
    suppress_count_max: int = 4
    suppress_base_min: int = 10
    # Recommendation due-date horizons, in months from the report's publication date.
    immediate_months: int = 3
    default_months: int = 12
    publication_date: date = date(2021, 7, 16)
    # Limits on what a refresh will read from a source (each refusal is a report, never a
    # crash): bytes on disk, rows, bytes once decompressed (xlsx/parquet), seconds to read.
    max_file_mb: int = 2048
    max_rows: int = 10_000_000
    max_uncompressed_mb: int = 512
    read_timeout_seconds: int = 600
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def snapshots_dir(self) -> Path:
        return self.home / "snapshots"

    @property
    def landing_dir(self) -> Path:
        """``SCORECARD_LANDING`` (``$SCORECARD_HOME`` in it means this home), else
        ``<home>-landing`` beside the home: raw extracts never sit inside the home."""
        raw = os.environ.get(LANDING_ENV, "").strip()
        if not raw:
            return self.home.parent / f"{self.home.name}-landing"
        for var in ("${SCORECARD_HOME}", "$SCORECARD_HOME"):
            raw = raw.replace(var, str(self.home))
        return Path(os.path.expanduser(raw)).resolve()

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def app_db_url(self) -> str:
        return os.environ.get("SCORECARD_APP_DB", f"sqlite:///{self.home / 'app.sqlite'}")


def load_settings(home: str | os.PathLike[str] | None = None) -> Settings:
    """Read settings from the environment (``SCORECARD_*``)."""
    root = Path(home or os.environ.get("SCORECARD_HOME") or DEFAULT_HOME).resolve()
    return Settings(
        home=root,
        suppress_count_max=_env_int("SCORECARD_SUPPRESS_COUNT_MAX", 4),
        suppress_base_min=_env_int("SCORECARD_SUPPRESS_BASE_MIN", 10),
        immediate_months=_env_int("SCORECARD_REC_IMMEDIATE_MONTHS", 3),
        default_months=_env_int("SCORECARD_REC_DEFAULT_MONTHS", 12),
        max_file_mb=_env_positive("SCORECARD_MAX_FILE_MB", 2048),
        max_rows=_env_positive("SCORECARD_MAX_ROWS", 10_000_000),
        max_uncompressed_mb=_env_positive("SCORECARD_MAX_UNCOMPRESSED_MB", 512),
        read_timeout_seconds=_env_positive("SCORECARD_READ_TIMEOUT_SECONDS", 600),
    )
