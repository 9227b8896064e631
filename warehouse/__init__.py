"""The DuckDB warehouse: schema migrations, connections, reference load, SQL for core/mart."""

from __future__ import annotations
