"""Component ids, in one place so callbacks and tests agree on them."""

from __future__ import annotations

# Definitions page
DEFINITIONS_SEARCH = "definitions-search"
DEFINITIONS_TABLE = "definitions-table"
DEFINITIONS_COUNT = "definitions-count"

# Data and pipeline page
DATA_FRESHNESS = "data-freshness"
DATA_RUNS = "data-runs"
DATA_REJECTED = "data-rejected"
DATA_RUN_NOW = "data-run-now"
DATA_RUN_STATUS = "data-run-status"
