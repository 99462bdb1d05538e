"""Starting the editor: window first, model afterwards in the worker thread.

torch and transformers are imported only by the worker thread, after the
window is on screen, so the window appears in a fraction of a second.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

APP_NAME = "aigc-desktop"
# Test-only hook: a Python file run (with `window` and `app` in scope) once the window is
# shown, before the model starts loading. The crash-recovery tests drive the real app with it.
TEST_SCRIPT_ENV = "AIGC_DESKTOP_TEST_SCRIPT"


def _run_test_script(window, app) -> None:
    path = os.environ.get(TEST_SCRIPT_ENV)
    if not path:
        return
    with open(path, encoding="utf-8") as f:
        code = compile(f.read(), path, "exec")
    exec(code, {"__name__": "__aigc_desktop_test__", "__file__": path, "window": window, "app": app})


def run_editor(args) -> int:
    import qasync

    from .ui.main_window import MainWindow
    from .ui.settings import AppSettings

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_NAME)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    overrides = {
        "model": args.model,
        "device": args.device,
        "max_new_tokens": args.max_new_tokens,
        "temperature": args.temperature,
    }
    window = MainWindow(AppSettings(), overrides)
    if args.file:
        if os.path.exists(args.file):
            window.open_file(args.file, ask_to_save=False)
        else:
            window.path = os.path.abspath(args.file)  # a new file: created on first save
            window._update_title()
    window.show()
    window.offer_recovery()  # unsaved text that an editor which crashed left behind
    _run_test_script(window, app)
    # The model loads once the window has been painted.
    QTimer.singleShot(0, window.start_model)
    # Ctrl+C in the terminal closes the window like the Quit command does.
    signal.signal(signal.SIGINT, lambda *_: window.close())

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
    from .ui.worker import detached_threads_running

    if detached_threads_running():
        # Closed during a model load, which cannot be interrupted: the user's work is saved
        # and settings are written, so leave now rather than wait for it (and rather than
        # let interpreter shutdown destroy a running QThread, which aborts).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0
