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


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[BinaryIO]:
    """Write to a temp file beside ``path``; rename over it only when the export succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
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
