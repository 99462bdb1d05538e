"""Resources: the app's name and the files from the repository's resources/ folder, wherever it is installed."""

from __future__ import annotations

import sys
from pathlib import Path

APP_NAME = "aigc-desktop"


def resource_path(relative: str) -> Path | None:
    """A file from the repository's resources/ folder: in the app bundle, a checkout, or a pip install."""
    roots = []
    if getattr(sys, "frozen", False):
        roots.append(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources")
    roots.append(Path(__file__).resolve().parents[1] / "resources")  # a checkout or an editable install
    roots.append(Path(sys.prefix) / "share" / APP_NAME)  # pip install: pyproject's data-files
    for root in roots:
        if (root / relative).is_file():
            return root / relative
    return None
