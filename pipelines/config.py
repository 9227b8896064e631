"""Pipeline configuration: where extracts come from and when refreshes run.

The config file (YAML) lists sources by name with an fsspec URL — a local folder by
default, or ``s3://``, ``sftp://``, ``https://`` — and optional cron schedules
(Europe/London). Without a file the single default source is the landing folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scorecard.settings import Settings

CONFIG_ENV = "SCORECARD_CONFIG"
TIMEZONE = "Europe/London"


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    storage_options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Schedule:
    name: str
    cron: str
    sources: tuple[str, ...] = ()  # empty = every source
    timezone: str = TIMEZONE


@dataclass(frozen=True)
class PipelineConfig:
    sources: tuple[Source, ...]
    schedules: tuple[Schedule, ...]

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources)
        raise ConfigError(f"no source named {name!r}; configured sources: {known}")


class ConfigError(ValueError):
    pass


def config_path(settings: Settings) -> Path:
    return Path(os.environ.get(CONFIG_ENV) or settings.home / "pipeline.yaml")


def default_config(settings: Settings) -> PipelineConfig:
    return PipelineConfig(
        sources=(Source("landing", str(settings.landing_dir)),),
        schedules=(Schedule("nightly", "30 2 * * *"),),
    )


def parse_config(doc: Any, where: str) -> PipelineConfig:
    """Check and type a config document; errors name the file and the entry."""
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: expected a mapping with 'sources' and 'schedules'")
    raw_sources = doc.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(f"{where}: 'sources' must be a non-empty list")
    sources: list[Source] = []
    for i, s in enumerate(raw_sources, 1):
        if not isinstance(s, dict) or not s.get("name") or not s.get("url"):
            raise ConfigError(f"{where}: source {i} needs a 'name' and a 'url'")
        opts = s.get("storage_options") or {}
        if not isinstance(opts, dict):
            raise ConfigError(f"{where}: source {s['name']!r}: storage_options must be a mapping")
        sources.append(Source(str(s["name"]), str(s["url"]), dict(opts)))
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ConfigError(f"{where}: source names must be unique, got {names}")
    schedules: list[Schedule] = []
    for i, sch in enumerate(doc.get("schedules") or [], 1):
        if not isinstance(sch, dict) or not sch.get("name") or not sch.get("cron"):
            raise ConfigError(f"{where}: schedule {i} needs a 'name' and a 'cron'")
        cron = str(sch["cron"])
        if len(cron.split()) != 5:
            raise ConfigError(f"{where}: schedule {sch['name']!r}: cron {cron!r} needs 5 fields")
        wanted = tuple(str(x) for x in sch.get("sources") or ())
        unknown = [w for w in wanted if w not in names]
        if unknown:
            raise ConfigError(f"{where}: schedule {sch['name']!r} names unknown sources {unknown}")
        schedules.append(
            Schedule(str(sch["name"]), cron, wanted, str(sch.get("timezone") or TIMEZONE))
        )
    return PipelineConfig(tuple(sources), tuple(schedules))


def load_config(settings: Settings, path: Path | None = None) -> PipelineConfig:
    p = path or config_path(settings)
    if not p.exists():
        if path is not None or os.environ.get(CONFIG_ENV):
            raise ConfigError(f"pipeline config {p} does not exist")
        return default_config(settings)
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from None
    return parse_config(doc, str(p))
