"""Where the app keeps its own files: caches it can rebuild, and the writer's data it cannot.

One place for the platform rules, so every cache (converted GGUF models, fast-mode
graphs) and every data folder (styles) follows the same overrides.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_FOLDER = "aigc-desktop"


def cache_dir(kind: str) -> Path:
    """<cache>/aigc-desktop/<kind>: $AIGC_DESKTOP_CACHE/<kind>, else the platform's per-user cache folder."""
    override = os.environ.get("AIGC_DESKTOP_CACHE")
    if override:
        return Path(override) / kind
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / APP_FOLDER / kind


def data_dir(kind: str) -> Path:
    """<data>/aigc-desktop/<kind>: $AIGC_DESKTOP_DATA_DIR/<kind>, else the platform's per-user data folder."""
    override = os.environ.get("AIGC_DESKTOP_DATA_DIR")
    if override:
        return Path(override) / kind
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / APP_FOLDER / kind
