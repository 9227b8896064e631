"""Alias of :mod:`dashboard.data.snapshot`, kept because ``tests/browser/conftest.py`` (which
this package move may not touch) resets ``dashboard.snapshot._reader``: the alias is the same
module object, so that reset still reaches the live reader."""

from __future__ import annotations

import sys

from dashboard.data import snapshot as _snapshot

sys.modules[__name__] = _snapshot
