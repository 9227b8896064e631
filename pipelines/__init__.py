"""Prefect flows and the steps they run: pull, read, validate, load, build, publish."""

from __future__ import annotations
