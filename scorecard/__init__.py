"""Rape response scorecard: shared kernel (settings, reference data, extract contract, CLI)."""

from __future__ import annotations

__version__ = "0.1.0"
