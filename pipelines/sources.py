"""Find and fetch extract files at a configured source (any fsspec URL).

Listing filters to names that look like extracts (``<kind>__<org>__<date>.<ext>``); a
name that does not parse is still returned so the run can reject it with a report
rather than silently ignore what a sender sent.
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
from dataclasses import dataclass
from pathlib import Path

import fsspec

from pipelines.config import Source
from scorecard.contract import EXTENSIONS

log = logging.getLogger(__name__)


class TransientSourceError(RuntimeError):
    """A pull failed in a way a retry may fix (network, server busy)."""


@dataclass(frozen=True)
class RemoteFile:
    source: str
    url: str
    name: str


def _fs(source: Source) -> tuple[fsspec.AbstractFileSystem, str]:
    fs, root = fsspec.core.url_to_fs(source.url, **source.storage_options)
    return fs, root


def is_local(source: Source) -> bool:
    fs, _ = _fs(source)
    return "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))


def list_files(source: Source) -> list[RemoteFile]:
    """Files at the source whose extension is an extract's, sorted by name."""
    try:
        fs, root = _fs(source)
        if is_local(source) and not Path(root).exists():
            Path(root).mkdir(parents=True, exist_ok=True)
        entries = fs.ls(root, detail=True)
    except FileNotFoundError:
        raise
    except (OSError, ConnectionError, TimeoutError) as exc:
        raise TransientSourceError(f"cannot list {source.name} ({source.url}): {exc}") from exc
    found: list[RemoteFile] = []
    for entry in entries:
        if entry.get("type") == "directory":
            continue
        path = str(entry["name"])
        name = posixpath.basename(path.rstrip("/"))
        if name.startswith(".") or name.rsplit(".", 1)[-1].lower() not in EXTENSIONS:
            continue
        url = path if "://" in path else fs.unstrip_protocol(path)
        found.append(RemoteFile(source=source.name, url=url, name=name))
    found.sort(key=lambda f: f.name)
    return found


def fetch(source: Source, remote: RemoteFile) -> bytes:
    """The file's bytes; network-ish failures become TransientSourceError (retried)."""
    try:
        with fsspec.open(remote.url, "rb", **source.storage_options) as fh:
            return fh.read()
    except FileNotFoundError:
        raise
    except (OSError, ConnectionError, TimeoutError) as exc:
        raise TransientSourceError(f"cannot fetch {remote.name} from {source.name}: {exc}") from exc
    except Exception as exc:  # aiohttp raises its own ClientError family
        if type(exc).__module__.startswith("aiohttp"):
            raise TransientSourceError(f"cannot fetch {remote.name}: {exc}") from exc
        raise


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def local_path(source: Source, remote: RemoteFile) -> Path | None:
    """The local file behind ``remote`` when the source is a local folder."""
    if not is_local(source):
        return None
    fs, _ = _fs(source)
    return Path(fs._strip_protocol(remote.url))


QUARANTINE = "quarantine"


def quarantine(source: Source, remote: RemoteFile, run_id: str) -> str | None:
    """Move a rejected file into ``quarantine/<run>/`` beside it at the source.

    The file stays where the sender's raw data already lives (never copied into the data
    home, which holds no identifiers). Sources that cannot move files (HTTP) keep it in
    place; the checksum ledger stops it being read again.
    """
    fs, root = _fs(source)
    src = fs._strip_protocol(remote.url)
    target = posixpath.join(str(root).rstrip("/"), QUARANTINE, run_id, remote.name)
    try:
        fs.makedirs(posixpath.dirname(target), exist_ok=True)
        fs.mv(src, target)
    except (NotImplementedError, OSError, ValueError) as exc:
        log.info("could not move %s to quarantine at %s: %s", remote.name, source.name, exc)
        return None
    return target
