"""The entry points: the ``scorecard`` command and ``make demo``.

The top layer: the only package that may import every other one (kernel, warehouse,
pipelines, accounts, dashboard), so the layers below stay importable on their own.
"""

from __future__ import annotations
