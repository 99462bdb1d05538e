"""Where the app keeps its own files: caches it can rebuild, and the writer's data it cannot.

One place for the platform rules, so every cache (converted GGUF models, fast-mode
graphs) and every data folder (styles) follows the same overrides.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_FOLDER = "aigc-desktop"


def _user_dir(override_var: str, mac: str, xdg_var: str, xdg_default: str) -> Path:
    """$override_var, else the platform's per-user folder of that kind, with aigc-desktop/ inside."""
    override = os.environ.get(override_var)
    if override:
        return Path(override)
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / mac
    else:
        base = Path(os.environ.get(xdg_var, Path.home() / xdg_default))
    return base / APP_FOLDER


def cache_dir(kind: str) -> Path:
    """<cache>/aigc-desktop/<kind>: $AIGC_DESKTOP_CACHE/<kind>, else the platform's per-user cache folder."""
    return _user_dir("AIGC_DESKTOP_CACHE", "Caches", "XDG_CACHE_HOME", ".cache") / kind


def data_dir(kind: str) -> Path:
    """<data>/aigc-desktop/<kind>: $AIGC_DESKTOP_DATA_DIR/<kind>, else the platform's per-user data folder."""
    return _user_dir("AIGC_DESKTOP_DATA_DIR", "Application Support", "XDG_DATA_HOME", ".local/share") / kind
