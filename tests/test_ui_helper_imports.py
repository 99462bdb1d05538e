"""The window's helper modules load without torch; the pure ones without Qt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_helpers_do_not_import_torch_and_pure_ones_do_not_import_qt():
    # The window must appear before torch loads, and the pure helpers stay Qt-free.
    code = (
        "import sys\n"
        "import aigc_desktop.ui.window.text_stats, aigc_desktop.ui.document.document_io\n"
        "assert 'PySide6' not in sys.modules, 'pure helpers imported Qt'\n"
        "import aigc_desktop.ui.settings.user_settings, aigc_desktop.ui.settings.settings_dialog\n"
        "import aigc_desktop.ui.window.find_bar\n"
        "bad = [m for m in ('torch', 'transformers') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
