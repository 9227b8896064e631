"""Benchmarks keep every run's figures: appended, never overwritten, no temporary file left."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import record


def test_runs_are_appended_to_one_file_per_benchmark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record, "RESULTS", tmp_path / "results")
    first = record.append("validate_batch", {"per_kind_cpu_s": 7.6, "load_average": [1.4]})
    second = record.append("validate_batch", {"per_kind_cpu_s": 9.7, "load_average": [3.5]})
    assert first == second == tmp_path / "results" / "validate_batch.json"
    runs = json.loads(first.read_text(encoding="utf-8"))
    assert [r["per_kind_cpu_s"] for r in runs] == [7.6, 9.7]
    assert sorted(p.name for p in first.parent.iterdir()) == ["validate_batch.json"]
