"""Settings read from the environment, so one code base serves demo, CI and production.

Every path the product writes lives under ``SCORECARD_HOME`` unless overridden, so a fresh
home is a fresh installation (tests rely on this).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

DEFAULT_HOME = Path(".scorecard")


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
        return self.home / "landing"

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
