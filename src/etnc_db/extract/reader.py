"""Read a corpus file into the exact stored text (no normalisation)."""

from __future__ import annotations

from pathlib import Path

from .model import CorpusError

#: share of characters that may be control characters before a file counts as binary
_MAX_CONTROL_SHARE = 0.05


def read_source(path: Path, max_bytes: int = 20_000_000) -> str:
    """Return the file decoded as UTF-8, exactly (offsets index this string).

    Raises :class:`CorpusError` for a missing, empty, over-size, binary or non-UTF-8 file.
    A leading byte-order mark is kept (it is part of the stored text).
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CorpusError(name, None, f"cannot read file: {exc.strerror or exc}") from exc
    if size > max_bytes:
        raise CorpusError(name, None, f"file is {size} bytes, over the {max_bytes}-byte limit")
    data = path.read_bytes()
    if len(data) > max_bytes:  # grew between stat and read
        raise CorpusError(name, None, f"file is {len(data)} bytes, over the {max_bytes}-byte limit")
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
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    if control > _MAX_CONTROL_SHARE * len(text):
        raise CorpusError(name, None, "binary file (mostly non-text control characters)")
    return text
