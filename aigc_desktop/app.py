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
    # The model loads once the window has been painted.
    QTimer.singleShot(0, window.start_model)
    # Ctrl+C in the terminal closes the window like the Quit command does.
    signal.signal(signal.SIGINT, lambda *_: window.close())

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
    return 0
