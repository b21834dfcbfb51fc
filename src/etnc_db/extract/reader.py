"""Read a corpus file into the exact stored text (no normalisation).

Every failure is a :class:`CorpusError` with a one-line reason (``file: cannot read
(permission denied)``), never a raw ``OSError``; only regular files are opened (a FIFO
would block the read forever, a device could do anything), and never more than
``max_bytes + 1`` bytes are read, whatever the file grows to."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .parsed import CorpusError

#: the largest document file accepted, in bytes (checked with stat before reading)
MAX_BYTES = 20_000_000

#: share of characters that may be control characters before a file counts as binary
_MAX_CONTROL_SHARE = 0.05
_CONTROL_BYTES = bytes(b for b in range(32) if chr(b) not in "\n\r\t\f\v")

_OS_REASONS = {
    errno.ENOENT: "file does not exist",
    errno.EACCES: "cannot read (permission denied)",
    errno.EPERM: "cannot read (permission denied)",
    errno.ELOOP: "symbolic link loop",
    errno.EISDIR: "is a directory, not a regular file",
}


def describe_os_error(exc: OSError) -> str:
    """A one-line reason for an ``OSError``, without ``[Errno N]`` or the path."""
    reason = _OS_REASONS.get(exc.errno)
    if reason is None:
        reason = f"cannot read ({(exc.strerror or str(exc)).lower()})"
    return reason


def not_regular_reason(mode: int) -> str:
    """Why a file of this ``st_mode`` is refused: what it is instead of a regular file."""
    kinds = (
        (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISLNK, "a symbolic link"),
    )
    what = next((name for test, name in kinds if test(mode)), "not a file")
    return f"is {what}, not a regular file"


def read_limited(path: Path, name: str, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path`` (symbolic links followed), refused with a
    :class:`CorpusError` naming ``name`` when it is missing, unreadable, not a regular
    file or over ``max_bytes`` (checked with stat before reading, and again while
    reading in case the file grows)."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise CorpusError(name, None, not_regular_reason(st.st_mode))
        if st.st_size > max_bytes:
            raise CorpusError(name, None, f"file is {st.st_size} bytes, over the {max_bytes}-byte limit")
        # O_NONBLOCK: if the path was swapped for a FIFO since the stat, open must not hang
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise CorpusError(name, None, describe_os_error(exc)) from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise CorpusError(name, None, not_regular_reason(mode))
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise CorpusError(name, None, describe_os_error(exc)) from exc
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # grew between stat and read
        raise CorpusError(name, None, f"file is over the {max_bytes}-byte limit (it grew while being read)")
    return data


def decode_source(data: bytes, name: str) -> str:
    """``data`` decoded as UTF-8, exactly; a :class:`CorpusError` naming ``name`` for an
    empty, binary or non-UTF-8 file. A leading byte-order mark is kept."""
    if not data.strip():
        raise CorpusError(name, None, "empty file (no text)")
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise CorpusError(name, line, "binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CorpusError(
            name, line, f"invalid UTF-8 at byte {exc.start} (0x{data[exc.start]:02x})"
        ) from exc
    # control characters other than the whitespace ones: in UTF-8 each is one byte, and a
    # byte below 0x20 is never part of a longer character, so count the bytes (in C)
    control = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if control > _MAX_CONTROL_SHARE * len(text):
        raise CorpusError(name, None, "binary file (mostly non-text control characters)")
    return text


def read_source(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """Return the file decoded as UTF-8, exactly (offsets index this string).

    Raises :class:`CorpusError` for a missing, unreadable, non-regular, empty, over-size,
    binary or non-UTF-8 file. A leading byte-order mark is kept (it is part of the stored
    text).
    """
    path = Path(path)
    return decode_source(read_limited(path, path.name, max_bytes), path.name)
