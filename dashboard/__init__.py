"""The Dash app: reads only the serving snapshot (read-only) and the app database."""

from __future__ import annotations
