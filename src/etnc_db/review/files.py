"""Files the review commands write, and the lock that keeps loads from reading them
half-written.

Review commands and loads may run at the same time. Every edit of a curated file or of
the decisions file is atomic (a temporary file in the same folder, fsync, rename), and
is made holding an exclusive lock on the review folder; a load holds the shared lock
while it reads the curated files and the decisions file, so it reads one consistent set
(before or after an edit, never between two). The lock is `flock` on the folder itself:
no lock file, and it ends with the process."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_WAIT = 60.0
DECISIONS_FILE = "decisions.yaml"


def decisions_path(review_dir: Path) -> Path:
    """The decisions file of a review folder."""
    return Path(review_dir) / DECISIONS_FILE


class ReviewBusy(Exception):
    """The review folder stayed locked longer than the wait."""


@contextmanager
def review_lock(review_dir: Path, *, shared: bool, wait: float = DEFAULT_WAIT) -> Iterator[None]:
    """Hold the review folder's lock: shared for a load reading the files, exclusive for a
    review command writing them. Waits up to `wait` seconds (edits are short)."""
    folder = Path(review_dir)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    who = "a review command is writing" if shared else "a load is reading"
                    raise ReviewBusy(f"{folder}: {who} the review files; try again shortly") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def digest(path: Path) -> str | None:
    """sha256 of a file's bytes; None when it does not exist."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` all at once: a temporary file beside it, flushed to
    disk, renamed over it (a reader sees the old or the new file, never a mix)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class FileChanged(Exception):
    """A file changed between reading it and writing it back."""


def replace_if_unchanged(path: Path, expected_digest: str | None, text: str) -> None:
    """Write `text` to `path` unless someone changed the file since it was read (its
    digest is no longer `expected_digest`). Call holding the exclusive review lock."""
    if digest(path) != expected_digest:
        raise FileChanged(f"{path}: changed while this command was preparing its edit; run it again")
    write_atomic(path, text)
