"""Exporters: small pure functions looked up by name, like mitmproxy's export formats.

Each format module has ``export(store, filter, out, options) -> int`` writing bytes to a
binary stream in constant memory, plus ``EXTENSION`` and ``MIME``. ``export_view`` is what
the CLI and the UI's "export current view" key call. Formats are described in
docs/exports.md.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol, cast

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


def _through_proc(path: str) -> bool:
    """True when ``path`` is, or leads through symlinks to, a ``/proc`` entry:
    ``/dev/stdout``, ``/dev/fd/N``, ``/proc/self/fd/N``. Those name an open file
    descriptor; resolving them would name whatever file that descriptor has open, and
    renaming over that file would not reach the descriptor at all."""
    p = os.path.abspath(path)
    for _ in range(40):
        if p.startswith("/proc/") or os.path.realpath(os.path.dirname(p)).startswith("/proc/"):
            return True
        if not os.path.islink(p):
            return False
        p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
    return False


@contextlib.contextmanager
def _direct(path: str) -> Iterator[BinaryIO]:
    """Open an existing special file (FIFO, terminal, /dev/null, a descriptor) and write
    to it: no temp file, no rename, no truncation (a shell's ``>>`` stays an append)."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "wb") as f:
        yield f


@contextlib.contextmanager
def _output(path: Path) -> Iterator[BinaryIO]:
    """The stream an export to ``path`` writes to.

    - A regular file, or a name that does not exist yet: written atomically (``_atomic``).
    - A symlink: written through, the link kept; its target is replaced atomically when
      it is a regular file (or missing), written directly when it is a special file.
    - ``/dev/stdout``, ``/dev/fd/N`` and other descriptors, FIFOs, character devices and
      other special files: opened and written directly.
    """
    name = str(path)
    if _through_proc(name):
        with _direct(name) as f:
            yield f
        return
    target = Path(os.path.realpath(name)) if path.is_symlink() else path
    try:
        st = target.stat()
    except FileNotFoundError:
        st = None
    if st is None or stat.S_ISREG(st.st_mode):
        with _atomic(target) as f:
            yield f
    elif stat.S_ISDIR(st.st_mode):
        raise ExportError(f"cannot write {path}: it is a directory")
    else:
        with _direct(str(target)) as f:
            yield f


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[BinaryIO]:
    """Write to a temp file beside ``path``; rename over it only when the export succeeds.
    Only for a regular file or a missing one (``_output`` sends everything else elsewhere).

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


def same_file(output: str | os.PathLike[str], source: str | os.PathLike[str]) -> bool:
    """True when writing ``output`` would overwrite ``source`` or its SQLite ``-wal``/``-shm``
    files: the same path once symlinks are resolved, or the same inode (a hard link)."""
    out_real = os.path.realpath(output)
    try:
        out_st: os.stat_result | None = os.stat(out_real)
    except OSError:
        out_st = None
    for suffix in ("", "-wal", "-shm"):
        src = os.path.realpath(str(source)) + suffix
        if out_real == src:
            return True
        if out_st is not None:
            with contextlib.suppress(OSError):
                st = os.stat(src)
                if (st.st_dev, st.st_ino) == (out_st.st_dev, out_st.st_ino):
                    return True
    return False


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

    When the stream is a terminal, exporters that would print raw text (CSV) make control
    characters visible (``ExportOptions.terminal``), and JSON formats write C1 controls,
    line/paragraph separators and bidi controls as ``\\uXXXX`` escapes; files and pipes get
    the data exactly.
    """
    f = FORMATS.get(fmt)
    if f is None:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    filt = to_filter(flt)
    opts = ExportOptions(include_hidden=include_hidden, session_name=session_name)
    if isinstance(out, (str, os.PathLike)):
        if not str(out):
            raise ExportError("no output file named (give -o a file name, or - for stdout)")
        with _output(Path(out)) as stream:
            return _export_to(f, store, filt, fmt, stream, opts)
    return _export_to(f, store, filt, fmt, out, opts)


def _export_to(
    f: Format, store: Store, filt: Filter, fmt: str, out: BinaryIO, opts: ExportOptions
) -> int:
    opts.terminal = _isatty(out)
    if opts.terminal and fmt in _JSON_FORMATS:
        out = cast(BinaryIO, _TerminalJSON(out))
    return f.export(store, filt, out, opts)


#: Formats whose output is JSON text: on a terminal, invisible and control characters in
#: their strings are written as ``\uXXXX`` escapes.
_JSON_FORMATS = frozenset({"ndjson", "json", "har"})
#: UTF-8 of what JSON lets through unescaped but a terminal acts on or hides: C1 controls
#: (U+0080-U+009F), U+2028/2029, bidi controls (U+202A-202E, U+2066-2069, U+200E/200F,
#: U+061C). In valid JSON they can only be inside strings, where ``\uXXXX`` means the same.
_TERMINAL_UNSAFE = re.compile(
    rb"\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c"
)


def _escape(m: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(m.group().decode("utf-8"))


class _TerminalJSON:
    """A stream wrapper for JSON written to a terminal: the characters above as escapes."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out

    def write(self, data: bytes) -> int:
        self.out.write(_TERMINAL_UNSAFE.sub(_escape, data))
        return len(data)

    def flush(self) -> None:
        self.out.flush()


def _isatty(stream: BinaryIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


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
    "same_file",
    "to_filter",
]
