"""Where every benchmark keeps its figures: appended to ``bench/results/<name>.json``, one
list per benchmark, each run with the machine's load average, so figures are kept beside the
conditions they were measured in (README, Benchmarks)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def append(name: str, result: dict[str, Any]) -> Path:
    """Add ``result`` to ``results/<name>.json`` (written whole, then renamed into place, so
    an interrupted bench never leaves the history half written)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    runs = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    runs.append(result)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(runs, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
