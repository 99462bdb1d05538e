"""Opening a dialog never fails silently: an error on the way (a module that does not import,
a broken resource) becomes a one-line message in the window's banner."""

from __future__ import annotations

import functools
import sys
import traceback

from PySide6.QtCore import QCoreApplication


def shows_failure(method):
    """For a window method that opens some UI: any exception is reported in its banner."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - whatever it is, the user must hear of it
            traceback.print_exc(file=sys.stderr)
            detail = (str(exc).strip() or type(exc).__name__).splitlines()[0]
            self.show_error(QCoreApplication.translate("MainWindow", "This could not be opened: %s") % detail)
            return None

    return wrapper
