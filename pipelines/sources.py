"""Find and fetch extract files at a configured source (any fsspec URL).

Listing returns every entry that is not a directory, whatever its name, so the run can
reject a badly named file with a report rather than silently ignore what a sender sent.
Hidden names (a leading ``.``: upload temp files, editors' ``.~lock`` files) are listed
as hidden: the run reports them once as ignored and never reads or moves them.

A source is trusted for nothing: only regular files directly in the source folder are
read (a symbolic link, device, FIFO or socket is refused unopened), with a size and a
time limit; each refusal is a rejection report for that file, never a failed refresh.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import posixpath
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import fsspec

from pipelines.config import Source
from scorecard.contract import ContractError
from scorecard.settings import Settings

log = logging.getLogger(__name__)


class TransientSourceError(RuntimeError):
    """A pull failed in a way a retry may fix (network, server busy)."""


class RefusedFile(ContractError):
    """A file the run will not read (type, size, time); reported like any rejection."""


@dataclass(frozen=True)
class RemoteFile:
    source: str
    url: str
    name: str
    hidden: bool = False


@dataclass(frozen=True)
class Limits:
    """What one file may cost to read (from SCORECARD_MAX_* settings)."""

    max_bytes: int
    max_rows: int
    max_uncompressed: int
    timeout_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_bytes=settings.max_file_mb * 1024 * 1024,
            max_rows=settings.max_rows,
            max_uncompressed=settings.max_uncompressed_mb * 1024 * 1024,
            timeout_seconds=float(settings.read_timeout_seconds),
        )


_CHUNK = 1 << 20


def _too_big(name: str, limits: Limits) -> RefusedFile:
    mb = limits.max_bytes // (1024 * 1024)
    return RefusedFile(
        "file.size",
        f"{name!r} is larger than {mb} MB (SCORECARD_MAX_FILE_MB); split it or raise the limit",
    )


def _read_limited(fh: object, name: str, limits: Limits) -> bytes:
    """Read ``fh`` to the end in chunks, refusing past the size or time limit."""
    deadline = time.monotonic() + limits.timeout_seconds
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = fh.read(_CHUNK)  # type: ignore[attr-defined]
        if not chunk:
            break
        total += len(chunk)
        if total > limits.max_bytes:
            raise _too_big(name, limits)
        parts.append(chunk)
        if time.monotonic() > deadline:
            raise RefusedFile(
                "file.timeout",
                f"reading {name!r} took longer than {limits.timeout_seconds:.0f} s "
                "(SCORECARD_READ_TIMEOUT_SECONDS)",
            )
    return b"".join(parts)


def _kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def read_local(root: str | Path, path: str | Path, limits: Limits) -> bytes:
    """The bytes of a regular file directly inside ``root``, read once within the limits.

    Checked with lstat before opening and fstat after (O_NOFOLLOW, O_NONBLOCK), so a
    symbolic link (to anything, in or out of the source), a device such as /dev/zero, a
    FIFO (which would block for ever) or a socket is refused without reading a byte.
    """
    p = Path(path)
    name = p.name
    real_root = os.path.realpath(root)
    if os.path.realpath(p.parent) != real_root:
        raise RefusedFile("file.type", f"{name!r} is not directly inside the source folder")
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise RefusedFile("file.type", f"{name!r} cannot be examined: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise RefusedFile(
            "file.type", f"{name!r} is {_kind_of(st.st_mode)}; only regular files are read"
        )
    if st.st_size > limits.max_bytes:
        raise _too_big(name, limits)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(p, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RefusedFile(
                "file.type", f"{name!r} is a symbolic link; only regular files are read"
            ) from None
        raise RefusedFile("file.type", f"{name!r} cannot be opened: {exc.strerror}") from None
    with os.fdopen(fd, "rb", buffering=0) as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):  # swapped between lstat and open
            raise RefusedFile(
                "file.type", f"{name!r} is {_kind_of(st.st_mode)}; only regular files are read"
            )
        return _read_limited(fh, name, limits)


def _fs(source: Source) -> tuple[fsspec.AbstractFileSystem, str]:
    fs, root = fsspec.core.url_to_fs(source.url, **source.storage_options)
    return fs, root


def is_local(source: Source) -> bool:
    fs, _ = _fs(source)
    return "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))


def _local_entries(fs: fsspec.AbstractFileSystem, root: str) -> list[tuple[str, str]]:
    """(path, name) of every non-directory entry in a local folder, by lstat.

    fsspec's listing follows symbolic links and drops what is neither file nor folder; a
    link or FIFO must be listed so the run can refuse it with a report.
    """
    out = []
    with os.scandir(root) as it:
        for entry in it:
            if entry.is_dir(follow_symlinks=False):
                continue  # the quarantine folder and any other folder: not a file
            out.append((fs._strip_protocol(entry.path), entry.name))
    return out


def list_files(source: Source) -> list[RemoteFile]:
    """Every file at the source (hidden ones marked), sorted by name."""
    try:
        fs, root = _fs(source)
        if is_local(source):
            Path(root).mkdir(parents=True, exist_ok=True)
            entries = _local_entries(fs, root)
        else:
            entries = [
                (str(e["name"]), posixpath.basename(str(e["name"]).rstrip("/")))
                for e in fs.ls(root, detail=True)
                if e.get("type") != "directory"
            ]
    except FileNotFoundError:
        raise
    except (OSError, ConnectionError, TimeoutError) as exc:
        raise TransientSourceError(f"cannot list {source.name} ({source.url}): {exc}") from exc
    found: list[RemoteFile] = []
    for path, name in entries:
        url = path if "://" in path else fs.unstrip_protocol(path)
        found.append(
            RemoteFile(source=source.name, url=url, name=name, hidden=name.startswith("."))
        )
    found.sort(key=lambda f: f.name)
    return found


def read_file(source: Source, remote: RemoteFile, limits: Limits) -> bytes:
    """The file's bytes, read once: safely from a local folder, else fetched."""
    local = local_path(source, remote)
    if local is not None:
        _, root = _fs(source)
        return read_local(root, local, limits)
    return fetch(source, remote, limits)


def fetch(source: Source, remote: RemoteFile, limits: Limits | None = None) -> bytes:
    """The file's bytes; network-ish failures become TransientSourceError (retried)."""
    try:
        with fsspec.open(remote.url, "rb", **source.storage_options) as fh:
            if limits is None:
                return fh.read()
            size = getattr(fh, "size", None)
            if isinstance(size, int) and size > limits.max_bytes:
                raise _too_big(remote.name, limits)
            return _read_limited(fh, remote.name, limits)
    except (FileNotFoundError, RefusedFile):
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
