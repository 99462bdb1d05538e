"""Run the real app (aigc_desktop.app.run_editor) and print when its window was shown and
when its model was ready, as one JSON line; then quit.

    python -m aigc_desktop.bench.startup_probe --model DIR [--device D]

Only the bench runs this (in a subprocess, see startup.py). Times are
time.time() wall-clock seconds, so the parent can subtract the moment it
started the process. The window is the app's own MainWindow class, wrapped only
to listen to its `shown` signal and its worker's `loaded` signal.
"""

from __future__ import annotations

import json
import sys
import time

from ..arguments import editor_parser

_STARTED = time.time()  # after the interpreter itself started; the parent knows the spawn time


def main(argv: list[str] | None = None) -> int:
    from ..app import run_editor
    from ..ui.window import main_window

    args = editor_parser().parse_args(argv if argv is not None else sys.argv[1:])
    marks: dict = {"probe_module_loaded": _STARTED}
    app_class = main_window.MainWindow

    class ProbedWindow(app_class):
        def __init__(self, *a, **kw) -> None:
            marks["window_constructing"] = time.time()
            super().__init__(*a, **kw)
            marks["window_constructed"] = time.time()
            self.shown.connect(self._probe_shown)
            self.host.worker.loaded.connect(self._probe_loaded)
            self.host.worker.load_failed.connect(self._probe_failed)

        def _probe_shown(self) -> None:
            marks["shown"] = time.time()
            marks["torch_imported_when_shown"] = "torch" in sys.modules

        def _probe_loaded(self, info) -> None:
            marks["model_ready"] = time.time()
            marks["model_load_seconds"] = info.load_seconds
            self._probe_quit()

        def _probe_failed(self, source, message, needs_download) -> None:
            marks["error"] = message
            self._probe_quit()

        def _probe_quit(self) -> None:
            self.close()  # the document is untouched, so nothing asks to save it

    main_window.MainWindow = ProbedWindow  # run_editor looks the class up when it runs
    try:
        run_editor(args, leave_at_once=False)  # it prints its marks afterwards
    finally:
        main_window.MainWindow = app_class
    print("AIGC_BENCH_STARTUP " + json.dumps(marks), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
