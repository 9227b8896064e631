"""Published editions: a serving snapshot frozen under a name, so a board can say what it saw.

An edition is a read-only copy of the serving snapshot (``<home>/editions/<key>.duckdb``,
file mode 0400) and a manifest beside it (``<key>.json``): label, note, who and when, the
snapshot's build info and the extract vintages (file checksums and as-at dates from the
snapshot's own ledger) its figures came from. Editions live outside ``snapshots/``, so the
serving snapshots' pruning never touches them. The manifest is written last and linked
into place without overwriting, so an edition either exists whole or not at all, and two
publishes of one label cannot both win.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from scorecard.settings import Settings

LABEL_MAX = 60
EDITIONS_DIR = "editions"
_PATH_CHARS = frozenset('/\\:*?"<>|')


class EditionError(ValueError):
    """A publish or look-up refused, with a message for the person who asked."""


@dataclass(frozen=True)
class Edition:
    """One published edition, as its manifest describes it."""

    label: str
    note: str
    published_by: str
    published_at: datetime
    file: Path
    snapshot: str
    data_as_at: date | None
    extracts: tuple[dict[str, Any], ...] = field(default=())


def check_label(raw: str) -> str:
    """The label as it will be stored (outer spaces removed), or why it is refused: it names
    the edition in a URL, a file manifest and a board's minutes, so it must be short, printable
    and free of path characters."""
    label = unicodedata.normalize("NFC", raw or "").strip()
    if not label:
        raise EditionError("the edition label is empty; give one, e.g. --label 'Q2 2026-27 board'")
    if len(label) > LABEL_MAX:
        raise EditionError(f"the edition label is {len(label)} characters; at most {LABEL_MAX}")
    bad = sorted({c for c in label if unicodedata.category(c).startswith("C") or c in _PATH_CHARS})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise EditionError(
            f"the edition label may not contain control or path characters ({shown})"
        )
    if label in {".", ".."}:
        raise EditionError("the edition label may not be a path ('.' or '..')")
    return label


def editions_dir(settings: Settings) -> Path:
    return settings.home / EDITIONS_DIR


def _key(label: str) -> str:
    """A file stem for a label: any label maps to a safe, fixed-length name."""
    return "edition-" + hashlib.sha256(label.encode("utf-8")).hexdigest()[:24]


def _manifest_path(settings: Settings, label: str) -> Path:
    return editions_dir(settings) / f"{_key(label)}.json"


def _from_manifest(path: Path) -> Edition:
    doc = json.loads(path.read_text(encoding="utf-8"))
    as_at = doc.get("build_info", {}).get("data_as_at")
    return Edition(
        label=doc["label"],
        note=doc.get("note", ""),
        published_by=doc["published_by"],
        published_at=datetime.fromisoformat(doc["published_at"]),
        file=path.with_name(doc["file"]),
        snapshot=doc.get("snapshot", ""),
        data_as_at=date.fromisoformat(as_at[:10]) if as_at else None,
        extracts=tuple(doc.get("extracts", [])),
    )


def list_editions(settings: Settings) -> list[Edition]:
    """Every published edition, newest first."""
    folder = editions_dir(settings)
    if not folder.is_dir():
        return []
    found = [_from_manifest(p) for p in folder.glob("edition-*.json")]
    return sorted(found, key=lambda e: e.published_at, reverse=True)


def get(settings: Settings, label: str) -> Edition | None:
    """The edition with this label, or None (an unknown or malformed label)."""
    try:
        path = _manifest_path(settings, check_label(label))
    except EditionError:
        return None
    if not path.exists():
        return None
    edition = _from_manifest(path)
    return edition if edition.label == label.strip() else None


def _current_snapshot(settings: Settings) -> Path:
    link = settings.snapshots_dir / "current.duckdb"
    if not link.exists():
        raise EditionError("there is no serving snapshot to publish; run `scorecard etl run` first")
    return link.resolve()


def _facts(path: Path) -> dict[str, Any]:
    """Build info and the extract vintages, read from the snapshot's own tables."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        cur = con.execute("SELECT * FROM mart.build_info")
        cols = [d[0] for d in cur.description or []]
        row = cur.fetchone()
        build = {
            c: (v.isoformat() if hasattr(v, "isoformat") else v)
            for c, v in zip(cols, row or [], strict=False)
        }
        snap = con.execute("SELECT run_id, published_at FROM meta.snapshot").fetchone()
        extracts = con.execute(
            "SELECT kind, org_code, CAST(as_at AS VARCHAR), file_name, checksum "
            "FROM raw.extracts WHERE is_current ORDER BY kind, org_code"
        ).fetchall()
    finally:
        con.close()
    return {
        "build_info": build,
        "snapshot_run_id": snap[0] if snap else None,
        "snapshot_published_at": snap[1].isoformat() if snap and snap[1] else None,
        "extracts": [
            {"kind": k, "org_code": o, "as_at": a, "file_name": f, "checksum": c}
            for k, o, a, f, c in extracts
        ],
    }


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(path: Path, data: bytes | None = None, copy_of: Path | None = None) -> None:
    if copy_of is not None:
        shutil.copyfile(copy_of, path)
    else:
        path.write_bytes(data or b"")
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())
    path.chmod(0o400)


def publish(settings: Settings, label: str, note: str, who: str) -> Edition:
    """Freeze the current serving snapshot as edition ``label``; refused if the label is
    taken or bad, or there is no snapshot. Temp files, fsync, then renames: a kill leaves
    either the whole edition or only a temp file (cleared by the next publish)."""
    label = check_label(label)
    note = (note or "").strip()
    if any(unicodedata.category(c) == "Cc" and c != "\n" for c in note):
        raise EditionError("the note may not contain control characters")
    folder = editions_dir(settings)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    manifest = _manifest_path(settings, label)
    if manifest.exists():
        raise EditionError(f"an edition labelled {label!r} already exists; editions never change")
    snapshot = _current_snapshot(settings)
    key = _key(label)
    for stale in folder.glob(f".{key}.*.tmp"):
        stale.unlink(missing_ok=True)
    tmp_db = folder / f".{key}.{os.getpid()}.duckdb.tmp"
    tmp_json = folder / f".{key}.{os.getpid()}.json.tmp"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    final_db = folder / f"{key}-{stamp}.duckdb"  # unique: a losing racer removes only its own
    try:
        _write_synced(tmp_db, copy_of=snapshot)
        facts = _facts(tmp_db)
        doc = {
            "label": label,
            "note": note,
            "published_by": who,
            "published_at": datetime.now(UTC).isoformat(),
            "file": final_db.name,
            "snapshot": snapshot.name,
            **facts,
        }
        _write_synced(tmp_json, json.dumps(doc, indent=2, sort_keys=True).encode("utf-8"))
        os.replace(tmp_db, final_db)
        try:
            os.link(tmp_json, manifest)  # fails if another publish took the label first
        except FileExistsError:
            final_db.chmod(0o600)
            final_db.unlink(missing_ok=True)
            raise EditionError(
                f"an edition labelled {label!r} already exists; editions never change"
            ) from None
        _fsync_dir(folder)
    finally:
        tmp_db.unlink(missing_ok=True)
        tmp_json.unlink(missing_ok=True)
    return _from_manifest(manifest)
