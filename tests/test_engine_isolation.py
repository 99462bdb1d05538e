"""The engine is usable without Qt: importing it (and running the CLI) never loads PySide6."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def test_engine_and_cli_continue_never_import_qt(tiny_gpt2_dir):
    script = textwrap.dedent(
        f"""
        import sys
        import aigc_desktop.engine.local.generator, aigc_desktop.engine.local.loading
        assert not any(m.startswith('PySide6') for m in sys.modules), 'engine imported Qt'
        from aigc_desktop.cli import main
        rc = main(['continue', '--model', {str(tiny_gpt2_dir)!r}, '--device', 'cpu',
                   '--temperature', '0', '--max-new-tokens', '3', 'Once upon a time'])
        assert rc == 0, rc
        assert not any(m.startswith('PySide6') for m in sys.modules), 'continue imported Qt'
        print('OK')
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("OK\n")
