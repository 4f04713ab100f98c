"""Exporters: small pure functions looked up by name, like mitmproxy's export formats.

Each format module has ``export(store, filter, out, options) -> int`` writing bytes to a
binary stream in constant memory, plus ``EXTENSION`` and ``MIME``. ``export_view`` is what
the CLI and the UI's "export current view" key call. Formats are described in
docs/exports.md.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from inspector.export import csv_, har, json_doc, ndjson
from inspector.export._common import ExportOptions
from inspector.filters import Filter, FilterError, parse
from inspector.store import Store


class Exporter(Protocol):
    def __call__(self, store: Store, flt: Filter, out: BinaryIO, opts: ExportOptions) -> int: ...


@dataclass(frozen=True)
class Format:
    name: str
    export: Exporter
    extension: str
    mime: str
    #: What the returned count counts.
    unit: str = "messages"

    def __call__(self, store: Store, flt: Filter, out: BinaryIO, opts: ExportOptions) -> int:
        return self.export(store, flt, out, opts)


FORMATS: dict[str, Format] = {
    "ndjson": Format("ndjson", ndjson.export, ndjson.EXTENSION, ndjson.MIME),
    "json": Format("json", json_doc.export, json_doc.EXTENSION, json_doc.MIME),
    "har": Format("har", har.export, har.EXTENSION, har.MIME, unit="requests"),
    "csv": Format("csv", csv_.export, csv_.EXTENSION, csv_.MIME),
}

_BY_SUFFIX = {
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".json": "json",
    ".har": "har",
    ".csv": "csv",
}


class ExportError(Exception):
    """The export cannot be done as asked (unknown format, bad filter, unwritable file)."""


def format_for(path: str | os.PathLike[str] | None, default: str = "ndjson") -> str:
    """The format a file name implies (``.har`` -> har), else ``default``."""
    if path is None:
        return default
    return _BY_SUFFIX.get(Path(path).suffix.lower(), default)


def to_filter(flt: str | Filter | None) -> Filter:
    if flt is None:
        return Filter()
    if isinstance(flt, Filter):
        return flt
    try:
        return parse(flt)
    except FilterError as exc:
        raise ExportError(str(exc)) from None


def _umask() -> int:
    """The process umask. Read from /proc where it can be: setting it to read it back
    would briefly affect files other threads create."""
    with (
        contextlib.suppress(OSError, ValueError),
        open("/proc/self/status", encoding="ascii", errors="replace") as f,
    ):
        for line in f:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[BinaryIO]:
    """Write to a temp file beside ``path``; rename over it only when the export succeeds.

    The file gets the mode an ordinary write would give it: an existing file keeps its
    own, a new one ``0666 & ~umask`` (the temp file is created 0600). A missing directory
    is an error, not created: a typo in ``-o`` should not leave directories behind."""
    parent = path.parent
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        raise ExportError(f"cannot write {path}: the directory {parent} {what}")
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=parent)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            yield f
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def export_view(
    store: Store,
    flt: str | Filter | None,
    fmt: str,
    out: BinaryIO | str | os.PathLike[str],
    *,
    include_hidden: bool = False,
    session_name: str | None = None,
) -> int:
    """Export the messages ``flt`` selects in format ``fmt`` to a stream or a file path.

    ``include_hidden=False`` (the UI's view) leaves out messages from before the last reset;
    the CLI passes True to export the whole file. Returns the number of messages written
    (requests, for HAR). Raises ExportError for an unknown format or a bad filter.
    """
    f = FORMATS.get(fmt)
    if f is None:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    filt = to_filter(flt)
    opts = ExportOptions(include_hidden=include_hidden, session_name=session_name)
    if isinstance(out, (str, os.PathLike)):
        with _atomic(Path(out)) as stream:
            return f.export(store, filt, stream, opts)
    return f.export(store, filt, out, opts)


def default_export_path(
    store: Store, fmt: str, directory: str | os.PathLike[str] | None = None
) -> Path:
    """A fresh file name for an export of ``store``: ``<session>-<time>.<ext>`` in ``directory``
    (the current directory by default)."""
    f = FORMATS[fmt]
    d = Path(directory) if directory is not None else Path.cwd()
    stem = f"{store.path.stem}-{datetime.now():%Y%m%d-%H%M%S}"
    path = d / f"{stem}.{f.extension}"
    n = 1
    while path.exists():
        n += 1
        path = d / f"{stem}-{n}.{f.extension}"
    return path


def export_to_file(
    store: Store,
    flt: str | Filter | None,
    fmt: str,
    directory: str | os.PathLike[str] | None = None,
    *,
    include_hidden: bool = False,
) -> tuple[Path, int]:
    """For the UI's export key: write the view to a new file; returns (path, count)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    path = default_export_path(store, fmt, directory)
    count = export_view(store, flt, fmt, path, include_hidden=include_hidden)
    return path.resolve(), count


__all__ = [
    "FORMATS",
    "ExportError",
    "ExportOptions",
    "Exporter",
    "Format",
    "default_export_path",
    "export_to_file",
    "export_view",
    "format_for",
    "to_filter",
]
