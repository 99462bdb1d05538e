"""aigc-desktop: a desktop editor that continues your text with a local language model."""

import os

try:  # one place for the version: pyproject.toml, through the installed metadata
    from importlib.metadata import PackageNotFoundError, version

    __version__ = version("aigc-desktop")
except PackageNotFoundError:  # a checkout that was never installed
    __version__ = "0.1.0"

# No telemetry, ever; the hub is contacted only for a download the user asked for.
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
