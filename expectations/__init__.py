"""Great Expectations validation of extract files against the contract (scorecard.contract).

``suites`` builds one suite per extract kind from the contract, ``validate`` runs them on the
reader's frame, ``report`` writes the sender's rejection report.

Importing the package first switches off GX usage statistics (nothing may reach the
internet) and its import-time INFO chatter, before any submodule imports GX.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
logging.getLogger("great_expectations").setLevel(logging.WARNING)
