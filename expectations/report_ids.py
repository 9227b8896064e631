"""Report ids: the name a file's report is stored and linked under (no GX import, so the
dashboard can build links cheaply)."""

from __future__ import annotations

import hashlib
import re

_SAFE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,150}\Z")
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")


def report_id(file_name: str) -> str:
    """A URL- and file-system-safe id for a file's report, unique per file name.

    A name of plain ASCII letters, digits, ``_``, ``.`` and ``-`` (every well-formed extract
    name) is its own id, so existing links keep working; any other name (spaces, ``%``,
    ``\\``, a leading dot, non-ASCII) gets a readable slug plus a hash of the exact name.
    """
    if _SAFE_ID.match(file_name) and ".." not in file_name:
        return file_name
    slug = _UNSAFE_CHARS.sub("_", file_name).strip("._")[:80] or "file"
    digest = hashlib.sha256(file_name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"{slug}--{digest}"
