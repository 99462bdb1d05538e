"""Runs the real app (`aigc-desktop ARGS`) with a test's Python file executed once the window is shown.

    python tests/app_driver.py SCRIPT [ARGS...]

SCRIPT runs with `window` (the MainWindow) and `app` (the QApplication) in scope, right after the
window offered crash recovery and before the model starts loading: where a user's first keystroke
could come. The tests that kill and restart the app (test_reliability_crash.py) and start it on
hostile files (test_hostile_documents.py) drive it so; the shipped app has no such hook.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    script, app_args = argv[0], argv[1:]
    from PySide6.QtWidgets import QApplication

    from aigc_desktop.cli import main as run_app
    from aigc_desktop.ui.window.main_window import MainWindow
    from aigc_desktop.ui.document.recovery_offer import RecoveryOffer

    offer_recovery = RecoveryOffer.offer_recovery

    def offer_recovery_then_run_the_script(offer, *args, **kwargs):
        result = offer_recovery(offer, *args, **kwargs)
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        with open(script, encoding="utf-8") as f:
            code = compile(f.read(), script, "exec")
        exec(code, {"__name__": "__aigc_desktop_test__", "__file__": script, "window": window,
                    "app": QApplication.instance()})
        return result

    RecoveryOffer.offer_recovery = offer_recovery_then_run_the_script
    return run_app(app_args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
