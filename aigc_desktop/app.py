"""Starting the editor: window first, model afterwards in the worker thread.

torch and transformers are imported only by the worker thread, after the
window is on screen, so the window appears in a fraction of a second.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from .resources import APP_NAME, resource_path
from .ui.settings.user_settings import AppSettings
from .ui.suggestion.event_loop import gui_event_loop
from .ui.suggestion.worker import detached_threads_running
from .ui.window import main_window
from .ui.window.appearance import apply_theme

# Compiled catalogues (aigc_desktop_<language>.qm), built from resources/translations/*.ts.
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def translation_file(locale: QLocale) -> tuple[str, Path] | None:
    """(language code, .qm file) for the first of the locale's languages that has a catalogue.

    English is the language the interface is written in: when it comes first, nothing is loaded
    (a later language in the user's list, such as LANGUAGE=en_US:zh_CN, must not win over it).
    """
    for name in locale.uiLanguages():
        parts = name.replace("-", "_").split("_")
        if parts[0] in ("en", "C"):
            return None
        for i in range(len(parts), 0, -1):
            code = "_".join(parts[:i])
            path = TRANSLATIONS_DIR / f"aigc_desktop_{code}.qm"
            if path.is_file():
                return code, path
    return None


def install_translations(app, language: str = "") -> list[QTranslator]:
    """Translate the interface: language is a code such as "zh_CN", or "" for the system's.

    Qt's own catalogue for the same language (qtbase: standard buttons, file dialogs, the
    editor's context menu) is installed too. Returns the installed translators, so that they
    can be removed again (app.removeTranslator).
    """
    locale = QLocale(language) if language else QLocale.system()
    found = translation_file(locale)
    if found is None:
        # English is the source language; only its plural forms ("1 word", "2 words") need a catalogue.
        plurals = QTranslator(app)
        if plurals.load(str(TRANSLATIONS_DIR / "english_plurals.qm")):
            app.installTranslator(plurals)
            return [plurals]
        return []
    code, path = found
    installed = []
    ours = QTranslator(app)
    if ours.load(str(path)):
        app.installTranslator(ours)
        installed.append(ours)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{code}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    return installed


def run_editor(args, leave_at_once: bool = True) -> int:
    """The editor until its window closes. leave_at_once: exit the process right after
    (os._exit), as the app does; the start-up probe, which prints afterwards, passes False."""

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_NAME)
    settings = AppSettings()
    if settings.language():  # chosen in Settings: numbers, dates and QLocale() follow it too
        QLocale.setDefault(QLocale(settings.language()))
    install_translations(app, settings.language())  # before any window: texts are translated when made
    loop = gui_event_loop(app)

    overrides = {
        "model": args.model,
        "device": args.device,
        "max_new_tokens": args.max_new_tokens,
        "temperature": args.temperature,
    }

    apply_theme(settings.theme())
    window = main_window.MainWindow(settings, overrides)  # looked up now: the bench's probe wraps the class
    icon = resource_path("icons/aigc-desktop-256.png")
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    if args.file:
        if os.path.exists(args.file):
            window.document.open_file(args.file, ask_to_save=False)
        else:
            window.document.path = os.path.abspath(args.file)  # a new file: created on first save
            window._update_title()
    window.show()
    window.recovery_offer.offer_recovery()  # unsaved text that an editor which crashed left behind
    # The model loads once the window has been painted.
    QTimer.singleShot(0, window.session.start_model)
    # Ctrl+C in the terminal closes the window like Quit; SIGTERM (logout, `kill`) closes it
    # without questions, keeping unsaved text in the recovery folder for the next start.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    signal.signal(signal.SIGTERM, lambda *_: window.close_for_shutdown())
    # Python runs signal handlers only when it gets control; Qt's loop is C++, so wake it.
    signal_pump = QTimer(window)
    signal_pump.timeout.connect(lambda: None)
    signal_pump.start(250)

    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())

    if leave_at_once or detached_threads_running():
        # The user's work is saved (or in the recovery folder) and settings are synced on every
        # write, so leave now: the interpreter's teardown of torch and Qt took about a second
        # under load (the bench's `quit` section), and a worker still finishing a model load
        # or a decode step must not be destroyed by it (a running QThread aborts).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0
