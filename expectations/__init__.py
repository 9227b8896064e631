"""Great Expectations validation of extract files against the contract (scorecard.contract).

``suites`` builds one suite per extract kind from the contract, ``validate`` runs them on the
reader's frame, ``report`` writes the sender's rejection report.
"""

from __future__ import annotations
