"""ruff (pyflakes, import order, bugbear) and pyright (basic) on aigc_desktop/, as configured in pyproject.toml.

They run here so that README's one test command (and so CI) runs them too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise",
                             "aigc_desktop"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pyright_finds_nothing():
    # The interpreter running the tests is the one whose packages (PySide6, torch) pyright resolves.
    result = subprocess.run([sys.executable, "-m", "pyright", "--pythonpath", sys.executable],
                            cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr
