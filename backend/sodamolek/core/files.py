"""Files holding secrets and keys, written so that no reader sees them half-done."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def create_private_file(path: Path, data: bytes) -> None:
    """Write a new 0600 file, never over an existing one (FileExistsError then). Written to a
    temporary file and hard-linked into place, so no reader ever sees it half-written and two
    workers starting at once keep the first one's content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates it 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp_name, path)
    finally:
        os.unlink(tmp_name)
