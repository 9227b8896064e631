"""The app database and its users: accounts, sign-in checks, recommendation updates, audit.

Below the dashboard and free of Flask and Dash, so ``scorecard users ...`` works without the
web stack; the dashboard adds sessions and the access policy on top (``dashboard.auth``).
"""

from __future__ import annotations
